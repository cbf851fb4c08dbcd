package change

import (
	"math"
	"testing"
)

// TestBinomialTestMatchesR checks the two-sided exact p-values against R's
// binom.test (682 of 925 at 3/4 is its documented example, p = 0.3825); the
// others were summed in exact rational arithmetic with R's 1e−7 tolerance.
func TestBinomialTestMatchesR(t *testing.T) {
	for _, tc := range []struct {
		x, n int
		p    float64
		want float64
	}{
		{682, 925, 0.75, 0.3824915595748517},
		{12, 20, 0.5, 0.5034446716308594},
		{3, 20, 0.5, 0.0025768280029296875},
		{30, 40, 0.5, 0.0022214337732293643},
		{5, 5, 0.5, 0.0625},
		{0, 7, 1.0 / 3, 0.10379515317786922},
		{40, 50, 12.0 / 13, 0.004277037491660357},
	} {
		if got := BinomialTest(tc.x, tc.n, tc.p); math.Abs(got-tc.want) > 1e-12*max(tc.want, 1e-3) {
			t.Errorf("binom.test(%d, %d, %v): p = %.17g, want %.17g", tc.x, tc.n, tc.p, got, tc.want)
		}
	}
}

func TestCompare(t *testing.T) {
	// A month against the same month a year on; and a year against a month
	// (exposure 12), where 12 times the count is no change.
	got, err := Compare([]float64{10, 20, 0, 0, 8}, []float64{30, 8, 0, 4, 8}, 1)
	if err != nil {
		t.Fatal(err)
	}
	// 10 → 30 is 30 of 40 at p₀ = 1/2; 20 → 8 is 8 of 28.
	if c := got[0]; c.Change != 20 || c.Percent != 200 || c.RateRatio != 3 || math.Abs(c.P-0.0022214337732293643) > 1e-15 {
		t.Errorf("10 → 30: %+v", c)
	}
	if c := got[2]; c.P != 1 || !math.IsNaN(c.Percent) || !math.IsNaN(c.RateRatio) {
		t.Errorf("0 → 0: %+v", c)
	}
	if c := got[3]; !math.IsNaN(c.Percent) || !math.IsInf(c.RateRatio, 1) || c.P != 0.125 { // 4 of 4 or 0 of 4: 2/16
		t.Errorf("0 → 4: %+v", c)
	}
	if c := got[4]; c.P != 1 || c.Percent != 0 {
		t.Errorf("8 → 8: %+v", c)
	}
	for i, c := range got {
		if c.PFDR < c.P {
			t.Errorf("area %d: adjusted p %v below p %v", i, c.PFDR, c.P)
		}
	}
	year, err := Compare([]float64{5}, []float64{60}, 12)
	if err != nil {
		t.Fatal(err)
	}
	if c := year[0]; c.RateRatio != 1 || c.P < 0.9 {
		t.Errorf("5 a month → 60 a year: %+v", c)
	}
	if _, err := Compare([]float64{1.5}, []float64{2}, 1); err == nil {
		t.Error("fractional count accepted")
	}
}
