-- story_clusters: one row per story (near-duplicate cluster, articles.story_id), single copies included.
--   story_id         the article_id of the story's first article
--   copies           articles in the cluster
--   outlets          the distinct sites (hosts) that ran it, sorted
--   outlet_count     how many
--   first_published  the earliest copy (published_at, else fetched_at)
--   last_published   the latest copy
--   title, url       the first article's (the one whose article_id is the story_id)
-- Syndicated wire stories: SELECT * FROM story_clusters WHERE outlet_count > 1 ORDER BY copies DESC;
CREATE OR REPLACE VIEW story_clusters AS
WITH stories AS (
    SELECT
        story_id,
        count(*) AS copies,
        list_sort(list(DISTINCT host)) AS outlets,
        count(DISTINCT host) AS outlet_count,
        min(coalesce(published_at, fetched_at)) AS first_published,
        max(coalesce(published_at, fetched_at)) AS last_published
    FROM articles
    WHERE story_id IS NOT NULL  -- an article from before story clusters, until the next load clusters it
    GROUP BY ALL
)
SELECT s.*, f.title, f.url
FROM stories AS s
LEFT JOIN articles AS f ON f.article_id = s.story_id;

COMMENT ON VIEW story_clusters IS 'Story clusters: copies of one story, the outlets that ran it, its first article';
