-- Cleaning quality: dates and authors with provenance, page structure, learned site templates, story clusters.

ALTER TABLE articles RENAME COLUMN author TO byline;
COMMENT ON COLUMN articles.byline IS 'The byline as the page (or its feed) prints it';
ALTER TABLE articles ADD COLUMN authors VARCHAR[];
COMMENT ON COLUMN articles.authors IS 'The people the byline names, cleaned: no publisher, dates or "Email the author"';
ALTER TABLE articles ADD COLUMN published_source VARCHAR;
COMMENT ON COLUMN articles.published_source IS 'Where published_at came from: jsonld, meta:<name>, time, feed, url, htmldate';
ALTER TABLE articles ADD COLUMN modified_at TIMESTAMPTZ;
ALTER TABLE articles ADD COLUMN modified_source VARCHAR;
ALTER TABLE articles ADD COLUMN date_flags VARCHAR[];
COMMENT ON COLUMN articles.date_flags IS 'Doubts about the dates: future, conflict, modified_before_published, no_date';
ALTER TABLE articles ADD COLUMN date_candidates STRUCT(kind VARCHAR, source VARCHAR, value TIMESTAMPTZ, has_time BOOLEAN, raw VARCHAR)[];
COMMENT ON COLUMN articles.date_candidates IS 'Every date the page and its feed state, with its source';
ALTER TABLE articles ADD COLUMN host VARCHAR;
COMMENT ON COLUMN articles.host IS 'Host of the canonical URL without www.: the site, for templates and per-site figures';
ALTER TABLE articles ADD COLUMN image VARCHAR;
ALTER TABLE articles ADD COLUMN categories VARCHAR[];
ALTER TABLE articles ADD COLUMN tags VARCHAR[];
ALTER TABLE articles ADD COLUMN block_kinds VARCHAR[];
COMMENT ON COLUMN articles.block_kinds IS 'One per paragraph of text (split on blank lines): p, heading, quote, item, table, code';
ALTER TABLE articles ADD COLUMN paywalled BOOLEAN;
COMMENT ON COLUMN articles.paywalled IS 'The text is what a paywall let through: likely truncated';
ALTER TABLE articles ADD COLUMN template_blocks INTEGER;
COMMENT ON COLUMN articles.template_blocks IS 'Blocks removed as the site''s learned template';
ALTER TABLE articles ADD COLUMN block_hashes BIGINT[];
COMMENT ON COLUMN articles.block_hashes IS 'Hashes of the short blocks before template removal: what site templates are learned from';
ALTER TABLE articles ADD COLUMN minhash BIGINT[];
COMMENT ON COLUMN articles.minhash IS 'MinHash signature of the text (word 5-shingles), for near-duplicates';
ALTER TABLE articles ADD COLUMN story_id VARCHAR;
COMMENT ON COLUMN articles.story_id IS 'Story cluster: the article_id of the first article of this story; copies share it';

CREATE TABLE site_templates (
    host            VARCHAR NOT NULL,
    block_hash      BIGINT NOT NULL,
    pages           INTEGER NOT NULL,              -- recent pages of the site that hold the block
    site_pages      INTEGER NOT NULL,              -- recent pages of the site
    sample          VARCHAR,                       -- the block's text, for people to see what is removed
    learned_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (host, block_hash)
);
COMMENT ON TABLE site_templates IS 'Blocks recurring across a site''s pages: removed from its new pages as template';

CREATE TABLE story_buckets (
    article_id      VARCHAR NOT NULL,
    band            SMALLINT NOT NULL,
    bucket          BIGINT NOT NULL,               -- hash of one band of the MinHash signature
    PRIMARY KEY (article_id, band)
);
COMMENT ON TABLE story_buckets IS 'MinHash LSH buckets: articles sharing a bucket are near-duplicate candidates';
