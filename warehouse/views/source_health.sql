-- source_health: one row per site, kind of fetch and day, from the fetch log (fetches).
--   host          the host fetched (after redirects) without "www.", to match articles.host
--   kind          feed | page
--   day           the UTC date of the fetches
--   requests      fetches made (each may have taken several HTTP tries)
--   ok            fetches that got the content
--   ok_share      ok / requests
--   not_modified .. error   fetches per access_status, one column each (see the fetches table)
--   tries         HTTP attempts in all (retries and Retry-After waits included)
--   median_ms     median elapsed_ms
-- Which sites block us this week:
--   SELECT host, sum(requests), sum(bot_challenge + forbidden + rate_limited) AS blocked FROM source_health
--   WHERE day >= current_date - 7 GROUP BY host ORDER BY blocked DESC;
CREATE OR REPLACE VIEW source_health AS
SELECT
    regexp_replace(host, '^www\.', '') AS host,
    kind,
    (fetched_at AT TIME ZONE 'UTC')::DATE AS day,
    count(*) AS requests,
    count(*) FILTER (WHERE access_status = 'ok') AS ok,
    count(*) FILTER (WHERE access_status = 'ok') / count(*) AS ok_share,
    count(*) FILTER (WHERE access_status = 'not_modified') AS not_modified,
    count(*) FILTER (WHERE access_status = 'paywalled') AS paywalled,
    count(*) FILTER (WHERE access_status = 'bot_challenge') AS bot_challenge,
    count(*) FILTER (WHERE access_status = 'forbidden') AS forbidden,
    count(*) FILTER (WHERE access_status = 'rate_limited') AS rate_limited,
    count(*) FILTER (WHERE access_status = 'robots_disallowed') AS robots_disallowed,
    count(*) FILTER (WHERE access_status = 'not_html') AS not_html,
    count(*) FILTER (WHERE access_status = 'too_large') AS too_large,
    count(*) FILTER (WHERE access_status = 'timeout') AS timeout,
    count(*) FILTER (WHERE access_status = 'blocked_address') AS blocked_address,
    count(*) FILTER (WHERE access_status = 'error') AS error,
    sum(tries) AS tries,
    median(elapsed_ms) AS median_ms
FROM fetches
GROUP BY ALL;

COMMENT ON VIEW source_health IS 'Fetches per site, kind and day: how many, how many got through, why the rest did not';
