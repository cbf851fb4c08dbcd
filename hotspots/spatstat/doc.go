// Package spatstat computes the crime hot spot statistics SaferCity reports:
// quartic kernel density surfaces, Getis–Ord Gi* local statistics with
// Benjamini–Hochberg false discovery rate control, the Mann–Kendall trend
// test, ArcGIS-style emerging hot spot classification, and the hit rate,
// Predictive Accuracy Index and Recapture Rate Index used to back-test a
// hot spot map against later crimes, and the choice of the Gi* distance
// band (incremental spatial autocorrelation, else ArcGIS's k-nearest-
// neighbour fallback).
//
// The package works on plain values — a study [Area] (the cells of a
// regular square [Grid] in projected metres that an analysis looks at, such
// as a force's crime footprint), per-cell value slices in the area's order,
// and [orb.Point] incident locations — and touches no database, so every
// statistic can be checked against published reference implementations (R
// spdep, PySAL esda, gonum). The Grid functions are the Area ones over every
// cell of a grid.
//
// Coordinates must be planar and in metres (for Great Britain, British
// National Grid, EPSG:27700); densities are reported per square kilometre.
package spatstat
