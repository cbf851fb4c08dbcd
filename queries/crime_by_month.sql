-- name: crime_by_month
-- description: Street crime by month and crime type for a comparison unit, or for one LSOA when lsoa is given.
-- param: unit VARCHAR = 'City of London' -- comparison unit (where crimes happened)
-- param: lsoa VARCHAR = '' -- an LSOA code instead of the unit, e.g. E01000005
-- param: from DATE = '2000-01-01' -- first month
-- param: to DATE = '2100-12-01' -- last month
SELECT month, crime_type, count(*) AS crimes, round(sum(harm), 1) AS harm
FROM crimes_enriched
WHERE (CASE WHEN $lsoa = '' THEN unit = $unit ELSE lsoa_code = $lsoa END)
  AND month BETWEEN $from AND $to
GROUP BY ALL
ORDER BY month, crimes DESC, crime_type;
