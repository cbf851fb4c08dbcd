package rates

import (
	"cmp"
	"math"
	"slices"
)

// BandNeighbours returns, for areas at (x[i], y[i]) (centroids in metres),
// the other areas within band metres: distance-band weights for SpatialEB
// when no contiguity is at hand. Areas are swept in order of x, so only
// those within band in x are compared.
func BandNeighbours(x, y []float64, band float64) [][]int {
	order := make([]int, len(x))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(x[a], x[b]) })
	nb := make([][]int, len(x))
	for k, i := range order {
		for _, j := range order[k+1:] {
			if x[j]-x[i] > band {
				break
			}
			if math.Hypot(x[j]-x[i], y[j]-y[i]) <= band {
				nb[i] = append(nb[i], j)
				nb[j] = append(nb[j], i)
			}
		}
	}
	return nb
}
