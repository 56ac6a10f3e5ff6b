-- Entry links still to fetch: no page outcome yet, or a transient failure with tries left.
-- One row per link, from the feed that saw it first. A run retries a failure at most once: later runs retry again.
-- A backfill narrows it to a date range (published, else first seen), feeds and sites; empty filters select all.
SELECT e.feed, e.url, e.title, e.author, e.published_at, e.content_html
FROM entries AS e
LEFT JOIN pages AS p USING (url_id)
WHERE (p.url_id IS NULL
       OR (p.outcome = 'failed' AND p.transient AND p.attempts < $max_attempts AND p.run_id <> $run_id))
  AND ($since IS NULL OR coalesce(e.published_at, e.first_seen_at) >= $since)
  AND ($until IS NULL OR coalesce(e.published_at, e.first_seen_at) <= $until)
  AND (len($feeds) = 0 OR list_contains($feeds, e.feed))
  AND (len($sites) = 0 OR list_contains($sites,
        regexp_replace(lower(regexp_extract(e.url, '^[a-zA-Z][a-zA-Z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]+)', 1)),
                       '^www\.', '')))
QUALIFY row_number() OVER (PARTITION BY e.url_id ORDER BY e.first_seen_at, e.feed) = 1
ORDER BY e.first_seen_at, e.url_id
LIMIT $limit;
