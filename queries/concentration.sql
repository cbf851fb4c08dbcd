-- name: concentration
-- description: Crime concentration per force and month of a hotspot profile (stored by `safercity hotspots`): the share of the profile's police.uk crimes held by the top 1/5/10 % of study-area cells and of "On or near" street locations, the Gini and the generalized Gini for more places than crimes (Bernasco & Steenbeek 2017), and the fewest places holding half the crime (Weisburd 2015: about half at 2–6 % of street segments).
-- param: profile VARCHAR = '' -- one hotspot profile, e.g. violence ('' for every profile run)
-- param: force VARCHAR = '' -- one force slug ('' for every force)
-- param: from DATE = '2000-01-01' -- first month
-- param: to DATE = '2100-01-01' -- last month
SELECT profile, force, month, crimes, cells,
       cell_top1, cell_top5, cell_top10, cell_gini, cell_ggini, cell_half, cell_half_share,
       street_places, street_top1, street_top5, street_top10, street_gini, street_ggini, street_half, street_half_share
FROM hotspot_runs
WHERE ($profile = '' OR profile = $profile) AND ($force = '' OR force = $force) AND month BETWEEN $from AND $to
ORDER BY profile, force, month;
