-- name: outcomes_by_type
-- description: Outcomes by crime type: the latest outcome of each street crime as published, with the share that reached a charge or summons or another positive outcome.
-- param: unit VARCHAR = 'City of London' -- comparison unit
-- param: from DATE = '2000-01-01' -- first month
-- param: to DATE = '2100-12-01' -- last month
SELECT crime_type,
       count(*) AS crimes,
       count(*) FILTER (WHERE last_outcome IS NULL) AS no_outcome,
       count(*) FILTER (WHERE last_outcome IN ('Under investigation', 'Status update unavailable', 'Court result unavailable')) AS open_or_unknown,
       count(*) FILTER (WHERE last_outcome = 'Investigation complete; no suspect identified') AS no_suspect,
       count(*) FILTER (WHERE last_outcome IN ('Suspect charged as part of another case', 'Offender sent to prison', 'Offender given suspended prison sentence',
           'Offender fined', 'Offender given community sentence', 'Offender given conditional discharge', 'Offender given absolute discharge',
           'Offender otherwise dealt with', 'Offender ordered to pay compensation', 'Defendant found not guilty',
           'Court case unable to proceed', 'Offender deprived of property', 'Defendant sent to Crown Court', 'Awaiting court outcome')) AS charged_or_summonsed,
       count(*) FILTER (WHERE last_outcome IN ('Offender given a caution', 'Offender given a drugs possession warning',
           'Offender given penalty notice', 'Local resolution')) AS other_positive,
       round(100.0 * count(*) FILTER (WHERE last_outcome IN ('Suspect charged as part of another case', 'Offender sent to prison',
           'Offender given suspended prison sentence', 'Offender fined', 'Offender given community sentence', 'Offender given conditional discharge',
           'Offender given absolute discharge', 'Offender otherwise dealt with', 'Offender ordered to pay compensation', 'Defendant found not guilty',
           'Court case unable to proceed', 'Offender deprived of property', 'Defendant sent to Crown Court', 'Awaiting court outcome',
           'Offender given a caution', 'Offender given a drugs possession warning', 'Offender given penalty notice', 'Local resolution',
           )) / nullif(count(*) FILTER (WHERE NOT asb), 0), 1) AS positive_pct
FROM crimes
WHERE unit = $unit AND month BETWEEN $from AND $to
GROUP BY crime_type
ORDER BY crimes DESC;
