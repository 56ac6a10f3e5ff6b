-- query: Why pages were not loaded, per kind of reason and host, over the last `days` days
-- param days INTEGER = 7: how far back, in days
SELECT regexp_extract(coalesce(final_url, url), '^[a-z]+://(www\.)?([^/:?#]+)', 2) AS host, outcome,
       split_part(reason, ':', 1) AS reason, count(*) AS pages
FROM pages
WHERE outcome <> 'article' AND fetched_at >= now() - to_days($days)
GROUP BY ALL
ORDER BY pages DESC, host;
