-- query: Entities gaining the most articles: the last `days` days against the `days` days before
-- param days INTEGER = 7: length of each period, in days
-- param limit INTEGER = 20: rows to show
-- An article's day is its published date, or when it was fetched if the page gave none.
WITH dated AS (
    SELECT article_id, coalesce(published_at, fetched_at) AS day FROM articles
),
counts AS (
    SELECT e.name AS entity, e.label,
           count(DISTINCT m.article_id) FILTER (WHERE d.day >= now() - to_days($days)) AS articles,
           count(DISTINCT m.article_id) FILTER (
               WHERE d.day < now() - to_days($days) AND d.day >= now() - to_days(2 * $days)) AS before
    FROM mentions AS m
    JOIN entities AS e USING (entity_id)
    JOIN dated AS d USING (article_id)
    WHERE d.day >= now() - to_days(2 * $days)
    GROUP BY ALL
)
SELECT entity, label, articles, before, articles - before AS change,
       round(CASE WHEN before > 0 THEN articles / before END, 2) AS ratio
FROM counts
WHERE articles > 0
ORDER BY change DESC, articles DESC, entity
LIMIT $limit;
