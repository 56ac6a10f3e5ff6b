-- check: articles no page outcome points to (every article comes from a fetched page or a feed's content)
SELECT a.article_id, a.url FROM articles AS a
ANTI JOIN pages AS p ON p.article_id = a.article_id;
