-- name: repeat_locations
-- description: Repeat locations: the same "On or near" place with crime in many months, with the months it appeared and its usual crime type.
-- param: unit VARCHAR = 'City of London' -- comparison unit
-- param: min_months INTEGER = 6 -- appear in at least this many months
-- param: group VARCHAR = '' -- only one group: violence, acquisitive, asb, nte or weapons ('' for all crime)
SELECT location, lsoa_name,
       count(DISTINCT month) AS months,
       count(*) AS crimes,
       -- the most common value, ties to the first by name: mode() takes whichever tied value
       -- DuckDB's threads meet first, so two runs could disagree
       (list_sort(list_transform(map_entries(histogram(crime_type)), e -> struct_pack(n := -e.value, k := e.key)))[1]).k AS usual_type,
       min(month) AS first_month,
       max(month) AS last_month
FROM crimes
WHERE unit = $unit AND located AND location <> 'No Location'
  AND (CASE $group WHEN 'violence' THEN violence WHEN 'acquisitive' THEN acquisitive WHEN 'asb' THEN asb
                   WHEN 'nte' THEN nte WHEN 'weapons' THEN weapons ELSE true END)
GROUP BY location, lsoa_name
HAVING count(DISTINCT month) >= $min_months
ORDER BY months DESC, crimes DESC, location;
