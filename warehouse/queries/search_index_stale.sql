-- Whether articles were loaded, changed or removed since the full-text index was built.
SELECT coalesce((SELECT articles <> (SELECT count(*) FROM articles)
                        OR covers_until IS DISTINCT FROM (SELECT max(loaded_at) FROM articles)
                 FROM search_index), true);
