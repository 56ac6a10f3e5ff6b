-- Which definitions of the analyst views (warehouse/views/*.sql) the warehouse holds, so connecting reinstalls
-- them only after an upgrade changed them.
CREATE TABLE schema_views (
    digest          VARCHAR NOT NULL,
    installed_at    TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE schema_views IS 'Digest of the installed analyst views; one row, replaced when the view files change';
COMMENT ON COLUMN schema_views.digest IS 'SHA-256 of every warehouse/views/*.sql file, in order';
COMMENT ON COLUMN schema_views.installed_at IS 'When the views were last installed (UTC)';
