-- name: nte_profile
-- description: Night-time economy problem profile for a unit: the top 100 m cells for NTE-relevant crime with their most common location, crime mix, months with crime and the latest month's count; join with nte_nights for time of day.
-- param: unit VARCHAR = 'City of London' -- comparison unit
-- param: from DATE = '2000-01-01' -- first month
-- param: to DATE = '2100-12-01' -- last month
-- param: top INTEGER = 15 -- how many cells
SELECT grid_ref, cell_x, cell_y,
       -- the most common value, ties to the first by name: mode() takes whichever tied value
       -- DuckDB's threads meet first, so two runs could disagree
       (list_sort(list_transform(map_entries(histogram(location)), e -> struct_pack(n := -e.value, k := e.key)))[1]).k AS location,
       count(*) AS crimes,
       round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS share_pct,
       count(*) FILTER (WHERE crime_type = 'Violence and sexual offences') AS violence,
       count(*) FILTER (WHERE crime_type = 'Public order') AS public_order,
       count(*) FILTER (WHERE crime_type = 'Theft from the person') AS theft_person,
       count(*) FILTER (WHERE crime_type = 'Drugs') AS drugs,
       count(*) FILTER (WHERE crime_type = 'Criminal damage and arson') AS criminal_damage,
       count(*) FILTER (WHERE crime_type = 'Robbery') AS robbery,
       count(DISTINCT month) AS months_with_crime,
       count(*) FILTER (WHERE month = (SELECT max(month) FROM crimes_enriched WHERE month <= $to)) AS latest_month
FROM crimes
WHERE nte AND located AND unit = $unit AND month BETWEEN $from AND $to
GROUP BY grid_ref, cell_x, cell_y
ORDER BY crimes DESC, grid_ref
LIMIT $top;
