-- name: lsoa_year_on_year
-- description: Year-on-year change by LSOA: crimes in the twelve months to a month against the twelve months before, for a unit. last_months and prior_months count the months of the unit's data on each side; change and change_pct are given only when both sides have all twelve (a missing month is not a month of zero crime).
-- param: unit VARCHAR = 'City of London' -- comparison unit
-- param: month DATE = '2020-11-01' -- last month of the latest twelve
-- One read of the unit's crimes, counted by LSOA and month, serves both
-- the months on each side and the LSOAs' counts (every LSOA the unit ever
-- had is listed, with 0 where a window has none).
WITH b AS MATERIALIZED (
    SELECT lsoa_code, lsoa_name, month, count(*) AS n
    FROM crimes
    WHERE unit = $unit
    GROUP BY ALL
), m AS (
    SELECT count(DISTINCT month) FILTER (WHERE month > $month - INTERVAL 12 MONTH AND month <= $month) AS last_months,
           count(DISTINCT month) FILTER (WHERE month > $month - INTERVAL 24 MONTH AND month <= $month - INTERVAL 12 MONTH) AS prior_months
    FROM b
), c AS (
    SELECT lsoa_code, lsoa_name,
           coalesce(sum(n) FILTER (WHERE month > $month - INTERVAL 12 MONTH AND month <= $month), 0)::BIGINT AS last_12,
           coalesce(sum(n) FILTER (WHERE month > $month - INTERVAL 24 MONTH AND month <= $month - INTERVAL 12 MONTH), 0)::BIGINT AS prior_12
    FROM b
    WHERE lsoa_code IS NOT NULL
    GROUP BY ALL
)
SELECT lsoa_code, lsoa_name, last_12, prior_12, last_months, prior_months,
       CASE WHEN last_months = 12 AND prior_months = 12 THEN last_12 - prior_12 END AS change,
       CASE WHEN last_months = 12 AND prior_months = 12 AND prior_12 > 0 THEN round(100.0 * (last_12 - prior_12) / prior_12, 1) END AS change_pct
FROM c, m
ORDER BY last_12 DESC, lsoa_code;
