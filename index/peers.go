package index

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/stat"
)

// MostSimilar returns, for each unit, the indices of its k most similar
// other units, nearest first: the "most similar groups" the Home Office's
// iQuanta uses to compare forces and community safety partnerships.
// features[i] holds unit i's characteristics (population, density, crime
// mix…), NaN where unknown. Each feature is standardised to mean 0 and
// standard deviation 1 over the units that have it; the distance between
// two units is the root mean square of their differences over the
// features both have, so a unit missing one feature (a Welsh district's
// density) is compared on the others. Ties are broken by index.
func MostSimilar(features [][]float64, k int) [][]int {
	n := len(features)
	if n == 0 {
		return nil
	}
	z := standardise(features)
	k = min(k, n-1)
	out := make([][]int, n)
	type cand struct {
		j int
		d float64
	}
	cands := make([]cand, 0, n)
	for i := range z {
		cands = cands[:0]
		for j := range z {
			if j != i {
				cands = append(cands, cand{j, distance(z[i], z[j])})
			}
		}
		sort.SliceStable(cands, func(a, b int) bool { return cands[a].d < cands[b].d })
		for _, c := range cands[:k] {
			out[i] = append(out[i], c.j)
		}
	}
	return out
}

func standardise(features [][]float64) [][]float64 {
	nf := len(features[0])
	z := make([][]float64, len(features))
	for i := range z {
		z[i] = make([]float64, nf)
	}
	col := make([]float64, 0, len(features))
	for f := range nf {
		col = col[:0]
		for _, row := range features {
			if !math.IsNaN(row[f]) {
				col = append(col, row[f])
			}
		}
		mean, sd := math.NaN(), math.NaN()
		if len(col) > 1 {
			mean, sd = stat.MeanStdDev(col, nil)
		}
		for i, row := range features {
			switch {
			case math.IsNaN(row[f]) || !(sd > 0):
				z[i][f] = math.NaN() // unknown, or the same for everyone
			default:
				z[i][f] = (row[f] - mean) / sd
			}
		}
	}
	return z
}

// distance is the root mean square difference over the features a and b
// both have; +Inf when they share none.
func distance(a, b []float64) float64 {
	diff := make([]float64, 0, len(a))
	for f := range a {
		if !math.IsNaN(a[f]) && !math.IsNaN(b[f]) {
			diff = append(diff, a[f]-b[f])
		}
	}
	if len(diff) == 0 {
		return math.Inf(1)
	}
	return floats.Norm(diff, 2) / math.Sqrt(float64(len(diff)))
}

// peerRank is 1 plus the number of a unit's peers ranked strictly better.
func peerRank(ranks []int32, i int, peers []int32) int32 {
	r := int32(1)
	for _, j := range peers {
		if ranks[j] < ranks[i] {
			r++
		}
	}
	return r
}
