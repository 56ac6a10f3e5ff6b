-- Pages a re-extract backfill cleans again: those whose body the WARC archive keeps, within the selection, not
-- cleaned since the backfill started ($done_since), after $after in url_id order.
SELECT p.url_id, p.url, p.feed, p.warc_file, p.warc_offset, p.warc_length, e.title, e.author, e.published_at
FROM pages AS p
LEFT JOIN articles AS a USING (article_id)
LEFT JOIN entries AS e ON e.url_id = p.url_id AND e.feed = p.feed
WHERE p.warc_file IS NOT NULL
  AND ($done_since IS NULL OR p.cleaned_at IS NULL OR p.cleaned_at < $done_since)
  AND p.url_id > $after
  AND ($since IS NULL OR coalesce(a.published_at, e.published_at, p.fetched_at) >= $since)
  AND ($until IS NULL OR coalesce(a.published_at, e.published_at, p.fetched_at) <= $until)
  AND (len($feeds) = 0 OR list_contains($feeds, p.feed))
  AND (len($sites) = 0 OR list_contains($sites,
        regexp_replace(lower(regexp_extract(p.url, '^[a-zA-Z][a-zA-Z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]+)', 1)),
                       '^www\.', '')))
ORDER BY p.url_id
LIMIT $limit;
