package spatstat

import (
	"errors"
	"math"
	"slices"
)

// Band methods, as recorded with every hotspot run.
const (
	BandPeak  = "peak"  // the first peak of incremental spatial autocorrelation
	BandKNN   = "knn"   // ArcGIS's k-nearest-neighbour fallback
	BandGiven = "given" // set by the analyst
)

// Bands ChooseBand tries for a peak, in cells.
const bandSteps = 10

// Band is a Gi* distance band and how it was chosen.
type Band struct {
	Metres float64
	Method string // BandPeak or BandKNN
	// Z is global Moran's I z at bands of 1, 2, … cells up to the one after
	// the first peak, else 10 (nil when the values do not vary).
	Z []float64
	// K is the neighbour count of the knn fallback (0 for a peak).
	K int
	// Capped says the knn distance exceeded one standard distance of the
	// cells and was cut to it.
	Capped bool
}

// ChooseBand returns the Gi* distance band for one value per cell of the
// study area a, as ArcGIS Optimized Hot Spot Analysis chooses its scale:
//
//   - Incremental Spatial Autocorrelation: global Moran's I z-scores at bands
//     of 1, 2, …, 10 cells, over the area's cells only; the first peak (a
//     band whose z exceeds the band before and is at least the band after)
//     is the distance "where spatial processes promoting clustering are most
//     pronounced";
//   - without a peak (z only rising or only falling, or values that do not
//     vary), the average distance from each cell to its k-th nearest other
//     cell with k = 5% of the cells, at least 3 and at most 30, but no more
//     than one standard distance of the cells' centres.
//
// A band never silently falls back to a search maximum: Method says which
// rule gave it.
func ChooseBand(a Area, values []float64) (Band, error) {
	b, err := PeakBand(a, values)
	if err != nil || b.Method == BandPeak {
		return b, err
	}
	k, err := KNNBand(a)
	k.Z = b.Z
	return k, err
}

// PeakBand returns the first peak of incremental spatial autocorrelation
// (see ChooseBand) with Method BandPeak, or, when there is none, a Band with
// no Method and only the z-scores (nil when the values do not vary).
func PeakBand(a Area, values []float64) (Band, error) {
	if err := a.checkValues("value", values); err != nil {
		return Band{}, err
	}
	var b Band
	mg, err := newMoranArea(a, values)
	switch {
	case errors.Is(err, ErrNoVariance):
		return b, nil
	case err != nil:
		return Band{}, err
	}
	// Bands are tried in turn, up to the one after the first peak.
	for k := 0; k < bandSteps; k++ {
		m, err := mg.at(bandStencil(float64(k+1)*a.CellSize, a.CellSize))
		if err != nil {
			return Band{}, err
		}
		b.Z = append(b.Z, m.Z)
		if p := k - 1; p >= 1 && b.Z[p] > b.Z[p-1] && b.Z[p] >= b.Z[k] {
			b.Metres, b.Method = float64(p+1)*a.CellSize, BandPeak
			break
		}
	}
	return b, nil
}

// KNNBand returns ArcGIS's fallback band for the area (see ChooseBand); it
// depends on the cells alone, not on their values.
func KNNBand(a Area) (Band, error) {
	b := Band{Method: BandKNN, K: min(max(int(0.05*float64(a.Len())), 3), 30, a.Len()-1)}
	if b.K < 1 {
		return Band{}, errors.New("spatstat: a distance band needs at least 2 cells")
	}
	b.Metres = a.meanKthNeighbour(b.K)
	if sd := a.standardDistance(); b.Metres > sd {
		b.Metres, b.Capped = sd, true
	}
	return b, nil
}

// meanKthNeighbour returns the mean over the cells of a of the distance from
// the cell's centre to the centre of its k-th nearest other cell.
func (a Area) meanKthNeighbour(k int) float64 {
	const block = 1024
	n := a.Len()
	parts := make([]float64, (n+block-1)/block)
	forEachBlock(n, block, func(lo, hi int) {
		var hist []int32
		var s float64
		for i := lo; i < hi; i++ {
			var d2 int
			d2, hist = a.kthNeighbour2(i, k, hist)
			s += math.Sqrt(float64(d2))
		}
		parts[lo/block] = s
	})
	var s float64
	for _, p := range parts {
		s += p
	}
	return s / float64(n) * a.CellSize
}

// kthNeighbour2 returns the squared distance, in cells, from cell i to its
// k-th nearest other cell, searching squares of doubling radius r until k
// cells lie within the inscribed circle (they are then the k nearest): the
// cost grows with the distance searched, not with its square. Near
// distances are counted in hist (reused between calls) rather than sorted.
// Fewer than k other cells give the farthest.
func (a Area) kthNeighbour2(i, k int, hist []int32) (int, []int32) {
	const histMax = 1 << 12 // squared distances counted; farther ones are sorted
	row, col := int(a.rows[i]), int(a.cols[i])
	limit := max(a.NX, a.NY)
	var far []int
	// A full lattice holds about πr² cells within r: start where k could
	// fit, then double.
	for r := max(1, int(math.Sqrt(float64(k)/math.Pi))+1); ; r *= 2 {
		last := r >= limit
		r2 := r * r
		if last {
			r2 = math.MaxInt
		}
		top := min(r2, histMax)
		if len(hist) <= top {
			hist = make([]int32, top+1)
		}
		clear(hist[:top+1])
		far = far[:0]
		within := 0
		for dy := -r; dy <= r; dy++ {
			lo, hi := a.span(row+dy, col-r, col+r)
			for j := lo; j < hi; j++ {
				dx := int(a.cols[j]) - col
				d2 := dx*dx + dy*dy
				switch {
				case j == i || d2 > r2:
					continue
				case d2 <= histMax:
					hist[d2]++
				default:
					far = append(far, d2)
				}
				within++
			}
		}
		if within < k && !last {
			continue
		}
		seen, want := 0, min(k, within)
		for d2, c := range hist[:top+1] {
			if seen += int(c); seen >= want && c > 0 {
				return d2, hist
			}
		}
		slices.Sort(far)
		return far[want-seen-1], hist
	}
}

// standardDistance returns the standard distance of the cells' centres
// about their mean centre, in metres.
func (a Area) standardDistance() float64 {
	var mx, my float64
	for k := range a.Len() {
		mx += float64(a.cols[k])
		my += float64(a.rows[k])
	}
	n := float64(a.Len())
	mx, my = mx/n, my/n
	var ss float64
	for k := range a.Len() {
		dx, dy := float64(a.cols[k])-mx, float64(a.rows[k])-my
		ss += dx*dx + dy*dy
	}
	return math.Sqrt(ss/n) * a.CellSize
}
