-- Articles a batch's pages pointed to before it (staged_previous) that no page points to any more: a re-extract
-- rejected the page, or found another canonical URL. They go with everything enrichment made of them; a story
-- they started is named after its next copy.
CREATE OR REPLACE TEMP TABLE unreferenced AS
SELECT DISTINCT article_id FROM staged_previous
WHERE article_id NOT IN (SELECT article_id FROM pages WHERE article_id IS NOT NULL);

DELETE FROM mentions WHERE article_id IN (SELECT article_id FROM unreferenced);
DELETE FROM sentences WHERE article_id IN (SELECT article_id FROM unreferenced);
DELETE FROM quotes WHERE article_id IN (SELECT article_id FROM unreferenced);
DELETE FROM enrichments WHERE article_id IN (SELECT article_id FROM unreferenced);
DELETE FROM story_buckets WHERE article_id IN (SELECT article_id FROM unreferenced);
DELETE FROM articles WHERE article_id IN (SELECT article_id FROM unreferenced);

UPDATE articles SET story_id = renamed.next_id
FROM (SELECT story_id AS old_id, min(article_id) AS next_id FROM articles
      WHERE story_id IN (SELECT article_id FROM unreferenced) GROUP BY story_id) AS renamed
WHERE articles.story_id = renamed.old_id;

DROP TABLE unreferenced;
