-- Upsert staged_pages; every new outcome for a known link counts one more attempt. A re-extract from the archive
-- keeps the archive reference it was read from; an outcome without a body (a failure) keeps the last one kept.
INSERT INTO pages BY NAME
SELECT *, 1 AS attempts, $run_id AS run_id, $now::TIMESTAMPTZ AS cleaned_at
FROM staged_pages
QUALIFY row_number() OVER (PARTITION BY url_id ORDER BY fetched_at DESC) = 1
ON CONFLICT (url_id) DO UPDATE SET
    final_url = excluded.final_url, outcome = excluded.outcome, reason = excluded.reason,
    transient = excluded.transient, attempts = pages.attempts + 1, http_status = excluded.http_status,
    content_type = excluded.content_type, article_id = excluded.article_id,
    fetched_at = excluded.fetched_at, run_id = excluded.run_id, cleaned_at = excluded.cleaned_at,
    warc_file = coalesce(excluded.warc_file, pages.warc_file),
    warc_offset = CASE WHEN excluded.warc_file IS NULL THEN pages.warc_offset ELSE excluded.warc_offset END,
    warc_length = CASE WHEN excluded.warc_file IS NULL THEN pages.warc_length ELSE excluded.warc_length END;
