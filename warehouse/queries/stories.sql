-- query: Stories told by more than one outlet: syndicated copies grouped, with who ran them
-- param min_outlets INTEGER = 2: outlets a story needs to be listed
-- param limit INTEGER = 50: rows to show
-- An outlet is the feed list's site name, or the article's host where the feed names none.
SELECT a.story_id, arg_min(a.title, a.fetched_at) AS title, count(*) AS copies,
       list(DISTINCT coalesce(f.site, a.host) ORDER BY coalesce(f.site, a.host)) AS outlets,
       min(coalesce(a.published_at, a.fetched_at)) AS first_seen
FROM articles AS a
LEFT JOIN feeds AS f USING (feed)
WHERE a.story_id IS NOT NULL  -- articles from before story clusters, until a load gives them theirs
GROUP BY a.story_id
HAVING count(DISTINCT coalesce(f.site, a.host)) >= $min_outlets
ORDER BY copies DESC, first_seen DESC
LIMIT $limit;
