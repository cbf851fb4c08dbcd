package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/safercity/safercity/disclosure"
	"github.com/safercity/safercity/hotspots"
)

// TestHotspotIncidentsCannotBeDerived is issue 18's attack (c): the nte
// profile printed "<3" incidents beside crimes and measure, so incidents
// = measure − crimes. After the policy, measure − crimes is a released
// (rounded) count for every cell shown, and a cell with a few incidents
// is not shown at all.
func TestHotspotIncidentsCannotBeDerived(t *testing.T) {
	res := []hotspots.Result{{Profile: "nte", Crimes: 40, Incidents: 11, Total: 51, Top: []hotspots.TopCell{
		{GridRef: "TQ3281", Crimes: 9, Incidents: 2, Measure: 11},
		{GridRef: "TQ3280", Crimes: 6, Incidents: 7, Measure: 13},
		{GridRef: "TQ3180", Crimes: 5, Incidents: 0, Measure: 5},
		{GridRef: "TQ3181", Crimes: 1, Incidents: 2, Measure: 3},
	}}, {Profile: "violence", Crimes: 8, Total: 8, Top: []hotspots.TopCell{{GridRef: "TQ3281", Crimes: 8, Measure: 8}}}}
	discloseHotspots(disclosure.Default(), res)
	nte := res[0]
	var refs []string
	for _, c := range nte.Top {
		refs = append(refs, c.GridRef)
		if d := int(c.Measure) - c.Crimes; d != c.Incidents || d%5 != 0 {
			t.Errorf("%s: measure %v − crimes %d = %d beside incidents %d: not the released count", c.GridRef, c.Measure, c.Crimes, d, c.Incidents)
		}
	}
	if strings.Join(refs, " ") != "TQ3280 TQ3180" {
		t.Errorf("cells shown %v, want TQ3280 TQ3180 (the two with 2 incidents withheld)", refs)
	}
	if nte.Incidents != 10 || nte.Total != 50 || !strings.Contains(strings.Join(nte.Notes, "; "), "2 top cells withheld") {
		t.Errorf("profile total %d incidents, measure %v, note %q", nte.Incidents, nte.Total, nte.Notes)
	}
	if b, _ := json.Marshal(res[1]); !strings.Contains(string(b), `"crimes":8`) || len(res[1].Notes) != 0 {
		t.Errorf("police data only was changed: %s", b)
	}
}

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
