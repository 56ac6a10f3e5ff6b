-- feed_health: one row per feed of the feed list: its polling state (feeds) and what its polls brought (feed_polls).
--   feed, site, url
--   last_status, last_http_status, last_error, last_polled_at, last_success_at   the latest poll
--   consecutive_failures, gone_at, gone_reason, next_poll_at   its schedule (gone: no longer polled)
--   polls, failed_polls, failed_share   polls on record
--   not_modified_polls   polls answered 304, or with an unchanged body: nothing to parse
--   new_entries     items first seen through its polls
--   last_new_at     the latest poll that brought a new item: a feed that answers but has gone stale shows here
--   undated_share   items with no parseable date, over all items of its polls
--   articles        articles loaded from its links
CREATE OR REPLACE VIEW feed_health AS
WITH polls AS (
    SELECT
        feed,
        count(*) AS polls,
        count(*) FILTER (WHERE status = 'failed') AS failed_polls,
        count(*) FILTER (WHERE status IN ('not_modified', 'unchanged')) AS not_modified_polls,
        sum(new_entries) AS new_entries,
        max(polled_at) FILTER (WHERE new_entries > 0) AS last_new_at,
        sum(undated) / nullif(sum(entries), 0) AS undated_share
    FROM feed_polls
    GROUP BY ALL
),
loaded AS (
    SELECT feed, count(*) AS articles FROM articles GROUP BY ALL
)
SELECT
    f.feed,
    f.site,
    f.url,
    f.last_status,
    f.last_http_status,
    f.last_error,
    f.last_polled_at,
    f.last_success_at,
    f.consecutive_failures,
    f.gone_at,
    f.gone_reason,
    f.next_poll_at,
    coalesce(p.polls, 0) AS polls,
    coalesce(p.failed_polls, 0) AS failed_polls,
    p.failed_polls / p.polls AS failed_share,
    coalesce(p.not_modified_polls, 0) AS not_modified_polls,
    coalesce(p.new_entries, 0)::BIGINT AS new_entries,
    p.last_new_at,
    p.undated_share,
    coalesce(l.articles, 0) AS articles
FROM feeds AS f
LEFT JOIN polls AS p USING (feed)
LEFT JOIN loaded AS l USING (feed);

COMMENT ON VIEW feed_health IS 'Each feed''s polling state with what its polls brought: failures, new items, articles';
