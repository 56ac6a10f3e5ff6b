-- Full-text search: the BM25 index itself is DuckDB fts's schema fts_main_articles; this records what it covers.
CREATE TABLE search_index (
    built_at        TIMESTAMPTZ NOT NULL,
    articles        BIGINT NOT NULL,
    covers_until    TIMESTAMPTZ                    -- the newest articles.loaded_at in the index
);
COMMENT ON TABLE search_index IS 'When the full-text index over articles was last built; one row, replaced by each build';
COMMENT ON COLUMN search_index.built_at IS 'When the index was built (UTC)';
COMMENT ON COLUMN search_index.articles IS 'Articles in the index';
COMMENT ON COLUMN search_index.covers_until IS 'Newest articles.loaded_at indexed: later loads are searched by substring until the next build';
