// Package sampletest runs the pipeline on the bundled sample (data/) for
// tests that need stored hotspots: the police files, the City of London LSOA
// boundaries as "lsoa", the transform, and the nte hotspots of the City for
// November 2020.
package sampletest

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/safercity/safercity/data"
	"github.com/safercity/safercity/hotspots"
	"github.com/safercity/safercity/ingest"
	"github.com/safercity/safercity/store"
	"github.com/safercity/safercity/transform"
	"github.com/safercity/safercity/transform/area"
)

// Month is the month whose hotspots NTEHotspots stores.
var Month = time.Date(2020, 11, 1, 0, 0, 0, 0, time.UTC)

// NTEHotspots fills st from the sample in root (the repository's root
// folder, relative to the test's package) up to the nte hotspots.
func NTEHotspots(t testing.TB, st *store.Store, root string) {
	t.Helper()
	ctx := context.Background()
	if _, err := ingest.Police(ctx, st, []string{filepath.Join(root, "data/police-uk")}, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	Boundaries(t, st, "lsoa", filepath.Join(root, "data/boundaries/city_of_london_lsoa_2011.geojson"), "LSOA11CD", "LSOA11NM")
	cfg := transform.Config{CellSize: 100, Categories: data.Categories, Units: data.Units, Lookup: data.LSOALookup}
	if _, err := transform.Run(ctx, st, cfg, nil, nil); err != nil {
		t.Fatal(err)
	}
	p := hotspots.Profile{Name: "nte", Groups: []string{"nte"}, Measure: "count"}
	if _, err := hotspots.Run(ctx, st, hotspots.Options{Profile: p, Month: Month, Force: "city-of-london"}); err != nil {
		t.Fatal(err)
	}
}

// Boundaries loads a GeoJSON boundary layer into st as layer.
func Boundaries(t testing.TB, st *store.Store, layer, path, codeProp, nameProp string) {
	t.Helper()
	check := func(b []byte, code, name string) ([]ingest.Area, string, error) {
		l, err := area.Load(bytes.NewReader(b), code, name)
		if err != nil {
			return nil, "", err
		}
		var as []ingest.Area
		for _, f := range l.Features() {
			as = append(as, ingest.Area{Code: f.Code, Name: f.Name})
		}
		return as, l.SourceCRS().String(), nil
	}
	if _, err := ingest.Boundaries(context.Background(), st, layer, path, codeProp, nameProp, check); err != nil {
		t.Fatal(err)
	}
}
