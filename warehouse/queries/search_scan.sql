-- Articles containing $q, without an index (no fts extension, or no index built yet): newest first.
SELECT article_id, title, host, coalesce(published_at, fetched_at) AS published, NULL::DOUBLE AS score
FROM articles
WHERE title ILIKE '%' || $q || '%' OR text ILIKE '%' || $q || '%'
ORDER BY published DESC
LIMIT $limit;
