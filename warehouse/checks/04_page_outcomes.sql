-- check: page outcomes that do not add up (an article outcome without its article, a link no entry or WARC led to)
SELECT url_id, url, outcome, 'article outcome without the article' AS problem FROM pages
WHERE outcome = 'article' AND (article_id IS NULL OR article_id NOT IN (SELECT article_id FROM articles))
UNION ALL
SELECT url_id, url, outcome, 'outcome of a link no entry names' FROM pages
WHERE feed <> 'warc' AND url_id NOT IN (SELECT url_id FROM entries)
UNION ALL
SELECT url_id, url, outcome, 'not one of article, rejected, failed' FROM pages
WHERE outcome NOT IN ('article', 'rejected', 'failed');
