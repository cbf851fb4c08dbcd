// Package data holds SaferCity's bundled reference tables, embedded so the
// binary works from any folder: the crime-type categories and harm weights,
// the default comparison units, the `cities` set, and the national
// geography: an LSOA to district lookup, districts and their outlines. The
// folder also holds the real sample data used by `make demo` and the tests
// (see README.md here).
package data

import _ "embed"

// Categories maps each police.uk crime type to profile groups and a harm
// weight; see categories.csv and README.md for the sources.
//
//go:embed categories.csv
var Categories []byte

// Units names comparison units made of several local authority districts.
//
//go:embed units.yaml
var Units []byte

// LSOALookup maps every 2011 LSOA code of England and Wales to its local
// authority district as in force from April 2023 (see README.md).
//
//go:embed lookups/lsoa_lad.csv
var LSOALookup []byte

// Districts lists every local authority district of England and Wales with
// its mid-2019 residents, area and former names (see README.md).
//
//go:embed lookups/districts.csv
var Districts []byte

// DistrictBoundaries are generalised outlines of England's districts (WGS 84
// GeoJSON, one feature per 2011 district, named by its current district).
//
//go:embed boundaries/districts.geojson
var DistrictBoundaries []byte

// CityUnits is the `cities` set of comparison units.
//
//go:embed units-cities.yaml
var CityUnits []byte
