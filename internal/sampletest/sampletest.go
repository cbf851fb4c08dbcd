// Package sampletest runs the pipeline on the bundled sample (data/) for
// tests that need stored hotspots: the police files, the City of London LSOA
// boundaries as "lsoa", the transform, and the nte hotspots of the City for
// November 2020.
package sampletest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/safercity/safercity/hotspots"
	"github.com/safercity/safercity/ingest"
	"github.com/safercity/safercity/internal/storetest"
	"github.com/safercity/safercity/store"
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
	storetest.Boundaries(t, st, "lsoa", filepath.Join(root, "data/boundaries/city_of_london_lsoa_2011.geojson"), "LSOA11CD", "LSOA11NM")
	storetest.Transform(t, st)
	p := hotspots.Profile{Name: "nte", Groups: []string{"nte"}, Measure: "count"}
	if _, err := hotspots.Run(ctx, st, hotspots.Options{Profile: p, Month: Month, Force: "city-of-london"}); err != nil {
		t.Fatal(err)
	}
}
