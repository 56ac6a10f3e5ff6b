-- Replace everything enrichment wrote for the staged articles (run inside one transaction).
DELETE FROM mentions WHERE article_id IN (SELECT article_id FROM staged_enriched);
DELETE FROM sentences WHERE article_id IN (SELECT article_id FROM staged_enriched);
DELETE FROM quotes WHERE article_id IN (SELECT article_id FROM staged_enriched);

INSERT INTO entities BY NAME
SELECT * FROM staged_entities
QUALIFY row_number() OVER (PARTITION BY entity_id ORDER BY name) = 1
ON CONFLICT (entity_id) DO NOTHING;

INSERT INTO sentences BY NAME
SELECT *, $version AS version, $run_id AS run_id FROM staged_sentences;

INSERT INTO mentions BY NAME
SELECT *, $version AS version, $run_id AS run_id FROM staged_mentions;

INSERT INTO quotes BY NAME
SELECT *, $version AS version, $run_id AS run_id FROM staged_quotes;

INSERT INTO enrichments BY NAME
SELECT *, $version AS version, $now::TIMESTAMPTZ AS enriched_at, $run_id AS run_id FROM staged_enriched
ON CONFLICT (article_id) DO UPDATE SET
    version = excluded.version, text_hash = excluded.text_hash, mentions = excluded.mentions,
    language = excluded.language, keyphrases = excluded.keyphrases, sentiment = excluded.sentiment,
    summary = excluded.summary, word_count = excluded.word_count, reading_minutes = excluded.reading_minutes,
    skipped = excluded.skipped, enriched_at = excluded.enriched_at, run_id = excluded.run_id;
