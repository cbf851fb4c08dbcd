// Package hotspots is the hotspot stage: for a profile, a force and a month
// it reads the profile's located crimes (and partner incidents) and the
// force's crime footprint from crimes_enriched (their "On or near"
// locations from police_street), computes on the study area —
// the cells holding any crime the force recorded over the emerging window,
// or a configured boundary's cells — KDE, Getis–Ord Gi* with its band,
// emerging hot spots, Local Moran's I clusters and outliers, crime
// concentration, next month's forecast and the back-test, and replaces the
// run in hotspot_runs, hotspot_cells, hotspot_backtest and
// hotspot_forecasts. Beside the cells it rates the profile's crime per LSOA
// and district of the force (raw, Empirical Bayes, excess risk) and
// compares each area's month with earlier ones, in area_rates,
// area_rate_runs, area_changes and area_change_periods: one stage, so that
// a run and its area statistics are replaced together and every caller of
// the stage (the command, run, the scheduler) stores both.
//
// The flow is load (store.go, which holds the stage's SQL, and
// areastore.go, that of the area statistics) → study area (study.go) →
// compute (compute.go, lisa.go, concentration.go, forecast.go,
// backtest.go, areastats.go, arearates.go, areachange.go) → persist
// (store.go, areastore.go). The statistics
// themselves are pure Go in hotspots/spatstat and analysis/.
package hotspots
