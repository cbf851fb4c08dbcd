// Package storetest gives tests a real store: a fresh database file, the
// police.uk files they name loaded and transformed with the default
// settings, and boundary layers. No mock stands in for DuckDB.
package storetest

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/safercity/safercity/data"
	"github.com/safercity/safercity/ingest"
	"github.com/safercity/safercity/ingest/feed"
	"github.com/safercity/safercity/store"
	"github.com/safercity/safercity/transform"
	"github.com/safercity/safercity/transform/area"
)

// Open opens a fresh database file with every migration applied, closed
// when the test ends, and returns it with its path.
func Open(t testing.TB) (*store.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.duckdb")
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, path
}

// Transformed is Open with the police.uk files under paths loaded and
// enriched at 100 m with the bundled categories, units and lookup.
func Transformed(t testing.TB, paths ...string) (*store.Store, string) {
	t.Helper()
	st, path := Open(t)
	if _, err := ingest.Police(context.Background(), st, paths, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	Transform(t, st)
	return st, path
}

// Transform enriches what st holds at 100 m with the bundled categories,
// units and lookup.
func Transform(t testing.TB, st *store.Store) {
	t.Helper()
	cfg := transform.Config{CellSize: 100, Categories: data.Categories, Units: data.Units, Lookup: data.LSOALookup}
	if _, err := transform.Run(context.Background(), st, cfg, nil, nil); err != nil {
		t.Fatal(err)
	}
}

// Feeds loads the named feeds of the bundled sample's contracts
// (root/data/feeds/feeds.yaml; root: the repository's folder, relative to
// the test's package), e.g. ons-population-2019 (the real ONS mid-2019
// LSOA population of the City of London and Leicestershire).
func Feeds(t testing.TB, st *store.Store, root string, names ...string) {
	t.Helper()
	c, err := feed.Load(filepath.Join(root, "data/feeds/feeds.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		f, err := c.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ingest.Feed(context.Background(), st, f, ingest.FeedOptions{}); err != nil {
			t.Fatal(err)
		}
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
