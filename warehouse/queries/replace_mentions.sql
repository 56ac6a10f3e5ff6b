-- Replace the mentions of the staged articles and record their enrichment (run inside one transaction).
DELETE FROM mentions WHERE article_id IN (SELECT article_id FROM staged_enriched);
INSERT INTO mentions BY NAME
SELECT *, $version AS version, $run_id AS run_id FROM staged_mentions;
INSERT INTO enrichments BY NAME
SELECT *, $version AS version, $now::TIMESTAMPTZ AS enriched_at, $run_id AS run_id FROM staged_enriched
ON CONFLICT (article_id) DO UPDATE SET
    version = excluded.version, text_hash = excluded.text_hash, mentions = excluded.mentions,
    enriched_at = excluded.enriched_at, run_id = excluded.run_id;
