-- Values for the articles loaded before 0004. A separate migration: DuckDB cannot alter a table and update
-- its rows in one transaction.
UPDATE articles SET
    host = coalesce(host, regexp_extract(lower(url), '^[a-z]+://(www\.)?([^/:?#]+)', 2)),
    paywalled = coalesce(paywalled, false),
    template_blocks = coalesce(template_blocks, 0)
WHERE host IS NULL OR paywalled IS NULL OR template_blocks IS NULL;
