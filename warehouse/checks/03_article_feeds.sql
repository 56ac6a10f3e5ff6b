-- check: articles and entries of a feed the warehouse does not know (backfill sources sitemap:… and warc aside)
SELECT 'articles' AS "table", feed, count(*) AS "rows" FROM articles
WHERE feed NOT IN (SELECT feed FROM feeds) AND feed <> 'warc' AND feed NOT LIKE 'sitemap:%' GROUP BY feed
UNION ALL
SELECT 'entries', feed, count(*) FROM entries
WHERE feed NOT IN (SELECT feed FROM feeds) AND feed NOT LIKE 'sitemap:%' GROUP BY feed;
