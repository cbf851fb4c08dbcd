-- name: unit_vs_peers
-- description: A unit against its peers in one month: crimes by group per unit, with the unit's rank and the peer median, from crimes_enriched.
-- param: unit VARCHAR = 'City of London' -- the unit to compare
-- param: month DATE = '2020-11-01' -- the month
-- param: min_crimes INTEGER = 50 -- peers need at least this many crimes that month
WITH u AS (
    SELECT unit,
           count(*) AS crimes,
           count(*) FILTER (WHERE violence) AS violence,
           count(*) FILTER (WHERE acquisitive) AS acquisitive,
           count(*) FILTER (WHERE asb) AS asb,
           count(*) FILTER (WHERE nte) AS nte,
           round(sum(harm)) AS harm
    FROM crimes_enriched
    WHERE month = $month AND unit IS NOT NULL
    GROUP BY unit
    HAVING count(*) >= $min_crimes OR unit = $unit
)
SELECT unit, unit = $unit AS is_unit, crimes, violence, acquisitive, asb, nte, harm,
       rank() OVER (ORDER BY crimes DESC) AS crimes_rank,
       median(crimes) OVER () AS peer_median_crimes,
       round(100.0 * violence / crimes, 1) AS violence_pct
FROM u
ORDER BY crimes DESC, unit;
