-- Register the feed list (staged_feeds): new feeds are added, changed settings updated, state kept.
INSERT INTO feeds (feed, url, site, language, full_content, added_at, polls_since_verify)
SELECT feed, url, site, language, full_content, $now::TIMESTAMPTZ, 0 FROM staged_feeds
ON CONFLICT (feed) DO UPDATE SET
    url = excluded.url, site = excluded.site, language = excluded.language, full_content = excluded.full_content,
    -- a new URL is a new feed: validators, trust in its 304s, its failures and a gone verdict do not carry over
    etag = CASE WHEN feeds.url = excluded.url THEN feeds.etag END,
    last_modified = CASE WHEN feeds.url = excluded.url THEN feeds.last_modified END,
    body_hash = CASE WHEN feeds.url = excluded.url THEN feeds.body_hash END,
    trust_not_modified = CASE WHEN feeds.url = excluded.url THEN feeds.trust_not_modified END,
    gone_at = CASE WHEN feeds.url = excluded.url THEN feeds.gone_at END,
    gone_reason = CASE WHEN feeds.url = excluded.url THEN feeds.gone_reason END,
    next_poll_at = CASE WHEN feeds.url = excluded.url THEN feeds.next_poll_at END,
    consecutive_failures = CASE WHEN feeds.url = excluded.url THEN feeds.consecutive_failures ELSE 0 END,
    first_failure_at = CASE WHEN feeds.url = excluded.url THEN feeds.first_failure_at END,
    polls_since_verify = CASE WHEN feeds.url = excluded.url THEN feeds.polls_since_verify ELSE 0 END;
