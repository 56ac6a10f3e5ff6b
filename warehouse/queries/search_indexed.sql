-- Articles matching $q: ranked by BM25 from the index, then those loaded since it was built, by substring.
WITH ranked AS (
    SELECT article_id, fts_main_articles.match_bm25(article_id, $q) AS score FROM articles
),
since_build AS (
    SELECT a.article_id FROM articles AS a, search_index AS i
    WHERE a.loaded_at > i.covers_until AND (a.title ILIKE '%' || $q || '%' OR a.text ILIKE '%' || $q || '%')
)
SELECT a.article_id, a.title, a.host, coalesce(a.published_at, a.fetched_at) AS published, round(r.score, 3) AS score
FROM articles AS a
LEFT JOIN ranked AS r USING (article_id)
WHERE r.score IS NOT NULL OR a.article_id IN (SELECT article_id FROM since_build)
ORDER BY r.score IS NULL, r.score DESC, published DESC
LIMIT $limit;
