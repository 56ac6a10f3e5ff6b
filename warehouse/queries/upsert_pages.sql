-- Upsert staged_pages; every new outcome for a known link counts one more attempt.
INSERT INTO pages BY NAME
SELECT *, 1 AS attempts, $run_id AS run_id
FROM staged_pages
QUALIFY row_number() OVER (PARTITION BY url_id ORDER BY fetched_at DESC) = 1
ON CONFLICT (url_id) DO UPDATE SET
    final_url = excluded.final_url, outcome = excluded.outcome, reason = excluded.reason,
    transient = excluded.transient, attempts = pages.attempts + 1, http_status = excluded.http_status,
    content_type = excluded.content_type, article_id = excluded.article_id,
    fetched_at = excluded.fetched_at, run_id = excluded.run_id;
