-- Apply one batch of poll outcomes (staged_polls) to the feeds' state and health.
UPDATE feeds SET
    last_polled_at = p.polled_at,
    last_status = p.status,
    last_http_status = p.http_status,
    last_error = p.error,
    last_success_at = CASE WHEN p.status = 'failed' THEN feeds.last_success_at ELSE p.polled_at END,
    consecutive_failures = CASE WHEN p.status = 'failed' THEN feeds.consecutive_failures + 1 ELSE 0 END,
    -- a failed poll keeps the validators of the last good one
    etag = CASE WHEN p.status = 'failed' THEN feeds.etag ELSE p.etag END,
    last_modified = CASE WHEN p.status = 'failed' THEN feeds.last_modified ELSE p.last_modified END,
    body_hash = CASE WHEN p.status = 'failed' THEN feeds.body_hash ELSE p.body_hash END
FROM staged_polls AS p
WHERE feeds.feed = p.feed;
