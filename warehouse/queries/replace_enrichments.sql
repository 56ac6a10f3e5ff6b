-- Replace everything enrichment wrote for the staged articles (run inside one transaction). An article whose
-- text changed since it was read (re-extracted meanwhile) is left alone: its offsets would point into the old
-- text, and the next run enriches the new one.
CREATE OR REPLACE TEMP TABLE current_batch AS
SELECT s.article_id FROM staged_enriched AS s JOIN articles AS a USING (article_id) WHERE a.text_hash = s.text_hash;

DELETE FROM mentions WHERE article_id IN (SELECT article_id FROM current_batch);
DELETE FROM sentences WHERE article_id IN (SELECT article_id FROM current_batch);
DELETE FROM quotes WHERE article_id IN (SELECT article_id FROM current_batch);

-- The newest word on an entity wins: an alias or gazetteer fix corrects its name, label and country.
INSERT INTO entities BY NAME
SELECT * FROM staged_entities
QUALIFY row_number() OVER (PARTITION BY entity_id ORDER BY name, label, country_code NULLS LAST) = 1
ON CONFLICT (entity_id) DO UPDATE SET
    name = excluded.name, label = excluded.label,
    country_code = coalesce(excluded.country_code, entities.country_code);

INSERT INTO sentences BY NAME
SELECT *, $version AS version, $run_id AS run_id FROM staged_sentences
WHERE article_id IN (SELECT article_id FROM current_batch);

INSERT INTO mentions BY NAME
SELECT *, $version AS version, $run_id AS run_id FROM staged_mentions
WHERE article_id IN (SELECT article_id FROM current_batch);

INSERT INTO quotes BY NAME
SELECT *, $version AS version, $run_id AS run_id FROM staged_quotes
WHERE article_id IN (SELECT article_id FROM current_batch);

INSERT INTO enrichments BY NAME
SELECT *, $version AS version, $now::TIMESTAMPTZ AS enriched_at, $run_id AS run_id FROM staged_enriched
WHERE article_id IN (SELECT article_id FROM current_batch)
ON CONFLICT (article_id) DO UPDATE SET
    version = excluded.version, text_hash = excluded.text_hash, mentions = excluded.mentions,
    language = excluded.language, keyphrases = excluded.keyphrases, sentiment = excluded.sentiment,
    summary = excluded.summary, word_count = excluded.word_count, reading_minutes = excluded.reading_minutes,
    skipped = excluded.skipped, enriched_at = excluded.enriched_at, run_id = excluded.run_id;

DROP TABLE current_batch;
