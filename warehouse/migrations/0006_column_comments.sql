-- A COMMENT ON per table and column, for analysts reading DESCRIBE or duckdb_columns(). Comments set by earlier
-- migrations (articles' 0004 columns, schema_migrations aside) are kept. Timestamps are TIMESTAMPTZ, written in UTC.

COMMENT ON TABLE schema_migrations IS 'Migrations applied to this warehouse: one row per warehouse/migrations/NNNN_name.sql file';
COMMENT ON COLUMN schema_migrations.version IS 'The migration''s number: the NNNN of its file name';
COMMENT ON COLUMN schema_migrations.name IS 'The migration''s file name without .sql, e.g. 0001_initial';
COMMENT ON COLUMN schema_migrations.applied_at IS 'When the migration was applied to this file (UTC)';

-- feeds
COMMENT ON COLUMN feeds.feed IS 'Feed name from the feed list (seeds/feeds.yaml); the key other tables use';
COMMENT ON COLUMN feeds.url IS 'URL of the feed (RSS, Atom, RDF or JSON Feed); a new URL resets the feed''s validators and health';
COMMENT ON COLUMN feeds.site IS 'Outlet name the feed list gives; stories list it as the outlet (the article host where NULL)';
COMMENT ON COLUMN feeds.language IS 'Language the feed list declares for the feed, e.g. en; NULL when not given';
COMMENT ON COLUMN feeds.full_content IS 'true: articles are cleaned from the feed''s own content instead of fetching each page';
COMMENT ON COLUMN feeds.added_at IS 'When the feed was first registered from the feed list (UTC)';
COMMENT ON COLUMN feeds.etag IS 'ETag of the last successful response, sent back as If-None-Match on conditional polls';
COMMENT ON COLUMN feeds.last_modified IS 'Last-Modified header of the last successful response, as sent; sent back as If-Modified-Since';
COMMENT ON COLUMN feeds.body_hash IS 'SHA-256 of the last feed body (32 hex chars): an identical body is not parsed again';
COMMENT ON COLUMN feeds.last_polled_at IS 'When the feed was last polled (UTC); NULL: never polled';
COMMENT ON COLUMN feeds.last_success_at IS 'When a poll last did not fail: status new, not_modified or unchanged (UTC)';
COMMENT ON COLUMN feeds.last_status IS 'Outcome of the last poll: new | not_modified | unchanged | failed';
COMMENT ON COLUMN feeds.last_http_status IS 'HTTP status of the last poll''s final response; NULL when no response came';
COMMENT ON COLUMN feeds.last_error IS 'Error of the last poll when it failed: a fetch error class (http_404, timeout, ...), empty_body, not_a_feed: or parse_error:';
COMMENT ON COLUMN feeds.consecutive_failures IS 'Failed polls in a row; 0 after any poll that did not fail. Drives the backoff';
COMMENT ON COLUMN feeds.entries_seen IS 'Entries stored for this feed so far (rows in entries), counted at each poll';
COMMENT ON COLUMN feeds.next_poll_at IS 'Earliest time the feed is polled again (UTC), after backoff; NULL: due at the next run';
COMMENT ON COLUMN feeds.first_failure_at IS 'When the current streak of failed polls began (UTC); NULL while the feed is healthy';
COMMENT ON COLUMN feeds.gone_at IS 'When the feed was retired (UTC): HTTP 410 Gone, or failing for days. NULL: polled as usual';
COMMENT ON COLUMN feeds.gone_reason IS 'Why the feed is gone: ''HTTP 410'' or ''failing since <date> UTC (<error>)''; NULL when not gone';
COMMENT ON COLUMN feeds.trust_not_modified IS 'Whether its 304s are believed: NULL not verified yet, true verified, false a 304 once hid a change (full GETs only)';
COMMENT ON COLUMN feeds.polls_since_verify IS 'Conditional polls since the last full (unconditional) GET that checks the validators; 0 after a full GET';

-- entries
COMMENT ON COLUMN entries.feed IS 'feeds.feed of the feed the item came from';
COMMENT ON COLUMN entries.url_id IS 'url_id(url): SHA-256 of the normalised link, 32 hex chars; pages.url_id';
COMMENT ON COLUMN entries.url IS 'The item''s link as the feed gives it, resolved against the feed URL when relative';
COMMENT ON COLUMN entries.guid IS 'The item''s GUID (RSS guid, Atom id, JSON Feed id) as written; NULL when it has none';
COMMENT ON COLUMN entries.title IS 'The item''s title as the feed gives it';
COMMENT ON COLUMN entries.author IS 'The item''s author as the feed gives it, uncleaned';
COMMENT ON COLUMN entries.published_at IS 'The item''s published (or else updated) date (UTC); NULL when the feed gives no usable date';
COMMENT ON COLUMN entries.summary IS 'The item''s summary or description as the feed gives it (may hold HTML)';
COMMENT ON COLUMN entries.content_html IS 'The item''s full content HTML, kept only for feeds with full_content; else NULL';
COMMENT ON COLUMN entries.first_seen_at IS 'When the item was first stored (UTC); a later poll repeating it changes nothing';
COMMENT ON COLUMN entries.run_id IS 'runs.run_id of the run that first stored the item';
COMMENT ON COLUMN entries.notes IS 'Decisions taken on the item: relative_link (resolved), bad_link, undated';

-- pages
COMMENT ON COLUMN pages.url_id IS 'url_id(url): SHA-256 of the normalised link, 32 hex chars; entries.url_id';
COMMENT ON COLUMN pages.url IS 'The entry link, normalised (no tracking parameters or fragment): the URL fetched';
COMMENT ON COLUMN pages.feed IS 'feeds.feed of the feed whose entry led here first';
COMMENT ON COLUMN pages.final_url IS 'URL after redirects of the last fetch; NULL when the text came from the feed''s content';
COMMENT ON COLUMN pages.outcome IS 'What became of the link: article | rejected (fetched, but no article) | failed (not fetched)';
COMMENT ON COLUMN pages.reason IS 'Why rejected or failed: a class, then '': detail'' (too_short: 120 chars, not_html: application/pdf, http_404); NULL for articles';
COMMENT ON COLUMN pages.transient IS 'true: a failure that later runs retry (timeout, http_5xx, bot_challenge, ...) while attempts remain';
COMMENT ON COLUMN pages.attempts IS 'Outcomes recorded for this link: 1, plus one per retry in a later run';
COMMENT ON COLUMN pages.http_status IS 'HTTP status of the last fetch''s final response; NULL when no response or the text came from the feed';
COMMENT ON COLUMN pages.content_type IS 'Content-Type header of the last fetch''s final response, as sent';
COMMENT ON COLUMN pages.article_id IS 'articles.article_id when outcome = ''article'' (may differ from url_id: canonical URL); else NULL';
COMMENT ON COLUMN pages.fetched_at IS 'When the last attempt was fetched, or cleaned from the feed''s content (UTC)';
COMMENT ON COLUMN pages.run_id IS 'runs.run_id of the run of the last attempt';

-- articles (byline, authors, published_source, date_flags, date_candidates, host, block_kinds, paywalled,
-- template_blocks, block_hashes, minhash and story_id have theirs from 0004)
COMMENT ON COLUMN articles.article_id IS 'url_id(canonical url): SHA-256 of the normalised canonical URL, 32 hex chars';
COMMENT ON COLUMN articles.url IS 'Canonical URL: the page''s declared canonical when on the same host and not its front page, else the URL fetched';
COMMENT ON COLUMN articles.feed IS 'feeds.feed of the feed whose entry led to the last load of the article';
COMMENT ON COLUMN articles.title IS 'The headline as printed on the page (or the page''s or feed''s title when not found in the text)';
COMMENT ON COLUMN articles.published_at IS 'Publication time chosen among the date candidates (UTC); a bare day is midnight UTC; NULL when none';
COMMENT ON COLUMN articles.fetched_at IS 'When the page was fetched, or cleaned from the feed''s content (UTC)';
COMMENT ON COLUMN articles.sitename IS 'Site name as the page declares it (og:site_name, JSON-LD publisher, ...); NULL when none';
COMMENT ON COLUMN articles.language IS 'Language of the text detected by py3langid: ISO 639-1 code, e.g. en, fr';
COMMENT ON COLUMN articles.text IS 'The clean article text: paragraphs separated by blank lines; character offsets of other tables point into it';
COMMENT ON COLUMN articles.word_count IS 'Words in text, split on white space';
COMMENT ON COLUMN articles.content_hash IS 'content_hash(text), 32 hex chars: equal up to case, Unicode form and spacing; for exact duplicates';
COMMENT ON COLUMN articles.text_hash IS 'text_hash(text): SHA-256 of the exact text, 32 hex chars; mention and sentence offsets hold for this hash';
COMMENT ON COLUMN articles.source IS 'Where the text came from: page (fetched) | feed (the feed''s own content)';
COMMENT ON COLUMN articles.extractor IS 'What produced the text, with its version, e.g. trafilatura 2.3.1';
COMMENT ON COLUMN articles.boilerplate_blocks IS 'Blocks the boilerplate rules removed after extraction (share bars, newsletter boxes, ...)';
COMMENT ON COLUMN articles.run_id IS 'runs.run_id of the run that last loaded the article';
COMMENT ON COLUMN articles.loaded_at IS 'When the row was last written (UTC); search indexes articles loaded up to search_index.covers_until';
COMMENT ON COLUMN articles.modified_at IS 'Last modification time the page or feed states (UTC); NULL when none';
COMMENT ON COLUMN articles.modified_source IS 'Where modified_at came from: jsonld, meta:<name>, time, feed, url, htmldate';
COMMENT ON COLUMN articles.image IS 'URL of the article''s lead image as the page declares it (og:image, ...); NULL when none';
COMMENT ON COLUMN articles.categories IS 'Categories (sections) the page''s metadata declares, as written';
COMMENT ON COLUMN articles.tags IS 'Tags (keywords) the page''s metadata declares, as written';

-- enrichments
COMMENT ON COLUMN enrichments.article_id IS 'articles.article_id of the enriched article';
COMMENT ON COLUMN enrichments.version IS 'Enrichment version: spaCy models with versions, then a hash of code and data, e.g. en:en_core_web_sm-3.8.0/1a2b3c4d5e6f';
COMMENT ON COLUMN enrichments.text_hash IS 'articles.text_hash of the text enriched: a changed text is enriched again';
COMMENT ON COLUMN enrichments.mentions IS 'Number of mentions rows for the article';
COMMENT ON COLUMN enrichments.enriched_at IS 'When the article was enriched (UTC)';
COMMENT ON COLUMN enrichments.run_id IS 'runs.run_id of the enrich run that wrote the row';
COMMENT ON COLUMN enrichments.language IS 'articles.language when enriched: picks the spaCy model; quotes and sentiment are English only';
COMMENT ON COLUMN enrichments.keyphrases IS 'Up to 10 key phrases of up to 3 words: RAKE over spaCy tokens, best first';
COMMENT ON COLUMN enrichments.sentiment IS 'VADER compound score, mean over sentences, -1 (negative) to 1 (positive); NULL when not English';
COMMENT ON COLUMN enrichments.summary IS 'Extractive summary: the article''s most central sentences (up to 3), in text order';
COMMENT ON COLUMN enrichments.word_count IS 'Words (\w+ tokens) in the text enriched; may differ from articles.word_count (white-space split)';
COMMENT ON COLUMN enrichments.reading_minutes IS 'Reading time in minutes: word_count / 230 words per minute, one decimal';
COMMENT ON COLUMN enrichments.skipped IS 'Steps not run, with why: ''sentiment: English only, article is fr''; ''error: ...'' when enrichment failed';

-- mentions
COMMENT ON COLUMN mentions.article_id IS 'articles.article_id of the article the mention stands in';
COMMENT ON COLUMN mentions.start_char IS 'Offset of the mention''s first character in articles.text (0-based, Unicode characters)';
COMMENT ON COLUMN mentions.end_char IS 'Offset just past the mention''s last character in articles.text (exclusive)';
COMMENT ON COLUMN mentions.text IS 'The mention as written in the article';
COMMENT ON COLUMN mentions.label IS 'spaCy entity label: PERSON, ORG, GPE, LOC, NORP, DATE, MONEY, ...; corrected for short forms';
COMMENT ON COLUMN mentions.version IS 'enrichments.version that produced the row';
COMMENT ON COLUMN mentions.run_id IS 'runs.run_id of the enrich run that wrote the row';
COMMENT ON COLUMN mentions.sentence_index IS 'sentences.sentence_index of the sentence the mention stands in';
COMMENT ON COLUMN mentions.canonical IS 'Canonical name the mention resolves to: "Joe Biden" for "Biden", "United States" for "U.S."';
COMMENT ON COLUMN mentions.entity_id IS 'entities.entity_id of the canonical entity (dates and amounts have no entities row)';
COMMENT ON COLUMN mentions.linked_by IS 'How the canonical name was found: self | short_form | alias | gazetteer | untagged_short_form';

-- entities
COMMENT ON COLUMN entities.entity_id IS 'Stable key of (label group, case-folded canonical name): SHA-256, 16 hex chars';
COMMENT ON COLUMN entities.name IS 'Canonical name, e.g. Joe Biden';
COMMENT ON COLUMN entities.label IS 'Entity type: PERSON, ORG, GPE, LOC, NORP, FAC, EVENT, PRODUCT, WORK_OF_ART, LAW, LANGUAGE';
COMMENT ON COLUMN entities.country_code IS 'ISO 3166-1 alpha-2 country code, for places a gazetteer knows; else NULL';
COMMENT ON COLUMN entities.first_seen_at IS 'When an enrich run first stored the entity (UTC)';

-- sentences
COMMENT ON COLUMN sentences.article_id IS 'articles.article_id of the article';
COMMENT ON COLUMN sentences.sentence_index IS 'Position of the sentence in the article, 0-based in text order';
COMMENT ON COLUMN sentences.start_char IS 'Offset of the sentence''s first character in articles.text (0-based)';
COMMENT ON COLUMN sentences.end_char IS 'Offset just past the sentence''s last character in articles.text (exclusive, trailing space excluded)';
COMMENT ON COLUMN sentences.version IS 'enrichments.version that produced the row';
COMMENT ON COLUMN sentences.run_id IS 'runs.run_id of the enrich run that wrote the row';

-- quotes
COMMENT ON COLUMN quotes.article_id IS 'articles.article_id of the article the quote stands in';
COMMENT ON COLUMN quotes.quote_index IS 'Position of the quote in the article, 0-based';
COMMENT ON COLUMN quotes.start_char IS 'Offset of the quoted words in articles.text, without the opening quote mark (0-based)';
COMMENT ON COLUMN quotes.end_char IS 'Offset just past the quoted words in articles.text, before the closing quote mark (exclusive)';
COMMENT ON COLUMN quotes.text IS 'The quoted words, without the quote marks';
COMMENT ON COLUMN quotes.speaker IS 'The words naming the speaker, as written: "Gallant", "he", "a senior official"; NULL when none found';
COMMENT ON COLUMN quotes.speaker_kind IS 'named (an entity) | anonymous (an official, a source) | unknown';
COMMENT ON COLUMN quotes.speaker_entity_id IS 'entities.entity_id of a named speaker; NULL otherwise';
COMMENT ON COLUMN quotes.speaker_canonical IS 'Canonical name of a named speaker, e.g. Yoav Gallant; NULL otherwise';
COMMENT ON COLUMN quotes.verb IS 'The attribution verb: said, told, added, according to, ...; NULL when none';
COMMENT ON COLUMN quotes.version IS 'enrichments.version that produced the row';
COMMENT ON COLUMN quotes.run_id IS 'runs.run_id of the enrich run that wrote the row';

-- runs
COMMENT ON COLUMN runs.run_id IS 'Run id: the Prefect flow run id, or a random UUID';
COMMENT ON COLUMN runs.flow IS 'Which flow ran: ingest | enrich';
COMMENT ON COLUMN runs.started_at IS 'When the run started (UTC)';
COMMENT ON COLUMN runs.finished_at IS 'When the run ended (UTC); NULL while running, or when it died without recording its end';
COMMENT ON COLUMN runs.status IS 'running | completed | failed';
COMMENT ON COLUMN runs.stats IS 'The run''s counters as a JSON object of name to count';
COMMENT ON COLUMN runs.error IS 'Exception that failed the run: ''<type>: <message>'', up to 2000 chars; NULL otherwise';

-- feed_polls
COMMENT ON COLUMN feed_polls.feed IS 'feeds.feed of the feed polled';
COMMENT ON COLUMN feed_polls.polled_at IS 'When the poll''s request was sent (UTC)';
COMMENT ON COLUMN feed_polls.run_id IS 'runs.run_id of the ingest run';
COMMENT ON COLUMN feed_polls.status IS 'new (body changed, parsed) | not_modified (304) | unchanged (same body, not parsed) | failed';
COMMENT ON COLUMN feed_polls.http_status IS 'HTTP status of the final response; NULL when no response came';
COMMENT ON COLUMN feed_polls.conditional IS 'true: the request sent If-None-Match / If-Modified-Since';
COMMENT ON COLUMN feed_polls.entries IS 'Items with a usable link kept from the body (0 unless status is new)';
COMMENT ON COLUMN feed_polls.new_entries IS 'Items stored in entries by this poll: links the feed had not given before';
COMMENT ON COLUMN feed_polls.skipped_no_link IS 'Items skipped for having no usable http(s) link';
COMMENT ON COLUMN feed_polls.duplicate_links IS 'Items dropped for repeating a link (or GUID) already in this feed body';
COMMENT ON COLUMN feed_polls.undated IS 'Items kept with no parseable date';
COMMENT ON COLUMN feed_polls.error IS 'Why a failed poll failed: a fetch error class (http_404, timeout, ...), empty_body, not_a_feed: or parse_error:';

-- fetches
COMMENT ON COLUMN fetches.url IS 'URL as requested';
COMMENT ON COLUMN fetches.final_url IS 'URL after redirects; the requested URL when no response came';
COMMENT ON COLUMN fetches.host IS 'Host name of final_url, lower-case, www. kept';
COMMENT ON COLUMN fetches.kind IS 'feed (a feed poll) | page (an article page)';
COMMENT ON COLUMN fetches.access_status IS 'ok | not_modified | paywalled | bot_challenge | forbidden | rate_limited | robots_disallowed | not_html | too_large | timeout | blocked_address | error';
COMMENT ON COLUMN fetches.http_status IS 'HTTP status of the final response; NULL when no response came';
COMMENT ON COLUMN fetches.error IS 'Error class when the fetch failed: http_404, http_5xx, timeout, deadline, connect_error, dns_error, too_large, ...; NULL when ok';
COMMENT ON COLUMN fetches.bytes IS 'Size of the final response body in bytes, after content decoding; NULL when no body came';
COMMENT ON COLUMN fetches.elapsed_ms IS 'Wall time of the whole fetch in milliseconds: every try, redirect and wait between tries';
COMMENT ON COLUMN fetches.tries IS 'HTTP attempts within this fetch: 1, plus retries of transient errors (backoff or Retry-After)';
COMMENT ON COLUMN fetches.fetched_at IS 'When the last try started (UTC)';
COMMENT ON COLUMN fetches.run_id IS 'runs.run_id of the ingest run';

-- site_templates
COMMENT ON COLUMN site_templates.host IS 'The site: host name without www., as articles.host';
COMMENT ON COLUMN site_templates.block_hash IS 'Hash of the block''s normalised text (64-bit BLAKE2b, signed), as in articles.block_hashes';
COMMENT ON COLUMN site_templates.pages IS 'Recent pages of the site that hold the block (distinct texts)';
COMMENT ON COLUMN site_templates.site_pages IS 'Recent pages of the site considered when learning (distinct texts)';
COMMENT ON COLUMN site_templates.sample IS 'The block''s text, for people to see what is removed; empty when no page holds it any more';
COMMENT ON COLUMN site_templates.learned_at IS 'When the block was first learned as template (UTC)';

-- story_buckets
COMMENT ON COLUMN story_buckets.article_id IS 'articles.article_id of the article';
COMMENT ON COLUMN story_buckets.band IS 'LSH band of the MinHash signature, 0 to 31 (4 of its 128 values each)';
COMMENT ON COLUMN story_buckets.bucket IS 'Hash of the band''s signature values (64-bit BLAKE2b, signed): equal buckets in a band make candidates';
