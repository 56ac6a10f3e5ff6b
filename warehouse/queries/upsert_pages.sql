-- Upsert staged_pages. A new fetch counts one more attempt ($new_attempt: not for bodies read back from the
-- archive or a WARC file); an older capture never replaces a newer outcome. The archive reference is the
-- outcome's own: an outcome without a body points at none.
INSERT INTO pages BY NAME
SELECT *, 1 AS attempts, $run_id AS run_id, $now::TIMESTAMPTZ AS cleaned_at
FROM staged_pages
QUALIFY row_number() OVER (PARTITION BY url_id ORDER BY fetched_at DESC) = 1
ON CONFLICT (url_id) DO UPDATE SET
    final_url = excluded.final_url, outcome = excluded.outcome, reason = excluded.reason,
    transient = excluded.transient, attempts = pages.attempts + CASE WHEN $new_attempt THEN 1 ELSE 0 END,
    http_status = excluded.http_status, content_type = excluded.content_type, article_id = excluded.article_id,
    fetched_at = excluded.fetched_at, run_id = excluded.run_id, cleaned_at = excluded.cleaned_at,
    warc_file = excluded.warc_file, warc_offset = excluded.warc_offset, warc_length = excluded.warc_length
WHERE excluded.fetched_at >= pages.fetched_at;
