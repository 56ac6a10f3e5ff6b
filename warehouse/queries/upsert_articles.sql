-- Upsert staged_articles; a page seen twice in one batch keeps its latest fetch, and an older capture (a WARC
-- backfill, a re-extract racing a fresh fetch) never replaces a newer one.
-- story_id is kept: a story cluster, once given, does not change under analysts' feet.
INSERT INTO articles BY NAME
SELECT *, $run_id AS run_id, $now::TIMESTAMPTZ AS loaded_at
FROM staged_articles
QUALIFY row_number() OVER (PARTITION BY article_id ORDER BY fetched_at DESC) = 1
ON CONFLICT (article_id) DO UPDATE SET
    host = excluded.host, feed = excluded.feed, title = excluded.title, byline = excluded.byline,
    authors = excluded.authors, published_at = excluded.published_at, published_source = excluded.published_source,
    modified_at = excluded.modified_at, modified_source = excluded.modified_source, date_flags = excluded.date_flags,
    date_candidates = excluded.date_candidates, fetched_at = excluded.fetched_at, sitename = excluded.sitename,
    language = excluded.language, text = excluded.text, word_count = excluded.word_count,
    content_hash = excluded.content_hash, text_hash = excluded.text_hash, source = excluded.source,
    extractor = excluded.extractor, image = excluded.image, categories = excluded.categories, tags = excluded.tags,
    block_kinds = excluded.block_kinds, paywalled = excluded.paywalled,
    boilerplate_blocks = excluded.boilerplate_blocks, template_blocks = excluded.template_blocks,
    block_hashes = excluded.block_hashes, minhash = excluded.minhash,
    run_id = excluded.run_id, loaded_at = excluded.loaded_at
WHERE excluded.fetched_at >= articles.fetched_at;
