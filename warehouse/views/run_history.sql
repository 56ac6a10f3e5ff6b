-- run_history: one row per pipeline run (runs), its main counters pulled out of the stats JSON.
--   run_id, flow (ingest | enrich), status (running | completed | failed), started_at, finished_at, error
--   duration_s       seconds from start to finish; NULL while running (or if the run died without finishing)
--   feeds_polled, entries_new, pages_article, pages_rejected, pages_failed   ingest counters
--   articles_enriched, mentions, quotes, articles_failed                    enrich counters
--   stats            every counter, as recorded
-- A counter the run did not record is NULL: a flow's counters are only those it ever added to.
CREATE OR REPLACE VIEW run_history AS
SELECT
    run_id,
    flow,
    status,
    started_at,
    finished_at,
    epoch(finished_at - started_at) AS duration_s,
    json_extract(stats, '$.feeds_polled')::BIGINT AS feeds_polled,
    json_extract(stats, '$.entries_new')::BIGINT AS entries_new,
    json_extract(stats, '$.pages_article')::BIGINT AS pages_article,
    json_extract(stats, '$.pages_rejected')::BIGINT AS pages_rejected,
    json_extract(stats, '$.pages_failed')::BIGINT AS pages_failed,
    json_extract(stats, '$.articles_enriched')::BIGINT AS articles_enriched,
    json_extract(stats, '$.mentions')::BIGINT AS mentions,
    json_extract(stats, '$.quotes')::BIGINT AS quotes,
    json_extract(stats, '$.articles_failed')::BIGINT AS articles_failed,
    error,
    stats
FROM runs;

COMMENT ON VIEW run_history IS 'Pipeline runs with their duration and main counters';
