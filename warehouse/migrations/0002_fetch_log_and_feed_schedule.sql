-- Every fetch attempt and every poll on record; feeds scheduled with backoff; 304s trusted only once verified.
-- (DuckDB cannot add a column with a constraint: defaults here, NOT NULL is kept by the loaders.)

ALTER TABLE feeds ADD COLUMN next_poll_at TIMESTAMPTZ;        -- not polled before; NULL: at the next run
ALTER TABLE feeds ADD COLUMN first_failure_at TIMESTAMPTZ;    -- start of the current failure streak
ALTER TABLE feeds ADD COLUMN gone_at TIMESTAMPTZ;             -- 410 Gone, or failing for days: no longer polled
ALTER TABLE feeds ADD COLUMN gone_reason VARCHAR;
ALTER TABLE feeds ADD COLUMN trust_not_modified BOOLEAN;      -- NULL: unverified; false: its 304s hid a change
ALTER TABLE feeds ADD COLUMN polls_since_verify INTEGER DEFAULT 0;  -- conditional polls since the last full GET

ALTER TABLE entries ADD COLUMN notes VARCHAR[];               -- decisions taken on the item: relative_link, ...

CREATE TABLE feed_polls (
    feed            VARCHAR NOT NULL,
    polled_at       TIMESTAMPTZ NOT NULL,
    run_id          VARCHAR NOT NULL,
    status          VARCHAR NOT NULL,             -- new | not_modified | unchanged | failed
    http_status     INTEGER,
    conditional     BOOLEAN NOT NULL,             -- sent If-None-Match / If-Modified-Since
    entries         INTEGER NOT NULL,             -- items with a usable link
    new_entries     INTEGER NOT NULL,
    skipped_no_link INTEGER NOT NULL,             -- items with no link at all
    duplicate_links INTEGER NOT NULL,             -- items repeating a link (or GUID) already in this feed body
    undated         INTEGER NOT NULL,             -- items with no parseable date
    error           VARCHAR
);
COMMENT ON TABLE feed_polls IS 'One row per feed poll: what the feed said and what was made of its items';

CREATE TABLE fetches (
    url             VARCHAR NOT NULL,
    final_url       VARCHAR,
    host            VARCHAR,
    kind            VARCHAR NOT NULL,             -- feed | page
    access_status   VARCHAR NOT NULL,             -- ok | not_modified | paywalled | bot_challenge | forbidden |
                                                  -- rate_limited | robots_disallowed | not_html | too_large |
                                                  -- timeout | blocked_address | error
    http_status     INTEGER,
    error           VARCHAR,                      -- the error class when not ok: http_404, connect_error, ...
    bytes           BIGINT,
    elapsed_ms      INTEGER,
    tries           INTEGER NOT NULL,             -- HTTP attempts within this fetch (retries, Retry-After)
    fetched_at      TIMESTAMPTZ NOT NULL,
    run_id          VARCHAR NOT NULL
);
COMMENT ON TABLE fetches IS 'Every fetch of a feed or page: why an article is missing, per site, in SQL';
