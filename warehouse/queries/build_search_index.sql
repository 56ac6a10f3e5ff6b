-- Rebuild the BM25 index over article titles and texts (English stemming and stop words), and record it.
PRAGMA create_fts_index('articles', 'article_id', 'title', 'text', stemmer = 'porter', stopwords = 'english',
                        strip_accents = 1, lower = 1, overwrite = 1);
DELETE FROM search_index;
INSERT INTO search_index SELECT $now, count(*), max(loaded_at) FROM articles;
