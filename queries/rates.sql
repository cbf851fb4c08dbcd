-- name: rates
-- description: Crime rates per 1,000 residents per LSOA or district of a hotspot profile (stored by `safercity hotspots`): crimes, residents (the population feed), the raw rate, the global Empirical Bayes rate (Marshall 1991, as R spdep EBest and GeoDa), the spatial EB rate over the area and its 8 nearest by their crimes' centroids (as EBlocal), and the excess risk, and next month's forecast of the area's crimes (the cells' Poisson model on the area's history, when 13 consecutive months are loaded). Areas without residents are listed with the reason and no rate. Sorted by the spatial EB rate, the raw rate beside it: a small area's raw rate is noise.
-- param: profile VARCHAR = 'violence' -- hotspot profile
-- param: force VARCHAR = '' -- one force slug ('' for every force)
-- param: layer VARCHAR = 'lsoa' -- lsoa or district
-- param: month DATE = '2100-01-01' -- the month (default: the latest stored)
-- param: top INTEGER = 50 -- how many areas per force
WITH m AS (
    SELECT CASE WHEN $month = DATE '2100-01-01' THEN max(month) ELSE $month END AS month
    FROM area_rates WHERE profile = $profile
), ranked AS (
    SELECT r.*, row_number() OVER (PARTITION BY r.force
               ORDER BY coalesce(r.spatial_eb_rate, r.eb_rate) DESC NULLS LAST, r.code) AS rank
    FROM area_rates r, m
    WHERE r.profile = $profile AND r.month = m.month AND r.layer = $layer AND ($force = '' OR r.force = $force)
)
SELECT force, month, rank, code, name, crimes, population,
       round(raw_rate, 3) AS raw_rate, round(eb_rate, 3) AS eb_rate, round(spatial_eb_rate, 3) AS spatial_eb_rate,
       round(excess_risk, 3) AS excess_risk, round(forecast, 2) AS forecast, neighbours, reason
FROM ranked
WHERE rank <= $top OR raw_rate IS NULL
ORDER BY force, raw_rate IS NULL, rank;
