-- name: change
-- description: Percent change of a hotspot profile's crimes per LSOA or district (stored by `safercity hotspots`, as ArcGIS Summarize Percent Change): the month against the same month last year (comparison year) or the three months before (prev3, as a monthly rate), with the counts each side, the change and whether it is beyond Poisson noise (R's exact conditional binomial test, Benjamini–Hochberg over the force's areas). A comparison across a month without data is refused: months_before says how many of the months needed are loaded, and refused says why.
-- param: profile VARCHAR = 'violence' -- hotspot profile
-- param: force VARCHAR = '' -- one force slug ('' for every force)
-- param: layer VARCHAR = 'lsoa' -- lsoa or district
-- param: comparison VARCHAR = 'year' -- year (same month last year) or prev3 (the three months before)
-- param: month DATE = '2100-01-01' -- the month (default: the latest stored)
WITH m AS (
    SELECT CASE WHEN $month = DATE '2100-01-01' THEN max(month) ELSE $month END AS month
    FROM area_change_periods WHERE profile = $profile
)
SELECT p.force, p.month, p.comparison, p.before_from, p.before_to, p.months_before, p.months_needed, p.refused,
       a.code, a.name, a.before, a.after, a.change, round(a.percent_change, 1) AS percent_change,
       round(a.rate_ratio, 3) AS rate_ratio, a.p, a.p_fdr, a.beyond_noise
FROM area_change_periods p JOIN m ON p.month = m.month
LEFT JOIN area_changes a ON a.profile = p.profile AND a.force = p.force AND a.month = p.month
     AND a.comparison = p.comparison AND a.layer = $layer
WHERE p.profile = $profile AND p.comparison = $comparison AND ($force = '' OR p.force = $force)
ORDER BY p.force, a.beyond_noise DESC NULLS LAST, a.p_fdr, abs(a.change) DESC, a.code;
