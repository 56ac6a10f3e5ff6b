-- Entries not seen before (staged_entries); a link repeated within one batch keeps its newest item.
INSERT INTO entries BY NAME
SELECT *, $now::TIMESTAMPTZ AS first_seen_at, $run_id AS run_id FROM staged_entries
QUALIFY row_number() OVER (PARTITION BY feed, url_id ORDER BY published_at DESC NULLS LAST, guid) = 1
ON CONFLICT DO NOTHING;
