-- What `wirehouse export` writes: one Parquet dataset per table, partitioned by day where rows have one.
-- A row per table: its name, and the SELECT whose `day` column (or none) partitions it. The day of an article's
-- rows (mentions, quotes, sentences, enrichments) is the article's, so one day's folder holds all of it.
SELECT * FROM (VALUES
    ('articles', 'SELECT *, coalesce(published_at, fetched_at)::DATE AS day FROM articles', true),
    ('mentions', 'SELECT m.*, coalesce(a.published_at, a.fetched_at)::DATE AS day FROM mentions m JOIN articles a USING (article_id)', true),
    ('quotes', 'SELECT q.*, coalesce(a.published_at, a.fetched_at)::DATE AS day FROM quotes q JOIN articles a USING (article_id)', true),
    ('sentences', 'SELECT s.*, coalesce(a.published_at, a.fetched_at)::DATE AS day FROM sentences s JOIN articles a USING (article_id)', true),
    ('enrichments', 'SELECT e.*, coalesce(a.published_at, a.fetched_at)::DATE AS day FROM enrichments e JOIN articles a USING (article_id)', true),
    ('pages', 'SELECT *, fetched_at::DATE AS day FROM pages', true),
    ('fetches', 'SELECT *, fetched_at::DATE AS day FROM fetches', true),
    ('entities', 'SELECT * FROM entities', false),
    ('feeds', 'SELECT * FROM feeds', false),
    ('runs', 'SELECT * FROM runs', false)
) AS t(name, query, partitioned);
