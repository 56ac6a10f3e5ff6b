-- Apply a batch of polls (staged_polls, with each feed's new state worked out by tasks.schedule) to feeds,
-- and log them in feed_polls. Entries of this call were inserted at $now.
UPDATE feeds SET
    last_polled_at = p.polled_at,
    last_status = p.status,
    last_http_status = p.http_status,
    last_error = p.error,
    last_success_at = CASE WHEN p.status = 'failed' THEN feeds.last_success_at ELSE p.polled_at END,
    etag = p.etag, last_modified = p.last_modified, body_hash = p.body_hash,
    next_poll_at = p.next_poll_at, consecutive_failures = p.consecutive_failures,
    first_failure_at = p.first_failure_at, gone_at = p.gone_at, gone_reason = p.gone_reason,
    trust_not_modified = p.trust_not_modified, polls_since_verify = p.polls_since_verify,
    poll_interval = coalesce(p.poll_interval, feeds.poll_interval),
    entries_seen = (SELECT count(*) FROM entries AS e WHERE e.feed = feeds.feed)
FROM staged_polls AS p
WHERE feeds.feed = p.feed;

INSERT INTO feed_polls BY NAME
SELECT p.feed, p.polled_at, $run_id AS run_id, p.status, p.http_status, p.conditional, p.entries,
       (SELECT count(*) FROM entries AS e WHERE e.feed = p.feed AND e.first_seen_at = $now::TIMESTAMPTZ
            AND e.run_id = $run_id) AS new_entries,
       p.skipped_no_link, p.duplicate_links, p.undated, p.error
FROM staged_polls AS p;
