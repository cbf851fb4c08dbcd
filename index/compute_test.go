package index

import (
	"math"
	"strings"
	"testing"
)

// threeUnits is the hand-worked example: indicators a (higher is better)
// and b (lower is better) form pillar P1, c (higher is better) forms P2.
//
//	      a   b   c    min-max: a    b    c
//	A     0   1   2             0  100    0
//	B     5   3   4            50   50  100
//	C    10   5   3           100    0   50
func threeUnits() (*Framework, *Table) {
	fw := &Framework{
		Pillars: []Pillar{{Code: "P1", Weight: 3}, {Code: "P2", Weight: 1}},
		Indicators: []Indicator{
			{Code: "a", Pillar: "P1", Direction: HigherIsBetter, Weight: 1},
			{Code: "b", Pillar: "P1", Direction: LowerIsBetter, Weight: 3},
			{Code: "c", Pillar: "P2", Direction: HigherIsBetter, Weight: 1},
		},
	}
	t := &Table{
		Period: "2025-03",
		Units:  []string{"A", "B", "C"},
		Codes:  []string{"a", "b", "c"},
		Values: [][]float64{{0, 1, 2}, {5, 3, 4}, {10, 5, 3}},
	}
	return fw, t
}

func TestAggregationKnownAnswers(t *testing.T) {
	fw, tab := threeUnits()
	g := func(x ...float64) float64 { // equal-weight geometric mean of x+1, minus 1
		p := 1.0
		for _, v := range x {
			p *= v + 1
		}
		return math.Pow(p, 1/float64(len(x))) - 1
	}
	tests := []struct {
		name   string
		method Method
		pillar [][]float64
		score  []float64
		rank   []int
	}{
		{
			name:   "arithmetic, equal weights",
			method: Method{},
			pillar: [][]float64{{50, 0}, {50, 100}, {50, 50}},
			score:  []float64{25, 75, 50},
			rank:   []int{3, 1, 2},
		},
		{
			name:   "geometric, equal weights",
			method: Method{Aggregation: Geometric},
			pillar: [][]float64{{g(0, 100), 0}, {50, 100}, {g(100, 0), 50}},
			score:  []float64{g(g(0, 100), 0), g(50, 100), g(g(100, 0), 50)},
			rank:   []int{3, 1, 2},
		},
		{
			// P1 = (1·a + 3·b)/4, overall = (3·P1 + 1·P2)/4.
			name:   "arithmetic, expert weights",
			method: Method{Weighting: ExpertWeights, PillarWeighting: ExpertWeights},
			pillar: [][]float64{{75, 0}, {50, 100}, {25, 50}},
			score:  []float64{56.25, 62.5, 31.25},
			rank:   []int{2, 1, 3},
		},
		{
			// z-scores: a −1,0,1; b 1,0,−1; c −1,1,0.
			name:   "arithmetic, z-score",
			method: Method{Normalisation: ZScore},
			pillar: [][]float64{{0, -1}, {0, 1}, {0, 0}},
			score:  []float64{-0.5, 0.5, 0},
			rank:   []int{3, 1, 2},
		},
	}
	for _, tt := range tests {
		r := mustCompute(t, fw, tab, nil, tt.method)
		for i, u := range r.Units {
			for p := range u.PillarScores {
				if !approx(u.PillarScores[p], tt.pillar[i][p], 1e-12) {
					t.Errorf("%s: %s pillar %d = %v, want %v", tt.name, u.Unit, p, u.PillarScores[p], tt.pillar[i][p])
				}
			}
			if !approx(u.Score, tt.score[i], 1e-12) || u.Rank != tt.rank[i] {
				t.Errorf("%s: %s score %v rank %d, want %v rank %d", tt.name, u.Unit, u.Score, u.Rank, tt.score[i], tt.rank[i])
			}
		}
	}
}

func TestGeometricEqualsArithmeticOnEqualInputs(t *testing.T) {
	fw, tab := synthetic(6, 6, 0, 3)
	for j := range tab.Codes {
		v := tab.Values[0][j]
		for i := range tab.Values {
			if i%2 == 0 {
				tab.Values[i][j] = v // units 0, 2, 4 equal on every indicator
			}
		}
	}
	for _, norm := range []Normalisation{MinMax, ZScore} {
		ar := mustCompute(t, fw, tab, nil, Method{Normalisation: norm})
		ge := mustCompute(t, fw, tab, nil, Method{Normalisation: norm, Aggregation: Geometric})
		for i := range ar.Units {
			// A unit whose normalised values are all equal gets that value
			// under either mean; check pillar scores where that holds.
			for p, js := range [][]int{{0, 3}, {1, 4}, {2, 5}} {
				if ar.Units[i].Normalised[js[0]] == ar.Units[i].Normalised[js[1]] && !approx(ar.Units[i].PillarScores[p], ge.Units[i].PillarScores[p], 1e-9) {
					t.Errorf("%v: unit %d pillar %d arithmetic %v geometric %v", norm, i, p, ar.Units[i].PillarScores[p], ge.Units[i].PillarScores[p])
				}
			}
		}
	}
}

func TestTiesShareLowestRank(t *testing.T) {
	ranks := make([]int32, 5)
	rankInto(ranks, []float64{3, 7, 7, 1, 3}, make([]scored, 5))
	want := []int32{3, 1, 1, 5, 3}
	for i := range ranks {
		if ranks[i] != want[i] {
			t.Fatalf("ranks %v, want %v", ranks, want)
		}
	}
}

func TestEqualDataGiveEqualScores(t *testing.T) {
	fw, tab := synthetic(8, 9, 0, 5)
	for i := range tab.Values {
		copy(tab.Values[i], tab.Values[0])
	}
	for _, m := range []Method{{}, {Aggregation: Geometric}, {Normalisation: ZScore}, {Normalisation: ZScore, Aggregation: Geometric}, DefaultMethod()} {
		r := mustCompute(t, fw, tab, nil, m)
		for _, u := range r.Units {
			if u.Score != r.Units[0].Score || u.Rank != 1 {
				t.Fatalf("%v/%v: %s score %v rank %d, unit 0 score %v", m.Normalisation, m.Aggregation, u.Unit, u.Score, u.Rank, r.Units[0].Score)
			}
			if r.Uncertainty != nil && (u.Interval.P05 != 1 || u.Interval.P95 != 1) {
				t.Fatalf("%s rank interval %+v, want all 1", u.Unit, u.Interval)
			}
		}
	}
}

func TestMissingValuesCarriedForwardThenPillarMean(t *testing.T) {
	fw, tab := threeUnits()
	tab.Values[0][0] = math.NaN() // A.a: in the previous table
	tab.Values[1][1] = math.NaN() // B.b: not in the previous table
	prev := &Table{
		Period: "2025-02",
		Units:  []string{"A", "B"},
		Codes:  []string{"a", "b"},
		Values: [][]float64{{4, 9}, {7, math.NaN()}},
	}
	r := mustCompute(t, fw, tab, prev, Method{})
	a, b := r.Unit("A"), r.Unit("B")
	if a.Treated[0] != 4 || a.Flags[0] != FlagMissing|FlagCarriedForward || !math.IsNaN(a.Values[0]) {
		t.Errorf("A.a treated %v flags %v, want 4 carried forward", a.Treated[0], a.Flags[0])
	}
	// a is now 4, 5, 10: min-max gives B 100·1/6.
	if !approx(b.Normalised[0], 100.0/6, 1e-12) {
		t.Errorf("B.a normalised %v, want 100/6", b.Normalised[0])
	}
	// b is now 1, _, 5; B.b takes the mean of B's other P1 values: B.a.
	if b.Flags[1] != FlagMissing|FlagPillarMean || !approx(b.Normalised[1], 100.0/6, 1e-12) {
		t.Errorf("B.b normalised %v flags %v, want 100/6 by pillar mean", b.Normalised[1], b.Flags[1])
	}
	if a.Flags[2] != 0 {
		t.Errorf("A.c flags %v, want none", a.Flags[2])
	}
}

func TestScreeningExcludesSparseUnits(t *testing.T) {
	fw, tab := synthetic(6, 9, 0, 7)
	for j := range 4 {
		tab.Values[2][j] = math.NaN() // 5 of 9 left: 56% < 2/3
	}
	for _, j := range []int{0, 3, 6} {
		tab.Values[4][j] = math.NaN() // all of pillar DIG
	}
	m := DefaultMethod()
	m.Uncertainty.Draws = 0
	r := mustCompute(t, fw, tab, nil, m)
	if len(r.Units) != 4 || len(r.Excluded) != 2 {
		t.Fatalf("scored %d, excluded %+v", len(r.Units), r.Excluded)
	}
	if r.Excluded[0].Unit != "Unit 002" || !strings.Contains(r.Excluded[0].Reason, "5 of 9") {
		t.Errorf("exclusion %+v", r.Excluded[0])
	}
	if r.Excluded[1].Unit != "Unit 004" || !strings.Contains(r.Excluded[1].Reason, `"DIG"`) {
		t.Errorf("exclusion %+v", r.Excluded[1])
	}
}

func TestComputeErrors(t *testing.T) {
	fw, tab := threeUnits()
	bad := *tab
	bad.Codes = []string{"a", "b", "zz"}
	if _, err := Compute(fw, &bad, nil, Method{}); err == nil || !strings.Contains(err.Error(), `"zz"`) {
		t.Errorf("unknown column: err %v", err)
	}
	bad = *tab
	bad.Period = "March 2025"
	if _, err := Compute(fw, &bad, nil, Method{}); err == nil {
		t.Error("bad period accepted")
	}
	if _, err := Compute(fw, tab, nil, Method{Weighting: ExpertWeights, PillarWeighting: PCAWeights}); err == nil {
		t.Error("PCA pillar weights accepted")
	}
	fw2, _ := threeUnits()
	fw2.Indicators[0].Weight = 0
	if _, err := Compute(fw2, tab, nil, Method{Weighting: ExpertWeights}); err == nil || !strings.Contains(err.Error(), `"a"`) {
		t.Errorf("missing expert weight: err %v", err)
	}
	fw2.Indicators[0].Pillar = "nope"
	if _, err := Compute(fw2, tab, nil, Method{}); err == nil || !strings.Contains(err.Error(), "unknown pillar") {
		t.Errorf("unknown pillar: err %v", err)
	}
	one := &Table{Period: "2025-03", Units: []string{"A"}, Codes: tab.Codes, Values: tab.Values[:1]}
	if _, err := Compute(fw, one, nil, Method{}); err == nil {
		t.Error("single unit accepted")
	}
	m := DefaultMethod()
	m.Uncertainty.Draws = 3
	if _, err := Compute(fw, tab, nil, m); err == nil {
		t.Error("fewer draws than combinations accepted")
	}
}

func TestTableFromObservations(t *testing.T) {
	tab, err := TableFromObservations("2025-03", []Observation{
		{"Leicester", "burglary", 4.1}, {"Bristol", "burglary", 3.2}, {"Leicester", "outcomes", 0.12},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Units) != 2 || len(tab.Codes) != 2 || tab.Values[0][1] != 0.12 || !math.IsNaN(tab.Values[1][1]) {
		t.Errorf("table %+v", tab)
	}
	_, err = TableFromObservations("2025-03", []Observation{{"A", "x", 1}, {"A", "x", 2}})
	if err == nil || !strings.Contains(err.Error(), `"A"`) {
		t.Errorf("duplicate accepted: %v", err)
	}
}

func TestEffectiveWeightsSumToOne(t *testing.T) {
	fw, tab := synthetic(10, 7, 0, 9)
	r := mustCompute(t, fw, tab, nil, Method{Weighting: ExpertWeights})
	var s float64
	for j := range fw.Indicators {
		s += r.EffectiveWeight(j)
	}
	if !approx(s, 1, 1e-12) {
		t.Errorf("effective weights sum to %v", s)
	}
}
