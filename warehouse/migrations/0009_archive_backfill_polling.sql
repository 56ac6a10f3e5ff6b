-- The raw page archive (WARC files referenced from pages), resumable backfills, and per-feed learned polling.
-- (DuckDB cannot add a column with a constraint: NOT NULL is kept by the loaders.)

ALTER TABLE pages ADD COLUMN warc_file VARCHAR;
ALTER TABLE pages ADD COLUMN warc_offset BIGINT;
ALTER TABLE pages ADD COLUMN warc_length BIGINT;
ALTER TABLE pages ADD COLUMN cleaned_at TIMESTAMPTZ;
COMMENT ON COLUMN pages.warc_file IS 'WARC file holding the raw body as fetched: relative to the archive folder, or absolute for a backfilled WARC';
COMMENT ON COLUMN pages.warc_offset IS 'Byte offset of the record (one gzip member) in warc_file';
COMMENT ON COLUMN pages.warc_length IS 'Bytes of the record in warc_file';
COMMENT ON COLUMN pages.cleaned_at IS 'When this outcome was last worked out (fetch or re-extract), UTC';

ALTER TABLE feeds ADD COLUMN poll_interval DOUBLE;
COMMENT ON COLUMN feeds.poll_interval IS 'Seconds between polls learned from the feed''s publishing rate (tasks/polling.py); NULL before the first poll';

CREATE TABLE backfills (
    backfill_id     VARCHAR PRIMARY KEY,
    mode            VARCHAR NOT NULL,
    params          JSON NOT NULL,
    started_at      TIMESTAMPTZ NOT NULL,
    finished_at     TIMESTAMPTZ,
    runs            INTEGER NOT NULL,
    last_run_id     VARCHAR NOT NULL
);
COMMENT ON TABLE backfills IS 'Each distinct backfill (mode and parameters): re-running one resumes it where it stopped';
COMMENT ON COLUMN backfills.backfill_id IS 'Digest of the mode, the parameters and the cleaner or enrichment version';
COMMENT ON COLUMN backfills.mode IS 'fetch | re-extract | re-enrich | sitemap | warc';
COMMENT ON COLUMN backfills.params IS 'Date range, feeds, sites, files as given';
COMMENT ON COLUMN backfills.started_at IS 'First start (UTC): work done since then counts as done when it resumes';
COMMENT ON COLUMN backfills.finished_at IS 'When a run of it last finished everything (UTC); NULL while unfinished';
COMMENT ON COLUMN backfills.runs IS 'Runs that worked on it';
COMMENT ON COLUMN backfills.last_run_id IS 'runs.run_id of the latest run';
