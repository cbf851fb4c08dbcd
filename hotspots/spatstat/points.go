package spatstat

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/paulmach/orb"
)

// GiStarPoints returns Gi* for arbitrary locations pts with one value each,
// with binary weights for the locations within band metres of each other,
// each location included in its own neighbourhood — ArcGIS Hot Spot Analysis
// with a fixed distance band, or spdep localG on
// include.self(dnearneigh(xy, 0, band)). Coincident locations are neighbours.
func GiStarPoints(pts []orb.Point, values []float64, band float64) (GiStar, error) {
	n := len(pts)
	if n < 2 {
		return GiStar{}, fmt.Errorf("spatstat: Gi* needs at least 2 points, got %d", n)
	}
	nb, sums, err := BandSums(pts, values, band)
	if err != nil {
		return GiStar{}, err
	}
	mean, sd := meanSD(values)
	if sd == 0 {
		return GiStar{}, ErrNoVariance
	}
	gs := newGiStar(n)
	for i, local := range sums {
		gs.Neighbours[i] = nb[i]
		gs.Z[i] = giStarZ(local, int(nb[i]), n, mean, sd)
	}
	gs.finish()
	return gs, nil
}

// BandSums returns, for each of the locations pts, the number of locations
// within band metres of it and the sum of their values, the location itself
// included (so every count is at least 1): the neighbourhoods of a fixed
// distance band, as spdep dnearneigh(xy, 0, band) plus the location itself.
// Statistics that exclude the location subtract 1 and its own value.
//
// Neighbours are found through square buckets of side band, so each location
// examines only the 3×3 buckets around its own.
func BandSums(pts []orb.Point, values []float64, band float64) (neighbours []int32, sums []float64, err error) {
	n := len(pts)
	if len(values) != n {
		return nil, nil, fmt.Errorf("spatstat: %d values for %d points", len(values), n)
	}
	if err := checkBand(band); err != nil {
		return nil, nil, err
	}
	bound := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for i, p := range pts {
		if !finite(p.X()) || !finite(p.Y()) {
			return nil, nil, fmt.Errorf("spatstat: point %d is at (%v, %v)", i, p.X(), p.Y())
		}
		if !finite(values[i]) {
			return nil, nil, fmt.Errorf("spatstat: value of point %d is %v", i, values[i])
		}
		bound = bound.Extend(p)
	}

	// With a zero band only coincident points are neighbours; any positive
	// bucket size then finds them.
	size := band
	if size == 0 {
		size = 1
	}
	nbx := math.Floor((bound.Max.X()-bound.Min.X())/size) + 1
	nby := math.Floor((bound.Max.Y()-bound.Min.Y())/size) + 1
	if nbx > math.MaxInt32 || nby > math.MaxInt32 {
		return nil, nil, fmt.Errorf("spatstat: distance band %v is too small for points spanning %v × %v",
			band, bound.Max.X()-bound.Min.X(), bound.Max.Y()-bound.Min.Y())
	}
	cols := int64(nbx)
	bucket := func(p orb.Point) (bx, by int64) {
		return int64((p.X() - bound.Min.X()) / size), int64((p.Y() - bound.Min.Y()) / size)
	}
	keys := make([]int64, n)
	order := make([]int32, n)
	for i, p := range pts {
		bx, by := bucket(p)
		keys[i] = by*cols + bx
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(keys[a], keys[b]) })
	sortedKeys := make([]int64, n)
	for k, i := range order {
		sortedKeys[k] = keys[i]
	}

	lim := band * band * (1 + bandTolerance)
	neighbours, sums = make([]int32, n), make([]float64, n)
	forEachBlock(n, 1024, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			p := pts[i]
			bx, by := bucket(p)
			var local float64
			var w int32
			for y := by - 1; y <= by+1; y++ {
				// The three buckets of a bucket row are consecutive keys.
				k0 := y*cols + max(bx-1, 0)
				k1 := y*cols + min(bx+1, cols-1)
				from := sort.Search(n, func(k int) bool { return sortedKeys[k] >= k0 })
				for k := from; k < n && sortedKeys[k] <= k1; k++ {
					j := order[k]
					dx, dy := pts[j].X()-p.X(), pts[j].Y()-p.Y()
					if dx*dx+dy*dy <= lim {
						local += values[j]
						w++
					}
				}
			}
			neighbours[i], sums[i] = w, local
		}
	})
	return neighbours, sums, nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
