package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/safercity/safercity/hotspots"
)

// TestNTEWithoutPremisesSaysSo: without a premises feed, nte silently
// became every NTE crime type; the profile's header must say so.
func TestNTEWithoutPremisesSaysSo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "n.duckdb")
	ctx := context.Background()
	for _, args := range [][]string{
		{"ingest", "police", "--db", db, "--quiet", "../../data/police-uk/2020-11"},
		{"transform", "--db", db, "--quiet"},
	} {
		var out, errOut bytes.Buffer
		if code := run(ctx, args, &out, &errOut); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut.String())
		}
	}
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"hotspots", "--db", db, "--profile", "nte", "--force", "city-of-london", "--json"}, &out, &errOut); code != 0 {
		t.Fatalf("hotspots: exit %d: %s", code, errOut.String())
	}
	var res []hotspots.Result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || len(res) != 1 {
		t.Fatalf("%v: %.300s", err, out.String())
	}
	for _, want := range []string{"no licensed premises feed is loaded", "no partner incidents feed is loaded"} {
		if !strings.Contains(strings.Join(res[0].Notes, "; "), want) {
			t.Errorf("notes %q do not say %q", res[0].Notes, want)
		}
	}
}
