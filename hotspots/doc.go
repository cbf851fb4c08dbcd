// Package hotspots is the hotspot stage: for a profile, a force and a month
// it reads the profile's located crimes (and partner incidents) and the
// force's crime footprint from crimes_enriched, computes on the study area —
// the cells holding any crime the force recorded over the emerging window,
// or a configured boundary's cells — KDE, Getis–Ord Gi* with its band,
// emerging hot spots, Local Moran's I clusters and outliers, crime
// concentration, next month's forecast and the back-test, and replaces the
// run in hotspot_runs, hotspot_cells, hotspot_backtest and
// hotspot_forecasts.
//
// The flow is load (store.go, which holds all of the stage's SQL) → study
// area (study.go) → compute (compute.go, lisa.go, concentration.go,
// forecast.go, backtest.go) → persist (store.go). The statistics
// themselves are pure Go in hotspots/spatstat and analysis/.
package hotspots
