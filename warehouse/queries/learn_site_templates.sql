-- Blocks that recur across a site's recent pages: its template. Parameters: $window (pages per site),
-- $min_pages, $min_share. A reloaded page counts once (distinct content), so re-fetches do not teach.
WITH recent AS (
    SELECT host, content_hash, block_hashes
    FROM articles
    WHERE host IS NOT NULL AND block_hashes IS NOT NULL AND source = 'page'
    QUALIFY row_number() OVER (PARTITION BY host ORDER BY fetched_at DESC) <= $window
),
site_pages AS (
    SELECT host, count(DISTINCT content_hash) AS site_pages FROM recent GROUP BY host
),
blocks AS (
    SELECT DISTINCT host, content_hash, unnest(block_hashes) AS block_hash FROM recent
)
SELECT b.host, b.block_hash, count(*) AS pages, s.site_pages
FROM blocks b JOIN site_pages s USING (host)
GROUP BY b.host, b.block_hash, s.site_pages
HAVING count(*) >= $min_pages AND count(*) >= $min_share * s.site_pages
ORDER BY b.host, pages DESC
