-- entity_trends: one row per canonical entity, period grain ('day' or 'week') and period in which the entity
-- was mentioned or had been mentioned the period before.
--   entity_id, name, label  the canonical entity (entities)
--   period        'day' or 'week' (ISO weeks, Monday to Sunday)
--   period_start  the day, or the Monday of the week (UTC; an article's date is published_at, else fetched_at)
--   articles      distinct articles mentioning the entity in the period (0: mentioned only the period before)
--   previous      the same count for the period just before (0 when not mentioned then)
--   change        articles - previous
--   change_ratio  change / previous; NULL when previous is 0 (new this period)
--   latest        the period is the newest of its grain in the warehouse (it may still be in progress)
-- Top entities this week against last week:
--   SELECT name, articles, previous, change FROM entity_trends WHERE period = 'week' AND latest
--   ORDER BY change DESC LIMIT 20;
--
-- The previous period is the calendar one before, not the last one with mentions (which lag() would give): each
-- count is added once to its own period and once, as `previous`, to the next period. That also gives the
-- entities that fell out of the news a row (articles 0) in the period after their last mention.
CREATE OR REPLACE VIEW entity_trends AS
WITH mentioned AS (
    SELECT DISTINCT
        m.entity_id,
        m.article_id,
        (coalesce(a.published_at, a.fetched_at) AT TIME ZONE 'UTC')::DATE AS day
    FROM mentions AS m
    JOIN articles AS a USING (article_id)
    WHERE m.entity_id IN (SELECT entity_id FROM entities)  -- dates and amounts are mentions, not entities
),
counts AS (
    SELECT entity_id, 'day' AS period, day AS period_start, 1 AS step, count(DISTINCT article_id) AS articles
    FROM mentioned
    GROUP BY ALL
    UNION ALL
    SELECT entity_id, 'week', date_trunc('week', day)::DATE, 7, count(DISTINCT article_id)
    FROM mentioned
    GROUP BY ALL
),
shifted AS (
    SELECT entity_id, period, period_start, articles, 0 AS previous FROM counts
    UNION ALL
    SELECT entity_id, period, period_start + step, 0, articles FROM counts
),
trends AS (
    SELECT entity_id, period, period_start, sum(articles)::BIGINT AS articles, sum(previous)::BIGINT AS previous
    FROM shifted
    GROUP BY ALL
),
newest AS (
    SELECT period, max(period_start) AS period_start FROM counts GROUP BY ALL
)
SELECT
    t.entity_id,
    e.name,
    e.label,
    t.period,
    t.period_start,
    t.articles,
    t.previous,
    t.articles - t.previous AS change,
    (t.articles - t.previous) / nullif(t.previous, 0) AS change_ratio,
    t.period_start = n.period_start AS latest
FROM trends AS t
JOIN entities AS e USING (entity_id)
JOIN newest AS n ON n.period = t.period AND t.period_start <= n.period_start;

COMMENT ON VIEW entity_trends IS 'Articles mentioning each canonical entity per day and per week, and the change';
