package index

import (
	"math"
	"testing"
)

func TestRateAndTrend(t *testing.T) {
	tests := []struct {
		v, ref, dir, band float64
		want              Status
	}{
		{10, 10, 1, 0.5, Green},  // at the reference
		{12, 10, 1, 0.5, Green},  // better, higher is better
		{9.6, 10, 1, 0.5, Amber}, // 0.4 short
		{9.5, 10, 1, 0.5, Amber}, // on the band edge
		{9.4, 10, 1, 0.5, Red},
		{9, 10, -1, 0.5, Green}, // lower is better
		{10.3, 10, -1, 0.5, Amber},
		{11, 10, -1, 0.5, Red},
		{1, 0, 1, 0, Green},
		{-1e-9, 0, 1, 0, Red}, // no band at a reference of 0
	}
	for _, tt := range tests {
		if got := rate(tt.v, tt.ref, tt.dir, tt.band); got != tt.want {
			t.Errorf("rate(%v, ref %v, dir %v, band %v) = %v, want %v", tt.v, tt.ref, tt.dir, tt.band, got, tt.want)
		}
	}
	trends := []struct {
		v, earlier, dir, band float64
		want                  Trend
	}{
		{5, 4, 1, 0.1, Improving},
		{5, 4, -1, 0.1, Worsening}, // a crime rate rising from 4 to 5
		{3, 4, -1, 0.1, Improving},
		{4.05, 4, -1, 0.1, Stable},
		{5, math.NaN(), 1, 0.1, NoTrend},
	}
	for _, tt := range trends {
		if got := trend(tt.v, tt.earlier, tt.dir, tt.band); got != tt.want {
			t.Errorf("trend(%v from %v, dir %v) = %v, want %v", tt.v, tt.earlier, tt.dir, got, tt.want)
		}
	}
	if Improving.Arrow() != "▲" || Stable.Arrow() != "▶" || Worsening.Arrow() != "▼" {
		t.Error("arrows")
	}
}

// ragCase is a framework of one pillar with a crime rate (lower is better,
// target 5) and an outcome rate (higher is better, no target) over four
// units and three periods.
func ragCase(t *testing.T) (cur, prev, lastYear *Result) {
	fw := &Framework{
		Pillars: []Pillar{{Code: "PPS", Name: "Personal and public security"}},
		Indicators: []Indicator{
			{Code: "crime", Name: "Crime per 1,000", Pillar: "PPS", Direction: LowerIsBetter, Target: ptr(5)},
			{Code: "outcome", Name: "Charge rate", Pillar: "PPS", Direction: HigherIsBetter},
		},
	}
	units := []string{"City of London", "Leicester", "Bristol", "Leeds"}
	table := func(period string, crime, outcome []float64) *Table {
		tab := &Table{Period: period, Units: units, Codes: []string{"crime", "outcome"}}
		for i := range units {
			tab.Values = append(tab.Values, []float64{crime[i], outcome[i]})
		}
		return tab
	}
	nan := math.NaN()
	cur = mustCompute(t, fw, table("2025-03", []float64{4.9, 5.2, 6, 5.1}, []float64{10, 20, 30, nan}), nil, Method{})
	prev = mustCompute(t, fw, table("2025-02", []float64{6, 5.1, 5, 5.1}, []float64{10, 20, 30, 40}), nil, Method{})
	lastYear = mustCompute(t, fw, table("2024-03", []float64{4, 5.2, 7, 5}, []float64{11, 20, 29, 40}), nil, Method{})
	return cur, prev, lastYear
}

func TestAssessDefaultRules(t *testing.T) {
	cur, prev, lastYear := ragCase(t)
	a, err := Assess(cur, prev, lastYear, DefaultRAGRules())
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Measures) != 4 || a.Measures[0].Kind != OverallScore || a.Measures[1].Kind != PillarScore || a.Measures[2].Code != "crime" {
		t.Fatalf("measures %+v", a.Measures)
	}
	crime, outcome := 2, 3
	type want struct {
		status     Status
		basis      Basis
		month, yoy Trend
	}
	// Crime against target 5 with a 5% (0.25) band; trend bands 2% of the
	// earlier value. Outcome against the peer median of 10, 20, 30 = 20.
	wants := map[string][2]want{
		"City of London": {{Green, BasisTarget, Improving, Worsening}, {Red, BasisPeerMedian, Stable, Worsening}},
		"Leicester":      {{Amber, BasisTarget, Stable, Stable}, {Green, BasisPeerMedian, Stable, Stable}},
		"Bristol":        {{Red, BasisTarget, Worsening, Improving}, {Green, BasisPeerMedian, Stable, Improving}},
		"Leeds":          {{Amber, BasisTarget, Stable, Stable}, {Unrated, 0, NoTrend, NoTrend}},
	}
	for i, u := range a.Units {
		for k, col := range []int{crime, outcome} {
			r, w := a.Ratings[i][col], wants[u][k]
			if r.Status != w.status || (w.status != Unrated && r.Basis != w.basis) || r.VsPreviousMonth != w.month || r.VsLastYear != w.yoy {
				t.Errorf("%s %s: %v vs %v %v, month %v, year %v; want %v vs %v, month %v, year %v",
					u, a.Measures[col].Code, r.Status, r.Basis, r.Reference, r.VsPreviousMonth, r.VsLastYear, w.status, w.basis, w.month, w.yoy)
			}
		}
	}
	if r := a.Ratings[2][outcome]; r.Reference != 20 {
		t.Errorf("outcome peer median %v, want 20", r.Reference)
	}
	// Overall scores against their own median.
	var green, red int
	for i := range a.Units {
		switch a.Ratings[i][0].Status {
		case Green:
			green++
		case Red:
			red++
		}
	}
	if green < 2 || red < 1 {
		t.Errorf("overall: %d GREEN, %d RED; at least half the units must be at or above the median", green, red)
	}
}

func TestAssessLastYearBasisAndTolerance(t *testing.T) {
	cur, _, lastYear := ragCase(t)
	cur.Framework.Indicators[0].Tolerance = 1 // absolute band of 1 per 1,000
	rules := RAGRules{Indicators: []Basis{BasisLastYear, BasisPeerMedian}, Scores: []Basis{BasisTarget}}
	a, err := Assess(cur, nil, lastYear, rules)
	if err != nil {
		t.Fatal(err)
	}
	// City of London: 4.9 against 4 a year ago, 0.9 worse, within the band.
	if r := a.Ratings[0][2]; r.Status != Amber || r.Basis != BasisLastYear || r.Reference != 4 {
		t.Errorf("City of London crime %+v", r)
	}
	// Bristol: 6 against 7, better.
	if r := a.Ratings[2][2]; r.Status != Green {
		t.Errorf("Bristol crime %+v", r)
	}
	// Scores have no target: unrated.
	if r := a.Ratings[0][0]; r.Status != Unrated || r.VsPreviousMonth != NoTrend {
		t.Errorf("overall %+v", r)
	}
	if _, err := Assess(cur, lastYear, nil, rules); err == nil {
		t.Error("a result from a year earlier was accepted as the previous month")
	}
}
