-- articles_per_source_day: one row per site, feed and day.
--   host      the site (articles.host: the canonical URL's host without "www.")
--   feed      the feed the articles came through; a site with several feeds has a row for each
--   day       the UTC date of published_at, or of fetched_at for articles that state no date
--   articles  articles loaded
--   stories   distinct story clusters among them: syndicated copies count once
--   words     total word count
-- Days are taken AT TIME ZONE 'UTC' so that a session in another time zone sees the same days.
CREATE OR REPLACE VIEW articles_per_source_day AS
SELECT
    host,
    feed,
    (coalesce(published_at, fetched_at) AT TIME ZONE 'UTC')::DATE AS day,
    count(*) AS articles,
    count(DISTINCT story_id) AS stories,
    sum(word_count) AS words
FROM articles
GROUP BY ALL;

COMMENT ON VIEW articles_per_source_day IS 'Articles, stories and words per site, feed and day (UTC)';
