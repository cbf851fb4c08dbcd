// Package data holds SaferCity's bundled reference tables, embedded so the
// binary works from any folder: the crime-type categories and harm weights,
// the default comparison units, and an LSOA to local authority lookup. The
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

// LSOALookup maps 2011 LSOA codes to local authority districts (ONS
// mid-2019 population estimates' geography) for London and Leicestershire.
//
//go:embed lookups/lsoa_lad.csv
var LSOALookup []byte
