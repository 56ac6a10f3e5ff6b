-- Articles whose enrichment is missing, of another version, or computed on a text that has since changed;
-- a re-enrich backfill also redoes those enriched before it started ($done_since) within its selection.
-- After $after in article_id order, so the next batch can be read while the previous one is still being loaded.
SELECT a.article_id, a.text, a.text_hash, a.language
FROM articles AS a
LEFT JOIN enrichments AS e USING (article_id)
WHERE (e.article_id IS NULL OR e.version <> $version OR e.text_hash <> a.text_hash
       OR e.enriched_at < $done_since)
  AND a.article_id > $after
  AND ($since IS NULL OR coalesce(a.published_at, a.fetched_at) >= $since)
  AND ($until IS NULL OR coalesce(a.published_at, a.fetched_at) <= $until)
  AND (len($feeds) = 0 OR list_contains($feeds, a.feed))
  AND (len($sites) = 0 OR list_contains($sites, a.host))
ORDER BY a.article_id
LIMIT $limit;
