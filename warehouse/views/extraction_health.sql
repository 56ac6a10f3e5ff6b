-- extraction_health: one row per site and ISO week of fetching: how well its pages are cleaned.
--   host              the site (articles.host)
--   week              the Monday of the week the articles were fetched (UTC): a page is cleaned as the site
--                     looked when it was fetched, whatever its publication date
--   articles          articles loaded
--   median_words, p10_words, p90_words   word_count distribution
--   no_date_share     share with no published_at
--   no_authors_share  share whose byline named no person (authors empty)
--   paywalled_share   share whose text is what a paywall let through
--   residue_share     share whose text still holds boilerplate phrases the cleaner should have removed
--                     ('Leave a Reply', 'Your email address will not be published', 'Share this', 'Sign up for',
--                     'All rights reserved'; any case)
--   avg_template_blocks, avg_boilerplate_blocks   blocks removed per article as the site's template / as furniture
--   prev_median_words the median of the site's previous week with articles
--   median_ratio      median_words / prev_median_words: far from 1 after a site redesign breaks (or fixes) extraction
CREATE OR REPLACE VIEW extraction_health AS
WITH weekly AS (
    SELECT
        host,
        date_trunc('week', fetched_at AT TIME ZONE 'UTC')::DATE AS week,
        count(*) AS articles,
        median(word_count) AS median_words,
        quantile_cont(word_count, 0.1) AS p10_words,
        quantile_cont(word_count, 0.9) AS p90_words,
        avg((published_at IS NULL)::INTEGER) AS no_date_share,
        avg((coalesce(len(authors), 0) = 0)::INTEGER) AS no_authors_share,
        avg(coalesce(paywalled, false)::INTEGER) AS paywalled_share,
        avg(regexp_matches(
            text,
            'leave a reply|your email address will not be published|share this|sign up for|all rights reserved',
            'i'
        )::INTEGER) AS residue_share,
        avg(template_blocks) AS avg_template_blocks,
        avg(boilerplate_blocks) AS avg_boilerplate_blocks
    FROM articles
    GROUP BY ALL
)
SELECT
    *,
    lag(median_words) OVER (PARTITION BY host ORDER BY week) AS prev_median_words,
    median_words / prev_median_words AS median_ratio
FROM weekly;

COMMENT ON VIEW extraction_health IS 'Per site and week: word counts, missing dates and authors, paywalls, boilerplate';
