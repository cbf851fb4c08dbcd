package index

import (
	"math"
	"reflect"
	"runtime"
	"testing"
)

func monteCarloMethod(draws int, seed uint64) Method {
	m := DefaultMethod()
	m.Uncertainty.Draws = draws
	m.Uncertainty.Seed = seed
	return m
}

func TestMonteCarloIsReproducible(t *testing.T) {
	fw, tab := synthetic(40, 12, 0.05, 17)
	a := mustCompute(t, fw, tab, nil, monteCarloMethod(2000, 7))
	b := mustCompute(t, fw, tab, nil, monteCarloMethod(2000, 7))
	if !reflect.DeepEqual(intervals(a), intervals(b)) || !reflect.DeepEqual(a.Uncertainty, b.Uncertainty) {
		t.Fatal("the same seed gave different results")
	}
	c := mustCompute(t, fw, tab, nil, monteCarloMethod(2000, 8))
	if reflect.DeepEqual(c.Uncertainty.Sensitivity, a.Uncertainty.Sensitivity) {
		t.Error("a different seed gave the same sensitivity to the last bit")
	}
}

func TestMonteCarloDoesNotDependOnScheduling(t *testing.T) {
	fw, tab := synthetic(40, 12, 0.05, 19)
	m := monteCarloMethod(3000, 3)
	var want *Result
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2, 5} {
		runtime.GOMAXPROCS(procs)
		for _, workers := range []int{0, 1, 3, 8} {
			m.Uncertainty.Workers = workers
			r := mustCompute(t, fw, tab, nil, m)
			if want == nil {
				want = r
				continue
			}
			if !reflect.DeepEqual(intervals(r), intervals(want)) || !reflect.DeepEqual(r.Uncertainty.Sensitivity, want.Uncertainty.Sensitivity) {
				t.Fatalf("GOMAXPROCS %d, %d workers: results differ from GOMAXPROCS 1", procs, workers)
			}
		}
	}
}

func intervals(r *Result) []RankInterval {
	var out []RankInterval
	for _, u := range r.Units {
		out = append(out, u.Interval)
	}
	return out
}

func TestMonteCarloIntervals(t *testing.T) {
	fw, tab := synthetic(30, 9, 0.05, 23)
	r := mustCompute(t, fw, tab, nil, monteCarloMethod(4000, 1))
	n := len(r.Units)
	var width int
	for _, u := range r.Units {
		iv := u.Interval
		if !(1 <= iv.P05 && iv.P05 <= iv.Median && iv.Median <= iv.P95 && iv.P95 <= n) {
			t.Fatalf("%s: interval %+v", u.Unit, iv)
		}
		if iv.Mean < float64(iv.P05) || iv.Mean > float64(iv.P95) {
			t.Errorf("%s: mean rank %v outside [%d, %d]", u.Unit, iv.Mean, iv.P05, iv.P95)
		}
		width += iv.P95 - iv.P05
	}
	if width == 0 {
		t.Error("no rank moved in 4000 draws of noisy data")
	}
	var meanRanks float64
	for _, u := range r.Units {
		meanRanks += u.Interval.Mean
	}
	// Without ties the ranks of each draw are 1..n.
	if !approx(meanRanks, float64(n*(n+1))/2, 1e-9) {
		t.Errorf("mean ranks sum to %v, want %d", meanRanks, n*(n+1)/2)
	}
}

// TestMonteCarloDominance uses units that are strictly ordered on every
// indicator: no choice of weights, normalisation or aggregation can change
// the ranking, so every interval is the nominal rank and no choice moves
// any rank.
func TestMonteCarloDominance(t *testing.T) {
	fw, tab := synthetic(15, 9, 0, 29)
	for i := range tab.Values {
		for j := range tab.Values[i] {
			tab.Values[i][j] = math.Pow(1.1+0.1*float64(j), float64(i)) * float64(-fw.Indicators[j].Direction)
		}
	}
	r := mustCompute(t, fw, tab, nil, monteCarloMethod(1000, 5))
	for _, u := range r.Units {
		iv := u.Interval
		if iv.P05 != u.Rank || iv.P95 != u.Rank || iv.Median != u.Rank {
			t.Errorf("%s: rank %d, interval %+v", u.Unit, u.Rank, iv)
		}
	}
	for _, s := range r.Uncertainty.Sensitivity {
		if s.MeanAbsRankShift != 0 || s.VarianceShare != 0 {
			t.Errorf("sensitivity %+v, want none", s)
		}
	}
}

func TestSensitivityIsolatesTheVariedChoice(t *testing.T) {
	fw, tab := synthetic(30, 9, 0, 31)
	m := monteCarloMethod(2000, 9)
	m.Uncertainty.Normalisations = nil
	m.Uncertainty.Aggregations = nil
	r := mustCompute(t, fw, tab, nil, m)
	s := r.Uncertainty.Sensitivity
	if s[0].Choice != "weights" || s[0].MeanAbsRankShift <= 0 || !approx(s[0].VarianceShare, 1, 1e-12) {
		t.Errorf("weights only varied: %+v", s[0])
	}
	for _, c := range s[1:] {
		if c.MeanAbsRankShift != 0 || c.VarianceShare != 0 {
			t.Errorf("%s not varied but %+v", c.Choice, c)
		}
	}

	// Without weight noise, all variance comes from the discrete choices.
	m = monteCarloMethod(2000, 9)
	m.Uncertainty.WeightPerturbation = 0
	r = mustCompute(t, fw, tab, nil, m)
	s = r.Uncertainty.Sensitivity
	if s[0].MeanAbsRankShift != 0 || s[0].VarianceShare > 1e-12 {
		t.Errorf("weights fixed but %+v", s[0])
	}
	if s[1].MeanAbsRankShift <= 0 && s[2].MeanAbsRankShift <= 0 {
		t.Errorf("neither normalisation nor aggregation moved a rank: %+v", s)
	}
}

// BenchmarkMonteCarlo350x30x10000 times Compute with the default method:
// 350 units, 30 indicators, 10,000 draws.
func BenchmarkMonteCarlo350x30x10000(b *testing.B) {
	fw, tab := synthetic(350, 30, 0.02, 1)
	m := monteCarloMethod(10000, 1)
	for b.Loop() {
		if _, err := Compute(fw, tab, nil, m); err != nil {
			b.Fatal(err)
		}
	}
}
