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

// KNearest returns, for areas at (x[i], y[i]) (centroids in metres), the k
// other areas nearest to each, nearest first (ties by index), or all the
// others when there are no more than k: neighbourhoods of the same size in
// a city, where areas are small, and on moorland, where they are large. A
// distance band instead grows to the widest gap between any area and its
// nearest, and then takes in hundreds of a city's areas.
func KNearest(x, y []float64, k int) [][]int {
	nb := make([][]int, len(x))
	if k <= 0 {
		return nb
	}
	order := make([]int, len(x))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(x[a], x[b]) })
	best := make([]near, 0, k+1)
	for pos, i := range order {
		best = best[:0]
		// Walk outwards in x from the area; once the gap in x alone passes
		// the k-th nearest distance found, no farther area can be nearer.
		for lo, hi := pos-1, pos+1; lo >= 0 || hi < len(order); {
			var j int
			switch {
			case hi >= len(order) || (lo >= 0 && x[i]-x[order[lo]] <= x[order[hi]]-x[i]):
				j, lo = order[lo], lo-1
			default:
				j, hi = order[hi], hi+1
			}
			if len(best) == k && math.Abs(x[j]-x[i]) > best[k-1].d {
				break
			}
			best = keepNearest(best, near{j, math.Hypot(x[j]-x[i], y[j]-y[i])}, k)
		}
		for _, c := range best {
			nb[i] = append(nb[i], c.j)
		}
	}
	return nb
}

type near struct {
	j int
	d float64
}

// keepNearest inserts c into best, sorted by distance then index, keeping
// at most k.
func keepNearest(best []near, c near, k int) []near {
	at, _ := slices.BinarySearchFunc(best, c, func(a, b near) int {
		return cmp.Or(cmp.Compare(a.d, b.d), cmp.Compare(a.j, b.j))
	})
	if at == k {
		return best
	}
	best = slices.Insert(best, at, c)
	if len(best) > k {
		best = best[:k]
	}
	return best
}
