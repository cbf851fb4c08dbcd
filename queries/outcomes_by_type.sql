-- name: outcomes_by_type
-- description: Outcomes by crime type: the latest outcome of each street crime as published, with the share that reached a charge or summons or another positive outcome.
-- param: unit VARCHAR = 'City of London' -- comparison unit
-- param: from DATE = '2000-01-01' -- first month
-- param: to DATE = '2100-12-01' -- last month
-- The crimes are counted by outcome first and the few hundred counts
-- classed after: classing each of a large unit's million crimes against
-- the lists cost more than reading them.
WITH o AS (
    SELECT crime_type, asb, last_outcome, count(*) AS n
    FROM crimes
    WHERE unit = $unit AND month BETWEEN $from AND $to
    GROUP BY ALL
), k AS (
    SELECT crime_type, asb, n,
           CASE WHEN last_outcome IS NULL THEN 'none'
                WHEN last_outcome IN ('Under investigation', 'Status update unavailable', 'Court result unavailable') THEN 'open'
                WHEN last_outcome = 'Investigation complete; no suspect identified' THEN 'no_suspect'
                WHEN last_outcome IN ('Suspect charged as part of another case', 'Offender sent to prison', 'Offender given suspended prison sentence',
                    'Offender fined', 'Offender given community sentence', 'Offender given conditional discharge', 'Offender given absolute discharge',
                    'Offender otherwise dealt with', 'Offender ordered to pay compensation', 'Defendant found not guilty',
                    'Court case unable to proceed', 'Offender deprived of property', 'Defendant sent to Crown Court', 'Awaiting court outcome') THEN 'charged'
                WHEN last_outcome IN ('Offender given a caution', 'Offender given a drugs possession warning',
                    'Offender given penalty notice', 'Local resolution') THEN 'other_positive'
           END AS class
    FROM o
)
SELECT crime_type,
       sum(n)::BIGINT AS crimes,
       coalesce(sum(n) FILTER (WHERE class = 'none'), 0)::BIGINT AS no_outcome,
       coalesce(sum(n) FILTER (WHERE class = 'open'), 0)::BIGINT AS open_or_unknown,
       coalesce(sum(n) FILTER (WHERE class = 'no_suspect'), 0)::BIGINT AS no_suspect,
       coalesce(sum(n) FILTER (WHERE class = 'charged'), 0)::BIGINT AS charged_or_summonsed,
       coalesce(sum(n) FILTER (WHERE class = 'other_positive'), 0)::BIGINT AS other_positive,
       round(100.0 * coalesce(sum(n) FILTER (WHERE class IN ('charged', 'other_positive')), 0)::BIGINT
           / nullif(coalesce(sum(n) FILTER (WHERE NOT asb), 0)::BIGINT, 0), 1) AS positive_pct
FROM k
GROUP BY crime_type
ORDER BY crimes DESC;
