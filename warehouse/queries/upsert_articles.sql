-- Upsert staged_articles; a page seen twice in one batch keeps its latest fetch.
INSERT INTO articles BY NAME
SELECT *, $run_id AS run_id, $now::TIMESTAMPTZ AS loaded_at
FROM staged_articles
QUALIFY row_number() OVER (PARTITION BY article_id ORDER BY fetched_at DESC) = 1
ON CONFLICT (article_id) DO UPDATE SET
    feed = excluded.feed, title = excluded.title, author = excluded.author,
    published_at = excluded.published_at, fetched_at = excluded.fetched_at, sitename = excluded.sitename,
    language = excluded.language, text = excluded.text, word_count = excluded.word_count,
    content_hash = excluded.content_hash, text_hash = excluded.text_hash, source = excluded.source, extractor = excluded.extractor,
    boilerplate_blocks = excluded.boilerplate_blocks, run_id = excluded.run_id, loaded_at = excluded.loaded_at;
