package spatstat

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// KernelDensity returns the quartic (biweight) kernel density of pts at the
// centre of every cell of g, in events per square kilometre:
//
//	f(c) = 10⁶ · Σ_i w_i · 3/(π h²) · (1 − d_i²/h²)²   over points with d_i < h
//
// where d_i is the distance from point i to the cell centre and h the
// bandwidth (search radius) in metres. This is the kernel of ArcGIS Kernel
// Density (Silverman 1986, eq. 4.5) and of the QGIS heatmap; each kernel
// integrates to w_i, so the surface integrates to the (weighted) number of
// points. weights gives each point's w_i (for harm weighting); nil means 1.
// Points outside g still contribute to the cells within h of them.
func KernelDensity(g Grid, pts []orb.Point, weights []float64, bandwidth float64) ([]float64, error) {
	a, err := FullArea(g)
	if err != nil {
		return nil, err
	}
	return KernelDensityArea(a, pts, weights, bandwidth)
}

// KernelDensityArea is KernelDensity at the centres of the study area's
// cells only (in a's order). Every point counts, wherever it lies: a point
// outside the area still adds to the cells within h of it.
func KernelDensityArea(a Area, pts []orb.Point, weights []float64, bandwidth float64) ([]float64, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if !(bandwidth > 0) || math.IsInf(bandwidth, 0) {
		return nil, fmt.Errorf("spatstat: kernel bandwidth %v is not a positive finite number", bandwidth)
	}
	if weights != nil && len(weights) != len(pts) {
		return nil, fmt.Errorf("spatstat: %d weights for %d points", len(weights), len(pts))
	}
	g := a.Grid
	// Bucket the points by the grid row they fall in (a counting sort that
	// keeps their input order), so that each output row visits only the
	// points within reach. reach rows either side of the grid are kept.
	reach := int(math.Ceil(bandwidth/g.CellSize)) + 1
	nb := g.NY + 2*reach
	start := make([]int32, nb+1)
	rowOf := make([]int32, len(pts))
	for k, p := range pts {
		r := math.Floor((p.Y() - g.Y0) / g.CellSize)
		if !(r >= float64(-reach) && r < float64(g.NY+reach)) || math.IsNaN(p.X()) {
			rowOf[k] = -1
			continue
		}
		b := int32(r) + int32(reach)
		rowOf[k] = b
		start[b+1]++
	}
	for b := range nb {
		start[b+1] += start[b]
	}
	order := make([]int32, start[nb])
	fill := slices.Clone(start[:nb])
	for k, b := range rowOf {
		if b >= 0 {
			order[fill[b]] = int32(k)
			fill[b]++
		}
	}
	out := make([]float64, a.Len())
	k := kernel{a: a, h2: bandwidth * bandwidth, pts: pts, weights: weights}
	forEachBlock(g.NY, 8, func(lo, hi int) {
		for row := lo; row < hi; row++ {
			if a.rowStart[row] == a.rowStart[row+1] {
				continue
			}
			// Bucket row+reach holds the points in this grid row.
			k.row(out, row, order[start[row]:start[row+2*reach+1]])
		}
	})
	return out, nil
}

// kernel sums quartic kernels into the cells of one grid row.
type kernel struct {
	a       Area
	h2      float64
	pts     []orb.Point
	weights []float64
}

func (k kernel) row(out []float64, row int, near []int32) {
	g := k.a.Grid
	s, e := int(k.a.rowStart[row]), int(k.a.rowStart[row+1])
	dst, cols := out[s:e], k.a.cols[s:e]
	yc := g.Y0 + (float64(row)+0.5)*g.CellSize
	invH2 := 1 / k.h2
	for _, i := range near {
		p := k.pts[i]
		dy := yc - p.Y()
		rest := k.h2 - dy*dy
		if rest <= 0 {
			continue
		}
		// The columns whose centres are within h, clamped as floats so
		// that far-away or infinite coordinates never overflow an int.
		half := math.Sqrt(rest)
		c0 := math.Max(0, math.Ceil((p.X()-half-g.X0)/g.CellSize-0.5))
		c1 := math.Min(float64(g.NX-1), math.Floor((p.X()+half-g.X0)/g.CellSize-0.5))
		if c0 > c1 {
			continue
		}
		w := 1.0
		if k.weights != nil {
			w = k.weights[i]
		}
		// u = 1 − d²/h², from a per-row base: this loop is the whole cost
		// of a force-wide surface.
		base := 1 - dy*dy*invH2
		last := int(c1)
		for j := searchCol(cols, 0, len(cols), int(c0)); j < len(cols) && int(cols[j]) <= last; j++ {
			dx := g.X0 + (float64(cols[j])+0.5)*g.CellSize - p.X()
			if u := base - dx*dx*invH2; u > 0 {
				dst[j] += w * u * u
			}
		}
	}
	scale := 1e6 * 3 / (math.Pi * k.h2)
	for j := range dst {
		dst[j] *= scale
	}
}

// SilvermanBandwidth returns ArcGIS's "spatial variant of Silverman's rule of
// thumb" for the kernel search radius, which is robust to spatial outliers:
//
//	h = 0.9 · min(SD, √(1/ln 2) · Dm) · n^(−1/5)
//
// where SD is the standard distance of pts about their mean centre and Dm the
// median distance to the mean centre. It is computed on locations alone: harm
// weights change how much each incident counts, not how far incidents spread.
// It returns 0 for fewer than two distinct points.
func SilvermanBandwidth(pts []orb.Point) float64 {
	n := len(pts)
	if n < 2 {
		return 0
	}
	var mx, my float64
	for _, p := range pts {
		mx += p.X()
		my += p.Y()
	}
	mx /= float64(n)
	my /= float64(n)
	d := make([]float64, n)
	var ss float64
	for i, p := range pts {
		dx, dy := p.X()-mx, p.Y()-my
		ss += dx*dx + dy*dy
		d[i] = math.Hypot(dx, dy)
	}
	sd := math.Sqrt(ss / float64(n))
	slices.Sort(d)
	dm := d[n/2]
	if n%2 == 0 {
		dm = (d[n/2-1] + d[n/2]) / 2
	}
	return 0.9 * min(sd, math.Sqrt(1/math.Ln2)*dm) * math.Pow(float64(n), -0.2)
}

// Bounds of DefaultBandwidth, in cells.
const (
	minBandwidthCells = 2
	maxBandwidthCells = 10
)

// DefaultBandwidth returns SilvermanBandwidth(pts) clamped to between 2 and
// 10 cells of cellSize.
//
// The lower bound keeps the surface honest on the grid: with h ≥ 2 cells the
// kernel sampled at cell centres sums to within 1.5% of its integral for any
// point position (at h = 1 cell it can be off by 7%, and below that a point
// can fall between cell centres and vanish). The upper bound exists because
// Silverman's rule assumes one unimodal cloud: on city- or force-wide crime,
// which has many separate centres, it yields kilometre-scale radii that blur
// street-level hot spots together (and the cost grows with h²).
func DefaultBandwidth(pts []orb.Point, cellSize float64) float64 {
	return BoundBandwidth(SilvermanBandwidth(pts), cellSize)
}

// BoundBandwidth bounds a bandwidth to 2–10 cells, as DefaultBandwidth
// does the Silverman rule's (for callers that report the rule's own value).
func BoundBandwidth(h, cellSize float64) float64 {
	return min(max(h, minBandwidthCells*cellSize), maxBandwidthCells*cellSize)
}

// TopShare returns the indices of the highest values making up share (0 to 1)
// of all cells — the hot spot set of a density surface at a fixed share of
// the study area, as used for PAI comparisons. It returns
// floor(share·len(values)) cells ordered from highest to lowest value; equal
// values are ordered by lower index, so the set is deterministic and has
// exactly the requested area. Cells whose value is not positive (or is NaN)
// are never hot spots, so fewer cells are returned when too few are positive.
func TopShare(values []float64, share float64) []int {
	if !(share > 0) {
		return nil
	}
	k := int(math.Floor(min(share, 1) * float64(len(values))))
	idx := make([]int, 0, len(values))
	for i, v := range values {
		if v > 0 {
			idx = append(idx, i)
		}
	}
	slices.SortFunc(idx, func(a, b int) int {
		if c := cmp.Compare(values[b], values[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	// A copy, so the caller does not keep the index of every cell alive.
	return slices.Clone(idx[:min(k, len(idx))])
}
