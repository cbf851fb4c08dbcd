package spatstat

import (
	"cmp"
	"math"
	"slices"
)

// AdjustBH returns the Benjamini–Hochberg adjusted p-values of p, as R's
// p.adjust(p, method = "BH"): with the m p-values sorted ascending,
//
//	p̃_(k) = min(1, min_{j ≥ k} m·p_(j)/j)
//
// which is monotone in p. Rejecting the hypotheses with p̃ ≤ α controls the
// false discovery rate at α (the step-up procedure of Benjamini & Hochberg
// 1995). NaN p-values stay NaN and, as in R, are not counted in m.
func AdjustBH(p []float64) []float64 {
	out := make([]float64, len(p))
	type rankP struct {
		p float64
		i int32
	}
	sorted := make([]rankP, 0, len(p))
	for i, v := range p {
		if math.IsNaN(v) {
			out[i] = math.NaN()
			continue
		}
		sorted = append(sorted, rankP{v, int32(i)})
	}
	// Ties in p get the same adjusted value whatever their order, so the
	// sort need not be stable.
	slices.SortFunc(sorted, func(a, b rankP) int { return cmp.Compare(a.p, b.p) })
	m := float64(len(sorted))
	running := math.Inf(1)
	for k := len(sorted) - 1; k >= 0; k-- {
		// m/k before the product, as R computes it, to agree to the last bit.
		running = min(running, m/float64(k+1)*sorted[k].p)
		out[sorted[k].i] = min(running, 1)
	}
	return out
}
