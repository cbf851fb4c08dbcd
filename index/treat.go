package index

import (
	"math"

	"gonum.org/v1/gonum/stat"
)

// Treatment records what outlier treatment did to one indicator.
type Treatment struct {
	Code       string
	Available  int     // units with a value after carrying forward
	Skew       float64 // before treatment; NaN when fewer than 4 values or all equal
	Kurtosis   float64 // excess kurtosis before treatment
	Winsorised int     // values replaced
	SkewAfter  float64
	KurtAfter  float64
	// StillOutlying is true when the limit on points was reached and the
	// indicator still failed the skew and kurtosis test. Compute then does
	// as COINr's Treat by default (f2 = log_CT on the original values):
	// LogTransformed is set, Winsorised counts the points Winsorising had
	// tried, and SkewAfter and KurtAfter describe the log-transformed values.
	StillOutlying  bool
	LogTransformed bool
}

// logCT replaces the non-missing values of col by COINr's log_CT,
// log(x − min + 0.01·(max − min)), and returns their skew and kurtosis.
// The transform is increasing, so the indicator's direction is unchanged.
func logCT(col []float64) (skew, kurt float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range col {
		if !math.IsNaN(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	var vals []float64
	for i, v := range col {
		if !math.IsNaN(v) {
			col[i] = math.Log(v - lo + 0.01*(hi-lo))
			vals = append(vals, col[i])
		}
	}
	return stat.Skew(vals, nil), stat.ExKurtosis(vals, nil)
}

// outlying reports whether values fail COINr's check_SkewKurt: both
// |skew| and kurtosis above their thresholds. Fewer than four values, or
// values that are all equal, cannot be judged and pass.
func (r OutlierRule) outlying(vals []float64) (skew, kurt float64, fails bool) {
	if len(vals) < 4 {
		return math.NaN(), math.NaN(), false
	}
	skew = stat.Skew(vals, nil)
	kurt = stat.ExKurtosis(vals, nil)
	return skew, kurt, math.Abs(skew) > r.MaxAbsSkew && kurt > r.MaxKurtosis
}

// winsorise treats the non-missing values of col in place and reports which
// positions it replaced. Each step replaces every copy of the extreme value
// on the side of the skew with the next value inward, as COINr's winsorise
// does, so tied extremes are treated together; it stops when the values pass
// or at least MaxPoints positions have been replaced.
func (r OutlierRule) winsorise(col []float64, code string) (Treatment, []bool) {
	var pos []int
	var vals []float64
	for i, v := range col {
		if !math.IsNaN(v) {
			pos = append(pos, i)
			vals = append(vals, v)
		}
	}
	t := Treatment{Code: code, Available: len(vals)}
	var fails bool
	t.Skew, t.Kurtosis, fails = r.outlying(vals)
	t.SkewAfter, t.KurtAfter = t.Skew, t.Kurtosis
	replaced := make([]bool, len(vals))
	for fails && t.Winsorised < r.MaxPoints {
		high := t.SkewAfter >= 0
		extreme, next := vals[0], math.NaN()
		for _, v := range vals {
			if (high && v > extreme) || (!high && v < extreme) {
				extreme = v
			}
		}
		for _, v := range vals {
			if v != extreme && (math.IsNaN(next) || (high && v > next) || (!high && v < next)) {
				next = v
			}
		}
		for k, v := range vals {
			if v == extreme {
				vals[k] = next
				if !replaced[k] {
					replaced[k] = true
					t.Winsorised++
				}
			}
		}
		t.SkewAfter, t.KurtAfter, fails = r.outlying(vals)
	}
	t.StillOutlying = fails
	if t.Winsorised == 0 {
		return t, nil
	}
	treated := make([]bool, len(col))
	for k, i := range pos {
		col[i] = vals[k]
		treated[i] = replaced[k]
	}
	return t, treated
}
