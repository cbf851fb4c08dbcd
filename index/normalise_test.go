package index

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

func TestNormaliseColumnKnownAnswers(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		col  []float64
		ind  Indicator
		kind Normalisation
		want []float64
		used Normalisation
	}{
		{"min-max higher better", []float64{2, 4, nan, 6, 10}, Indicator{Direction: HigherIsBetter}, MinMax,
			[]float64{0, 25, nan, 50, 100}, MinMax},
		{"min-max lower better", []float64{2, 4, 6, 10}, Indicator{Direction: LowerIsBetter}, MinMax,
			[]float64{100, 75, 50, 0}, MinMax},
		{"min-max constant", []float64{3, 3, 3}, Indicator{Direction: HigherIsBetter}, MinMax,
			[]float64{50, 50, 50}, MinMax},
		// mean 4, sample sd 2
		{"z-score higher better", []float64{2, 4, 6}, Indicator{Direction: HigherIsBetter}, ZScore,
			[]float64{-1, 0, 1}, ZScore},
		{"z-score lower better", []float64{2, 4, 6}, Indicator{Direction: LowerIsBetter}, ZScore,
			[]float64{1, 0, -1}, ZScore},
		// worst 10, target 25: (x−10)/15, capped at 1
		{"distance to target higher better", []float64{10, 20, 30}, Indicator{Direction: HigherIsBetter, Target: ptr(25)}, DistanceToTarget,
			[]float64{0, 100 * 10.0 / 15, 100}, DistanceToTarget},
		// worst 8, target 2: (8−x)/6
		{"distance to target lower better", []float64{8, 5, 1}, Indicator{Direction: LowerIsBetter, Target: ptr(2)}, DistanceToTarget,
			[]float64{0, 50, 100}, DistanceToTarget},
		{"distance to target all beyond target", []float64{8, 5}, Indicator{Direction: LowerIsBetter, Target: ptr(9)}, DistanceToTarget,
			[]float64{100, 100}, DistanceToTarget},
		{"distance to target without target", []float64{1, 3}, Indicator{Direction: HigherIsBetter}, DistanceToTarget,
			[]float64{0, 100}, MinMax},
	}
	for _, tt := range tests {
		dst := make([]float64, len(tt.col))
		used := normaliseColumn(dst, tt.col, &tt.ind, tt.kind)
		if used != tt.used {
			t.Errorf("%s: used %v, want %v", tt.name, used, tt.used)
		}
		for i := range dst {
			if math.IsNaN(tt.want[i]) != math.IsNaN(dst[i]) || (!math.IsNaN(dst[i]) && !approx(dst[i], tt.want[i], 1e-12)) {
				t.Errorf("%s: got %v, want %v", tt.name, dst, tt.want)
				break
			}
		}
	}
}

func TestImputePillarMeans(t *testing.T) {
	nan := math.NaN()
	// Two units, pillars {0,1,2} and {3}.
	z := []float64{
		10, nan, 40, 7,
		nan, nan, 90, 1,
	}
	imputePillarMeans(z, 4, [][]int{{0, 1, 2}, {3}})
	want := []float64{10, 25, 40, 7, 90, 90, 90, 1}
	if !slices.Equal(z, want) {
		t.Errorf("got %v, want %v", z, want)
	}
}

func TestGeometricFloorIsLowestZScore(t *testing.T) {
	// One unit far below n−1 equal others reaches the bound −(n−1)/√n.
	for n := 2; n < 12; n++ {
		col := make([]float64, n)
		col[0] = -1
		dst := make([]float64, n)
		normaliseColumn(dst, col, &Indicator{Direction: HigherIsBetter}, ZScore)
		if l := geometricFloor(ZScore, n); !approx(dst[0], l, 1e-12) {
			t.Errorf("n=%d: lowest z %v, floor %v", n, dst[0], l)
		}
	}
}

func TestWinsoriseCOINrExample(t *testing.T) {
	// COINr's own example: 1..10 with outliers 30 and 100. Skew 3.06 and
	// kurtosis 9.74 fail the test; replacing 100 by the next value inward,
	// 30, gives skew 1.71, which passes.
	col := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100}
	rule := DefaultMethod().Outliers
	tr, changed := rule.winsorise(col, "x")
	want := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 30}
	if !slices.Equal(col, want) {
		t.Errorf("treated %v, want %v", col, want)
	}
	if tr.Winsorised != 1 || !changed[11] || tr.StillOutlying {
		t.Errorf("treatment %+v, changed %v", tr, changed)
	}
	if !approx(tr.Skew, 3.063241034239499, 1e-9) || !approx(tr.Kurtosis, 9.741390834569144, 1e-9) {
		t.Errorf("skew %v kurtosis %v, want COINr's 3.0632 and 9.7414", tr.Skew, tr.Kurtosis)
	}
}

func TestWinsoriseProperties(t *testing.T) {
	rule := DefaultMethod().Outliers
	for seed := range uint64(200) {
		_, tab := synthetic(40, 1, 0.1, seed)
		col := make([]float64, 40)
		for i := range col {
			col[i] = tab.Values[i][0]
		}
		// A heavy tail on either side.
		col[int(seed)%40] = 1e3 * float64(1-2*int(seed%2))
		orig := slices.Clone(col)
		tr, changed := rule.winsorise(col, "x")
		if !tr.StillOutlying && tr.Winsorised < rule.MaxPoints {
			if _, _, fails := rule.outlying(nonMissing(col)); fails {
				t.Fatalf("seed %d: stopped early while still failing", seed)
			}
		}
		if tr.StillOutlying && tr.Winsorised < rule.MaxPoints {
			t.Fatalf("seed %d: still outlying after only %d points", seed, tr.Winsorised)
		}
		lo, hi := minMax(nonMissing(orig))
		for i := range col {
			if math.IsNaN(orig[i]) {
				if !math.IsNaN(col[i]) {
					t.Fatalf("seed %d: missing value filled", seed)
				}
				continue
			}
			if (col[i] != orig[i]) != (changed != nil && changed[i]) {
				t.Fatalf("seed %d: position %d changed %v but flagged %v", seed, i, col[i] != orig[i], changed != nil && changed[i])
			}
			if col[i] < lo || col[i] > hi {
				t.Fatalf("seed %d: treated value %v outside the original range", seed, col[i])
			}
			for k := range col {
				if !math.IsNaN(orig[k]) && orig[i] < orig[k] && col[i] > col[k] {
					t.Fatalf("seed %d: treatment changed the order of values", seed)
				}
			}
		}
	}
}

func nonMissing(x []float64) []float64 {
	var out []float64
	for _, v := range x {
		if !math.IsNaN(v) {
			out = append(out, v)
		}
	}
	return out
}

func minMax(x []float64) (float64, float64) {
	return slices.Min(x), slices.Max(x)
}

// TestLogFallback checks COINr's second treatment stage on built data: a
// Fibonacci tail that five Winsorised points cannot tame is log-transformed
// from its original values with log(x − min + 0.01·(max − min)).
func TestLogFallback(t *testing.T) {
	vals := []float64{2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597, 2584, 4181, 6765}
	for range 100 {
		vals = append(vals, 1)
	}
	fw := &Framework{
		Pillars:    []Pillar{{Code: "p", Name: "P", Weight: 1}},
		Indicators: []Indicator{{Code: "x", Pillar: "p", Direction: LowerIsBetter, Weight: 1}, {Code: "y", Pillar: "p", Direction: HigherIsBetter, Weight: 1}},
	}
	tab := &Table{Period: "2021-03", Codes: []string{"x", "y"}}
	for i, v := range vals {
		tab.Units = append(tab.Units, fmt.Sprintf("u%03d", i))
		tab.Values = append(tab.Values, []float64{v, float64(i)})
	}
	m := DefaultMethod()
	m.Uncertainty.Draws = 0
	res, err := Compute(fw, tab, nil, m)
	if err != nil {
		t.Fatal(err)
	}
	tr := res.Treatments[0]
	if !tr.StillOutlying || !tr.LogTransformed || tr.Winsorised != 5 || res.Treatments[1].LogTransformed {
		t.Fatalf("treatments %+v", res.Treatments)
	}
	for i, v := range vals {
		u := res.Unit(tab.Units[i])
		want := math.Log(v - 1 + 0.01*6764)
		if math.Abs(u.Treated[0]-want) > 1e-12 || u.Flags[0]&FlagLogTransformed == 0 || u.Flags[0]&FlagWinsorised != 0 {
			t.Errorf("%s: treated %v flags %v, want %v log-transformed", u.Unit, u.Treated[0], u.Flags[0], want)
		}
	}
	// The worst value (6765) is still the worst after the transform.
	if u := res.Unit("u017"); u.Normalised[0] != 0 {
		t.Errorf("6765 normalised to %v, want 0 (lower is better)", u.Normalised[0])
	}
}
