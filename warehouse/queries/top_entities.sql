-- query: The most mentioned canonical entities, each article counted once ("Biden" and "Joe Biden" are one)
-- param limit INTEGER = 20: rows to show
SELECT e.name AS entity, e.label, count(DISTINCT m.article_id) AS articles, count(*) AS mentions
FROM mentions AS m
JOIN entities AS e USING (entity_id)
WHERE e.label IN ('PERSON', 'ORG', 'GPE', 'LOC', 'NORP', 'EVENT')
GROUP BY ALL
ORDER BY articles DESC, mentions DESC, entity
LIMIT $limit;
