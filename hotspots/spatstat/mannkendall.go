package spatstat

import (
	"math"
	"slices"
)

// MannKendall is the result of a Mann–Kendall test for a monotonic trend.
type MannKendall struct {
	S    float64 // Σ_{i<j} sign(x_j − x_i); positive for an upward trend
	VarS float64 // variance of S under no trend, corrected for ties
	Z    float64 // standardised S with continuity correction
	P    float64 // two-sided p-value of Z
}

// MannKendallTest returns the Mann–Kendall trend test of the series x, oldest
// first, as in ArcGIS Emerging Hot Spot Analysis and PySAL esda:
//
//	S      = Σ_{i<j} sign(x_j − x_i)
//	Var(S) = (n(n−1)(2n+5) − Σ_t t(t−1)(2t+5)) / 18
//	Z      = (S − 1)/√Var(S) if S > 0,  (S + 1)/√Var(S) if S < 0,  else 0
//
// where t runs over the sizes of groups of tied values, and P = 2(1 − Φ(|Z|)).
// A series too short or too tied to vary (Var(S) = 0) has Z = 0 and P = 1.
// It takes O(n²) time, which is nothing for monthly series. NaN values are
// neither above nor below any other value.
func MannKendallTest(x []float64) MannKendall {
	return mannKendall(x, make([]float64, len(x)))
}

// mannKendall is MannKendallTest using sorted (len(x) values) as scratch.
func mannKendall(x, sorted []float64) MannKendall {
	n := len(x)
	var s float64
	for i := range n {
		for j := i + 1; j < n; j++ {
			switch {
			case x[j] > x[i]:
				s++
			case x[j] < x[i]:
				s--
			}
		}
	}
	fn := float64(n)
	v := fn * (fn - 1) * (2*fn + 5)
	copy(sorted, x)
	slices.Sort(sorted)
	for i := 0; i < n; {
		j := i + 1
		for j < n && sorted[j] == sorted[i] {
			j++
		}
		t := float64(j - i)
		v -= t * (t - 1) * (2*t + 5)
		i = j
	}
	mk := MannKendall{S: s, VarS: v / 18, P: 1}
	if mk.VarS <= 0 {
		return mk
	}
	switch {
	case s > 0:
		mk.Z = (s - 1) / math.Sqrt(mk.VarS)
	case s < 0:
		mk.Z = (s + 1) / math.Sqrt(mk.VarS)
	}
	mk.P = twoSidedP(mk.Z)
	return mk
}
