-- check: an article's enrichment, mentions and quotes not all of one version, or its mention count off
WITH m AS (SELECT article_id, count(*) AS n, min(version) AS lo, max(version) AS hi FROM mentions GROUP BY ALL),
     q AS (SELECT article_id, min(version) AS lo, max(version) AS hi FROM quotes GROUP BY ALL)
SELECT e.article_id, e.version, e.mentions, coalesce(m.n, 0) AS mention_rows, m.lo AS mention_version,
       q.lo AS quote_version
FROM enrichments AS e LEFT JOIN m USING (article_id) LEFT JOIN q USING (article_id)
WHERE e.mentions <> coalesce(m.n, 0) OR m.lo <> e.version OR m.hi <> e.version
   OR q.lo <> e.version OR q.hi <> e.version;
