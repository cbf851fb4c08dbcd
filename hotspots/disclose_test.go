package hotspots

import (
	"encoding/json"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/safercity/safercity/disclosure"
)

// TestHotspotIncidentsCannotBeDerived is issue 18's attack (c): the nte
// profile printed "<3" incidents beside crimes and measure, so incidents
// = measure − crimes. After the policy, measure − crimes is a released
// (rounded) count for every cell shown, and a cell with a few incidents
// is not shown at all.
func TestHotspotIncidentsCannotBeDerived(t *testing.T) {
	res := []Result{{Profile: "nte", Crimes: 40, Incidents: 11, Total: 51, Top: []TopCell{
		{GridRef: "TQ3281", Crimes: 9, Incidents: 2, Measure: 11},
		{GridRef: "TQ3280", Crimes: 6, Incidents: 7, Measure: 13},
		{GridRef: "TQ3180", Crimes: 5, Incidents: 0, Measure: 5},
		{GridRef: "TQ3181", Crimes: 1, Incidents: 2, Measure: 3},
	}}, {Profile: "violence", Crimes: 8, Total: 8, Top: []TopCell{{GridRef: "TQ3281", Crimes: 8, Measure: 8}}}}
	Disclose(disclosure.Default(), res)
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

// A Knox table of partner incidents is shown as the policy releases it: a
// band of 1–2 pairs withheld with its ratio and p, the others rounded with
// the ratio built from the rounded count, the incidents rounded, and the
// total of pairs (which gives the incidents exactly) left out.
func TestDiscloseNearRepeat(t *testing.T) {
	cells := []KnoxCell{
		{Observed: 0, Expected: 1.5, Marginal: 1.4, Ratio: 0, P: 1},
		{Observed: 2, Expected: 0.5, Marginal: 0.6, Ratio: 4, P: 0.02},
		{Observed: 7, Expected: 3.5, Marginal: 3.6, Ratio: 2, P: 0.01},
		{Observed: 13, Expected: 10, Marginal: 9.8, Ratio: 1.3, P: 0.2},
	}
	res := []Result{{NearRepeat: &NearRepeat{Events: 23, Pairs: 253, Cells: cells}}}
	Disclose(disclosure.Default(), res)
	nr := res[0].NearRepeat
	if nr.Events != 25 || nr.Pairs != 0 {
		t.Errorf("events %d, pairs %d: want 25 (rounded) and 0 (left out)", nr.Events, nr.Pairs)
	}
	c := nr.Cells
	if c[0].Observed != 0 || c[0].Withheld || float64(c[0].Ratio) != 0 {
		t.Errorf("empty band: %+v", c[0])
	}
	if !c[1].Withheld || c[1].Observed != 0 || !math.IsNaN(float64(c[1].Ratio)) || !math.IsNaN(float64(c[1].P)) {
		t.Errorf("band of 2 pairs: %+v, want withheld with no ratio or p", c[1])
	}
	if c[2].Observed != 5 || float64(c[2].Ratio) != 5/3.5 || c[2].PClass != "<0.05" || !math.IsNaN(float64(c[2].P)) {
		t.Errorf("band of 7 pairs: %+v, want 5, ratio 5/3.5 and p as the class <0.05", c[2])
	}
	if c[3].PClass != "≥0.05" || c[0].PClass != "≥0.05" {
		t.Errorf("p classes %q and %q, want ≥0.05", c[3].PClass, c[0].PClass)
	}
	if c[3].Observed != 15 || float64(c[3].Ratio) != 1.5 {
		t.Errorf("band of 13 pairs: %+v, want 15 and ratio 1.5", c[3])
	}
	// A margin's expectation is (pairs in its distance band) × (pairs in
	// its time band) / (all pairs) to full precision: the ratios of the
	// sixteen give the band totals, and all pairs, n(n−1)/2, the
	// incidents exactly, which the rounding of events hides.
	for i, c := range nr.Cells {
		if !math.IsNaN(float64(c.Marginal)) {
			t.Errorf("band %d: marginal expectation %v shown, want it left out", i, c.Marginal)
		}
	}
	if n := res[0].Notes; len(n) == 0 || !strings.Contains(n[len(n)-1], "near-repeat") {
		t.Errorf("notes %q: want the near-repeat release noted", n)
	}
}

// A Knox test of 0, 1 or 2 incidents reads the same once disclosed: the
// note of one with too few to pair gave their number (1 is a count the
// policy withholds), and a table of two showed "0 partner incidents"
// (the withheld count's value) beside its one pair.
func TestNearRepeatTooFewGivesNoCount(t *testing.T) {
	s, err := newStudy("test", []cellKey{{5300, 1810}, {5301, 1810}}, 100)
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Month: time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC), Window: 12}
	at := func(dx, day float64) knoxEvent { return knoxEvent{x: 530050 + dx, y: 181050, day: day} }
	var notes []string
	for _, events := range [][]knoxEvent{nil, {at(0, 18700)}, {at(0, 18700), at(40, 18702)}} {
		res := []Result{{Month: "2021-03"}}
		if err := res[0].addNearRepeat(&s, events, o); err != nil {
			t.Fatal(err)
		}
		Disclose(disclosure.Default(), res)
		if res[0].NearRepeat != nil || len(res[0].Notes) != 1 {
			t.Fatalf("%d incidents: shown %+v, notes %q", len(events), res[0].NearRepeat, res[0].Notes)
		}
		notes = append(notes, res[0].Notes[0])
	}
	if notes[0] != notes[1] || notes[1] != notes[2] || regexp.MustCompile(`\b[0-9]+ partner`).MatchString(notes[0]) {
		t.Errorf("notes for 0, 1 and 2 incidents differ or give a count:\n%s", strings.Join(notes, "\n"))
	}
}
