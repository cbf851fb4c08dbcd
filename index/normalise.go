package index

import (
	"math"

	"gonum.org/v1/gonum/stat"
)

// normaliseColumn writes the normalised values of col into dst (NaN where
// col is missing) and returns the normalisation actually used, which is
// MinMax when DistanceToTarget is asked for an indicator without a target.
func normaliseColumn(dst, col []float64, ind *Indicator, kind Normalisation) Normalisation {
	if kind == DistanceToTarget && ind.Target == nil {
		kind = MinMax
	}
	dir := float64(ind.Direction)
	lo, hi := math.Inf(1), math.Inf(-1)
	var avail []float64
	for _, v := range col {
		if !math.IsNaN(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
			avail = append(avail, v)
		}
	}
	var f func(v float64) float64
	switch kind {
	case MinMax:
		f = func(v float64) float64 {
			if hi == lo {
				return 50
			}
			s := (v - lo) / (hi - lo) * 100
			if dir < 0 {
				return 100 - s
			}
			return s
		}
	case ZScore:
		mean, sd := stat.MeanStdDev(avail, nil)
		f = func(v float64) float64 {
			if !(sd > 0) {
				return 0
			}
			return dir * (v - mean) / sd
		}
	case DistanceToTarget:
		// Distance from the worst unit towards the target, capped at the
		// target: units at or beyond it all score 100.
		target, worst := *ind.Target, lo
		if dir < 0 {
			worst = hi
		}
		f = func(v float64) float64 {
			gap := dir * (target - worst)
			if gap <= 0 {
				return 100
			}
			return 100 * math.Min(1, dir*(v-worst)/gap)
		}
	}
	for i, v := range col {
		if math.IsNaN(v) {
			dst[i] = math.NaN()
		} else {
			dst[i] = f(v)
		}
	}
	return kind
}

// imputePillarMeans replaces each missing normalised value (row-major z,
// m columns) with the mean of the unit's other normalised values in the same
// pillar. Screening guarantees every unit has a value in every pillar.
func imputePillarMeans(z []float64, m int, members [][]int) {
	for row := 0; row < len(z); row += m {
		u := z[row : row+m]
		for _, js := range members {
			var sum float64
			var n int
			for _, j := range js {
				if !math.IsNaN(u[j]) {
					sum += u[j]
					n++
				}
			}
			for _, j := range js {
				if math.IsNaN(u[j]) {
					u[j] = sum / float64(n)
				}
			}
		}
	}
}

// geometricFloor returns L, the value that the geometric mean shifts to 1:
// the lowest value the normalisation can give. A z-score with the sample
// standard deviation of n values is at least −(n−1)/√n. A floor that
// depends only on n, not on the data, keeps every unit's geometric score
// increasing in each of its own indicator values.
func geometricFloor(kind Normalisation, n int) float64 {
	if kind != ZScore {
		return 0
	}
	return -float64(n-1) / math.Sqrt(float64(n))
}
