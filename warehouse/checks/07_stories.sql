-- check: articles whose story is not an article (story_id names the story's first copy)
SELECT article_id, story_id FROM articles
WHERE story_id IS NOT NULL AND story_id NOT IN (SELECT article_id FROM articles);
