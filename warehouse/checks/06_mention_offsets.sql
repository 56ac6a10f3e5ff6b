-- check: mentions whose offsets do not point at their text in the article (enriched on the article's current text)
SELECT m.article_id, m.start_char, m.end_char, m.text
FROM mentions AS m
JOIN articles AS a USING (article_id)
JOIN enrichments AS e USING (article_id)
WHERE e.text_hash = a.text_hash
  AND (m.start_char < 0 OR m.end_char > length(a.text)
       OR substring(a.text, m.start_char + 1, m.end_char - m.start_char) <> m.text);
