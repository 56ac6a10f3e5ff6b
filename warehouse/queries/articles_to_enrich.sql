-- Articles whose enrichment is missing, of another version, or computed on a text that has since changed;
-- after $after in article_id order, so the next batch can be read while the previous one is still being loaded.
SELECT a.article_id, a.text, a.text_hash, a.language
FROM articles AS a
LEFT JOIN enrichments AS e USING (article_id)
WHERE (e.article_id IS NULL OR e.version <> $version OR e.text_hash <> a.text_hash) AND a.article_id > $after
ORDER BY a.article_id
LIMIT $limit;
