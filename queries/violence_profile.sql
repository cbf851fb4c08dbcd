-- name: violence_profile
-- description: Violent crime profile (violence and sexual offences, robbery, possession of weapons) for a unit: top 100 m cells with their most common location, crime mix, outcome and monthly trend.
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
       count(*) FILTER (WHERE crime_type = 'Violence and sexual offences') AS violence_sexual,
       count(*) FILTER (WHERE crime_type = 'Robbery') AS robbery,
       count(*) FILTER (WHERE crime_type = 'Possession of weapons') AS weapons,
       count(DISTINCT month) AS months_with_crime,
       (list_sort(list_transform(map_entries(histogram(last_outcome)), e -> struct_pack(n := -e.value, k := e.key)))[1]).k AS usual_outcome,
       round(sum(harm)) AS harm
FROM crimes
WHERE violence AND located AND unit = $unit AND month BETWEEN $from AND $to
GROUP BY grid_ref, cell_x, cell_y
ORDER BY crimes DESC, grid_ref
LIMIT $top;
