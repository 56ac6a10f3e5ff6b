-- wirehouse warehouse, first schema. Keys come from wirehouse.tasks.identity (url_id, content_hash).

CREATE TABLE feeds (
    feed            VARCHAR PRIMARY KEY,          -- name from the feed list
    url             VARCHAR NOT NULL,
    site            VARCHAR,
    language        VARCHAR,
    full_content    BOOLEAN NOT NULL DEFAULT false,
    added_at        TIMESTAMPTZ NOT NULL,
    -- conditional GET state, updated by every successful poll
    etag            VARCHAR,
    last_modified   VARCHAR,
    body_hash       VARCHAR,
    -- health
    last_polled_at  TIMESTAMPTZ,
    last_success_at TIMESTAMPTZ,
    last_status     VARCHAR,                      -- new | not_modified | unchanged | failed
    last_http_status INTEGER,
    last_error      VARCHAR,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    entries_seen    BIGINT NOT NULL DEFAULT 0
);
COMMENT ON TABLE feeds IS 'One row per feed of the feed list, with its polling state and health';

CREATE TABLE entries (
    feed            VARCHAR NOT NULL,
    url_id          VARCHAR NOT NULL,             -- url_id(url)
    url             VARCHAR NOT NULL,
    guid            VARCHAR,
    title           VARCHAR,
    author          VARCHAR,
    published_at    TIMESTAMPTZ,
    summary         VARCHAR,
    content_html    VARCHAR,                      -- the feed's full content, kept only for full_content feeds
    first_seen_at   TIMESTAMPTZ NOT NULL,
    run_id          VARCHAR NOT NULL,
    PRIMARY KEY (feed, url_id)
);
COMMENT ON TABLE entries IS 'Feed items as first seen; one row per feed and link';

CREATE TABLE pages (
    url_id          VARCHAR PRIMARY KEY,
    url             VARCHAR NOT NULL,
    feed            VARCHAR NOT NULL,             -- the feed whose entry led here first
    final_url       VARCHAR,
    outcome         VARCHAR NOT NULL,             -- article | rejected | failed
    reason          VARCHAR,                      -- why rejected or failed
    transient       BOOLEAN NOT NULL DEFAULT false, -- a failure that a later run retries
    attempts        INTEGER NOT NULL DEFAULT 1,
    http_status     INTEGER,
    content_type    VARCHAR,
    article_id      VARCHAR,                      -- articles.article_id when outcome = 'article'
    fetched_at      TIMESTAMPTZ NOT NULL,
    run_id          VARCHAR NOT NULL
);
COMMENT ON TABLE pages IS 'What became of every entry link: an article, a rejection with its reason, or a failure';

CREATE TABLE articles (
    article_id      VARCHAR PRIMARY KEY,          -- url_id(canonical url)
    url             VARCHAR NOT NULL UNIQUE,      -- canonical URL
    feed            VARCHAR NOT NULL,
    title           VARCHAR,
    author          VARCHAR,
    published_at    TIMESTAMPTZ,
    fetched_at      TIMESTAMPTZ NOT NULL,
    sitename        VARCHAR,
    language        VARCHAR,
    text            VARCHAR NOT NULL,             -- paragraphs separated by blank lines
    word_count      INTEGER NOT NULL,
    content_hash    VARCHAR NOT NULL,             -- content_hash(text): equal up to case and spacing, for duplicates
    text_hash       VARCHAR NOT NULL,             -- text_hash(text): the exact text mention offsets point into
    source          VARCHAR NOT NULL,             -- page | feed: where the text came from
    extractor       VARCHAR NOT NULL,
    boilerplate_blocks INTEGER NOT NULL DEFAULT 0,
    run_id          VARCHAR NOT NULL,
    loaded_at       TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE articles IS 'Clean articles, one per canonical URL';

CREATE TABLE enrichments (
    article_id      VARCHAR PRIMARY KEY,
    version         VARCHAR NOT NULL,             -- model, model version and wirehouse version
    text_hash       VARCHAR NOT NULL,             -- the exact text it was computed on: a changed text re-enriches
    mentions        INTEGER NOT NULL,
    enriched_at     TIMESTAMPTZ NOT NULL,
    run_id          VARCHAR NOT NULL
);
COMMENT ON TABLE enrichments IS 'Which articles were enriched, with which version, on which text';

CREATE TABLE mentions (
    article_id      VARCHAR NOT NULL,
    start_char      INTEGER NOT NULL,             -- offsets into articles.text
    end_char        INTEGER NOT NULL,
    text            VARCHAR NOT NULL,
    label           VARCHAR NOT NULL,             -- spaCy label: PERSON, GPE, ORG, ...
    version         VARCHAR NOT NULL,
    run_id          VARCHAR NOT NULL
);
COMMENT ON TABLE mentions IS 'Named-entity mentions; replaced per article when it is enriched again';

CREATE TABLE runs (
    run_id          VARCHAR PRIMARY KEY,
    flow            VARCHAR NOT NULL,             -- ingest | enrich
    started_at      TIMESTAMPTZ NOT NULL,
    finished_at     TIMESTAMPTZ,
    status          VARCHAR NOT NULL,             -- running | completed | failed
    stats           JSON,
    error           VARCHAR
);
COMMENT ON TABLE runs IS 'Every pipeline run, with its counters';
