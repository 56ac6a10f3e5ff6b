-- What `wirehouse check` reports beside the checks: the size of the warehouse and how current it is.
SELECT 'articles' AS what, count(*) AS n FROM articles
UNION ALL SELECT 'pages: ' || outcome, count(*) FROM pages GROUP BY outcome
UNION ALL SELECT 'entries', count(*) FROM entries
UNION ALL SELECT 'enrichments: ' || version, count(*) FROM enrichments GROUP BY version
UNION ALL SELECT 'articles enriched on an older text', count(*) FROM articles JOIN enrichments USING (article_id)
          WHERE enrichments.text_hash <> articles.text_hash
UNION ALL SELECT 'articles not enriched', count(*) FROM articles ANTI JOIN enrichments USING (article_id)
UNION ALL SELECT 'runs: ' || status, count(*) FROM runs GROUP BY status
ORDER BY what;
