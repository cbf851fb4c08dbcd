// Package spatstat computes the crime hot spot statistics SaferCity reports:
// quartic kernel density surfaces, Getis–Ord Gi* local statistics with
// Benjamini–Hochberg false discovery rate control, the Mann–Kendall trend
// test, ArcGIS-style emerging hot spot classification, and the hit rate,
// Predictive Accuracy Index and Recapture Rate Index used to back-test a
// hot spot map against later crimes.
//
// The package works on plain values — a regular square [Grid] in projected
// metres, per-cell value slices indexed row-major, and [orb.Point] incident
// locations — and touches no database, so every statistic can be checked
// against published reference implementations (R spdep, PySAL esda, gonum).
//
// Coordinates must be planar and in metres (for Great Britain, British
// National Grid, EPSG:27700); densities are reported per square kilometre.
package spatstat
