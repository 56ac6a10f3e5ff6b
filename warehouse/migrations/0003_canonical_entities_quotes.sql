-- Enrichment that analysts count on: canonical entities, sentences, quotes, keyphrases, tone, summary.

ALTER TABLE mentions ADD COLUMN sentence_index INTEGER;    -- sentences.sentence_index of the sentence it stands in
ALTER TABLE mentions ADD COLUMN canonical VARCHAR;         -- "Joe Biden" for "Biden", "United States" for "U.S."
ALTER TABLE mentions ADD COLUMN entity_id VARCHAR;         -- entities.entity_id
ALTER TABLE mentions ADD COLUMN linked_by VARCHAR;         -- self | short_form | alias | gazetteer | untagged_short_form

CREATE TABLE entities (
    entity_id       VARCHAR PRIMARY KEY,                   -- stable key of (entity type, canonical name)
    name            VARCHAR NOT NULL,                      -- canonical name
    label           VARCHAR NOT NULL,                      -- PERSON, ORG, GPE, LOC, NORP, ...
    country_code    VARCHAR,                               -- ISO 3166-1 alpha-2, for places a gazetteer knows
    first_seen_at   TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE entities IS 'Canonical entities: what mentions resolve to, across articles';

CREATE TABLE sentences (
    article_id      VARCHAR NOT NULL,
    sentence_index  INTEGER NOT NULL,
    start_char      INTEGER NOT NULL,                      -- offsets into articles.text
    end_char        INTEGER NOT NULL,
    version         VARCHAR NOT NULL,
    run_id          VARCHAR NOT NULL
);
COMMENT ON TABLE sentences IS 'Sentence boundaries of enriched articles';

CREATE TABLE quotes (
    article_id      VARCHAR NOT NULL,
    quote_index     INTEGER NOT NULL,
    start_char      INTEGER NOT NULL,                      -- the quoted words, without the quote marks
    end_char        INTEGER NOT NULL,
    text            VARCHAR NOT NULL,
    speaker         VARCHAR,                               -- as written: "Gallant", "he", "a senior official"
    speaker_kind    VARCHAR NOT NULL,                      -- named | anonymous | unknown
    speaker_entity_id VARCHAR,                             -- entities.entity_id of a named speaker
    speaker_canonical VARCHAR,
    verb            VARCHAR,                               -- said, told, added, according to, ...
    version         VARCHAR NOT NULL,
    run_id          VARCHAR NOT NULL
);
COMMENT ON TABLE quotes IS 'Direct quotations and who said them';

ALTER TABLE enrichments ADD COLUMN language VARCHAR;
ALTER TABLE enrichments ADD COLUMN keyphrases VARCHAR[];   -- RAKE over spaCy tokens, best first
ALTER TABLE enrichments ADD COLUMN sentiment DOUBLE;       -- VADER compound, mean over sentences, -1 .. 1
ALTER TABLE enrichments ADD COLUMN summary VARCHAR;        -- extractive: the article's most central sentences
ALTER TABLE enrichments ADD COLUMN word_count INTEGER;
ALTER TABLE enrichments ADD COLUMN reading_minutes DOUBLE;
ALTER TABLE enrichments ADD COLUMN skipped VARCHAR[];      -- steps not run, with why: "entities: no spaCy model configured for language 'fr'"
