package maps

import (
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// A force's study area can hold cells far from the rest: crimes it recorded,
// or mislocated, elsewhere in the country. Fitted into the extent, they
// shrink the force to a corner of a map of England. So the extent is the
// box from the coreShare/2 to the 1-coreShare/2 quantile of the cells'
// centres on each axis, widened by coreMargin of its size on each side (at
// least ten cells), and the features outside it are left off the map and
// counted in a note. For cells spread as a normal distribution the box
// reaches 3.1 standard deviations from the mean, leaving out about 1 cell in
// 1,000 at each of its four sides; a uniform spread loses none. Maps of fewer than minCellsForFar features are never
// trimmed: a quantile of a few cells says nothing.
const (
	coreShare      = 0.04
	coreMargin     = 0.25
	minCellsForFar = 100
)

// farFeatures marks the features whose centres lie outside the core box.
func farFeatures(cells []orb.MultiPolygon) []bool {
	far := make([]bool, len(cells))
	if len(cells) < minCellsForFar {
		return far
	}
	centres := make([]orb.Point, len(cells))
	xs, ys := make([]float64, len(cells)), make([]float64, len(cells))
	for i, mp := range cells {
		centres[i] = mp.Bound().Center()
		xs[i], ys[i] = centres[i][0], centres[i][1]
	}
	b := cells[0].Bound()
	minMargin := 10 * (b.Max[0] - b.Min[0])
	lo, hi := coreRange(xs, minMargin)
	bottom, top := coreRange(ys, minMargin)
	for i, c := range centres {
		far[i] = c[0] < lo || c[0] > hi || c[1] < bottom || c[1] > top
	}
	return far
}

// coreRange returns the range of vs from its coreShare/2 to its
// 1-coreShare/2 quantile, widened on both sides by coreMargin of its width
// and at least by minMargin.
func coreRange(vs []float64, minMargin float64) (lo, hi float64) {
	slices.Sort(vs)
	at := func(q float64) float64 { return vs[int(math.Round(q*float64(len(vs)-1)))] }
	lo, hi = at(coreShare/2), at(1-coreShare/2)
	m := math.Max(coreMargin*(hi-lo), minMargin)
	return lo - m, hi + m
}

// farNote says how many features the extent left out, and how many of those
// are in a class above the lowest rank (hot or cold spots, or trends).
func farNote(d *drawing) []string {
	n, ranked := 0, 0
	for i, f := range d.far {
		if f {
			n++
			if d.m.Legend.Classes[d.classes[i]].Rank > 0 {
				ranked++
			}
		}
	}
	if n == 0 {
		return nil
	}
	return []string{fmt.Sprintf("%d %s off the map, far outside the area holding most of them (%d of them hot or cold); the exports hold them all.",
		n, plural(n, "feature lies", "features lie"), ranked)}
}
