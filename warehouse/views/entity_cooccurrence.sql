-- entity_cooccurrence: one row per pair of canonical entities mentioned in the same article, each pair once
-- (entity_a < entity_b by entity_id: look a name up on both sides).
--   entity_a, name_a, label_a   one entity
--   entity_b, name_b, label_b   the other
--   articles     distinct articles mentioning both
--   first_seen   the earliest of those articles (published_at, else fetched_at)
--   last_seen    the latest of them
CREATE OR REPLACE VIEW entity_cooccurrence AS
WITH mentioned AS (
    SELECT DISTINCT m.article_id, m.entity_id, coalesce(a.published_at, a.fetched_at) AS seen_at
    FROM mentions AS m
    JOIN articles AS a USING (article_id)
    WHERE m.entity_id IN (SELECT entity_id FROM entities)  -- dates and amounts are mentions, not entities
)
SELECT
    x.entity_id AS entity_a,
    ea.name AS name_a,
    ea.label AS label_a,
    y.entity_id AS entity_b,
    eb.name AS name_b,
    eb.label AS label_b,
    count(*) AS articles,
    min(x.seen_at) AS first_seen,
    max(x.seen_at) AS last_seen
FROM mentioned AS x
JOIN mentioned AS y ON y.article_id = x.article_id AND x.entity_id < y.entity_id
JOIN entities AS ea ON ea.entity_id = x.entity_id
JOIN entities AS eb ON eb.entity_id = y.entity_id
GROUP BY ALL;

COMMENT ON VIEW entity_cooccurrence IS 'Pairs of canonical entities named in the same articles: how often and when';
