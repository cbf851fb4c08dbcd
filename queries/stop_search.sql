-- name: stop_search
-- description: Stop and search by object of search, outcome and officer-defined ethnicity for a force, with how often the outcome was linked to the object searched for.
-- param: force VARCHAR = 'city-of-london' -- force slug
-- param: from DATE = '2000-01-01' -- first month
-- param: to DATE = '2100-12-01' -- last month
SELECT coalesce(object_of_search, '(not recorded)') AS object_of_search,
       coalesce(officer_defined_ethnicity, '(not recorded)') AS officer_defined_ethnicity,
       count(*) AS searches,
       count(*) FILTER (WHERE outcome NOT IN ('A no further action disposal', 'Nothing found - no further action')) AS action_taken,
       count(*) FILTER (WHERE outcome IN ('Arrest', 'Suspect arrested')) AS arrests,
       count(*) FILTER (WHERE outcome_linked) AS linked_to_object,
       round(100.0 * count(*) FILTER (WHERE outcome NOT IN ('A no further action disposal', 'Nothing found - no further action')) / count(*), 1) AS action_pct
FROM police_stop_search
WHERE force = $force AND month BETWEEN $from AND $to
GROUP BY ALL
ORDER BY searches DESC, object_of_search, officer_defined_ethnicity;
