-- quoted_speakers: one row per named speaker, and one each for all anonymous and all unknown speakers.
--   speaker       the canonical name (entities.name, else quotes.speaker_canonical, else the speaker as written);
--                 NULL for the anonymous ("a senior official") and unknown ("he") rows
--   speaker_entity_id  entities.entity_id of a named speaker, when the speaker resolved to one
--   speaker_kind  named | anonymous | unknown
--   quotes        quotations attributed
--   articles      distinct articles quoting them
--   first_quoted, last_quoted  the earliest and latest of those articles (published_at, else fetched_at)
--   quoted_about  the five entities (names) mentioned in the most of those articles, the speaker left out
-- quoted_about is taken over whole articles rather than the quoted sentences: a quote rarely names an entity
-- itself, while the article it stands in says what it is about.
CREATE OR REPLACE VIEW quoted_speakers AS
WITH quoted AS (
    SELECT
        q.article_id,
        CASE WHEN q.speaker_kind = 'named' THEN coalesce(e.name, q.speaker_canonical, q.speaker) END AS speaker,
        CASE WHEN q.speaker_kind = 'named' THEN q.speaker_entity_id END AS speaker_entity_id,
        q.speaker_kind,
        coalesce(a.published_at, a.fetched_at) AS seen_at
    FROM quotes AS q
    JOIN articles AS a USING (article_id)
    LEFT JOIN entities AS e ON e.entity_id = q.speaker_entity_id
),
speakers AS (
    SELECT
        speaker,
        speaker_entity_id,
        speaker_kind,
        count(*) AS quotes,
        count(DISTINCT article_id) AS articles,
        min(seen_at) AS first_quoted,
        max(seen_at) AS last_quoted
    FROM quoted
    GROUP BY ALL
),
about AS (
    SELECT q.speaker, q.speaker_entity_id, q.speaker_kind, e.name, count(DISTINCT q.article_id) AS articles
    FROM (SELECT DISTINCT speaker, speaker_entity_id, speaker_kind, article_id FROM quoted) AS q
    JOIN (SELECT DISTINCT article_id, entity_id FROM mentions) AS m USING (article_id)
    JOIN entities AS e ON e.entity_id = m.entity_id
    WHERE e.entity_id IS DISTINCT FROM q.speaker_entity_id AND e.name IS DISTINCT FROM q.speaker
    GROUP BY ALL
),
top_about AS (
    SELECT speaker, speaker_entity_id, speaker_kind, list(name ORDER BY articles DESC, name)[1:5] AS quoted_about
    FROM about
    GROUP BY ALL
)
SELECT s.*, t.quoted_about
FROM speakers AS s
LEFT JOIN top_about AS t
    ON t.speaker IS NOT DISTINCT FROM s.speaker
    AND t.speaker_entity_id IS NOT DISTINCT FROM s.speaker_entity_id
    AND t.speaker_kind = s.speaker_kind;

COMMENT ON VIEW quoted_speakers IS 'Who is quoted, how often, in how many articles, and about what';
