-- check: enriched rows whose article is gone (mentions, sentences, quotes, enrichments)
SELECT 'mentions' AS "table", article_id FROM mentions ANTI JOIN articles USING (article_id)
UNION ALL SELECT 'sentences', article_id FROM sentences ANTI JOIN articles USING (article_id)
UNION ALL SELECT 'quotes', article_id FROM quotes ANTI JOIN articles USING (article_id)
UNION ALL SELECT 'enrichments', article_id FROM enrichments ANTI JOIN articles USING (article_id);
