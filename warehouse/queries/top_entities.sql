-- The most mentioned entities, counted once per article.
SELECT text AS entity, label, count(DISTINCT article_id) AS articles, count(*) AS mentions
FROM mentions
WHERE label IN ('PERSON', 'ORG', 'GPE', 'LOC', 'NORP', 'EVENT')
GROUP BY ALL
ORDER BY articles DESC, mentions DESC, entity
LIMIT $limit;
