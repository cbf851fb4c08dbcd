package spatstat

import (
	"errors"
	"fmt"
	"math"
	"sync/atomic"
)

// ErrNoVariance is returned when every value is the same: Gi* divides by the
// standard deviation of the values, so it is undefined.
var ErrNoVariance = errors.New("spatstat: all values are equal, so Gi* is undefined")

// GiStar holds the Getis–Ord Gi* results for each cell (row-major) or point,
// in the input order.
//
// With binary fixed-distance weights and each location its own neighbour,
// Gi* is computed as in ArcGIS Hot Spot Analysis, R spdep localG (with
// include.self) and gonum stat/spatial.GetisOrdGStar:
//
//	z_i = (Σ_j w_ij x_j − x̄ W_i) / (S · √((n W_i − W_i²)/(n − 1)))
//
// where the sums run over all n locations, w_ij is 1 when j is within the
// band of i (i included) and 0 otherwise, W_i = Σ_j w_ij, x̄ is the mean and S
// the population standard deviation (divisor n) of all values. z_i is NaN
// when every location is a neighbour of i (W_i = n), where Gi* is undefined.
type GiStar struct {
	// Neighbours is W_i: the locations within the band, i itself included.
	Neighbours []int32
	// Z is the Gi* z-score; positive means clustering of high values.
	Z []float64
	// P is the two-sided p-value of Z under the standard normal,
	// 2·(1 − Φ(|z|)), as spdep and ArcGIS report it.
	P []float64
	// PFDR is P adjusted for the false discovery rate by the
	// Benjamini–Hochberg step-up over all locations (see AdjustBH).
	PFDR []float64
	// Extended is the number of cells that had no other cell within the
	// band and took their nearest cells as neighbours (Weights.Nearest).
	Extended int
	// Bin is ArcGIS's Gi_Bin from Z and P, without correction for multiple
	// testing (see ConfidenceBin).
	Bin []int8
	// BinFDR is ArcGIS's Gi_Bin with its False Discovery Rate correction.
	// ArcGIS sorts the m p-values and, separately for α = 0.10, 0.05 and
	// 0.01, finds the largest rank k with p_(k) ≤ k·α/m; locations with
	// p ≤ p_(k) are significant at that level. That is the
	// Benjamini–Hochberg step-up, and a location passes it at level α exactly
	// when its BH-adjusted p is at most α, so BinFDR is ConfidenceBin(Z, PFDR).
	BinFDR []int8
}

func newGiStar(n int) GiStar {
	return GiStar{
		Neighbours: make([]int32, n),
		Z:          make([]float64, n),
		P:          make([]float64, n),
		Bin:        make([]int8, n),
		BinFDR:     make([]int8, n),
	}
}

// finish fills in the p-values and bins from Z.
func (gs *GiStar) finish() {
	for i, z := range gs.Z {
		gs.P[i] = twoSidedP(z)
		gs.Bin[i] = ConfidenceBin(z, gs.P[i])
	}
	gs.PFDR = AdjustBH(gs.P)
	for i, z := range gs.Z {
		gs.BinFDR[i] = ConfidenceBin(z, gs.PFDR[i])
	}
}

// ConfidenceBin returns ArcGIS's Gi_Bin for a z-score and its p-value: 3 for
// p ≤ 0.01 (99% confidence), 2 for p ≤ 0.05 (95%), 1 for p ≤ 0.10 (90%) and
// 0 otherwise, negated for cold spots (z < 0). Pass a BH-adjusted p to get
// the bin with ArcGIS's False Discovery Rate correction.
func ConfidenceBin(z, p float64) int8 {
	var b int8
	switch {
	case p <= 0.01:
		b = 3
	case p <= 0.05:
		b = 2
	case p <= 0.10:
		b = 1
	}
	switch {
	case z > 0:
		return b
	case z < 0:
		return -b
	}
	return 0
}

// twoSidedP returns 2·(1 − Φ(|z|)), computed with erfc so that tiny p-values
// of large z keep their precision.
func twoSidedP(z float64) float64 {
	return math.Erfc(math.Abs(z) / math.Sqrt2)
}

// meanSD returns the mean and population standard deviation of x, in two
// passes for accuracy.
func meanSD(x []float64) (mean, sd float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	var ss float64
	for _, v := range x {
		d := v - mean
		ss += d * d
	}
	return mean, math.Sqrt(ss / float64(len(x)))
}

// giStarZ returns Gi* for a location whose w neighbours sum to local.
func giStarZ(local float64, w, n int, mean, sd float64) float64 {
	fw, fn := float64(w), float64(n)
	if w >= n {
		return math.NaN()
	}
	return (local - mean*fw) / (sd * math.Sqrt((fn*fw-fw*fw)/(fn-1)))
}

// bandTolerance widens distance bands by a relative 10⁻⁹, so that a band
// equal to a lattice distance, such as cell·√2 for queen contiguity, keeps
// the cells at exactly that distance despite rounding.
const bandTolerance = 1e-9

func checkBand(band float64) error {
	if !(band >= 0) || math.IsInf(band, 0) {
		return fmt.Errorf("spatstat: distance band %v is not a non-negative finite number", band)
	}
	return nil
}

// A stencil lists the cells within a distance band of a cell as runs of
// columns: for row offset dy in [−r, r], the columns dx in
// [−half[dy+r], half[dy+r]].
type stencil []int

// bandStencil returns the stencil of cells whose centres are within band of
// the centre cell on a grid of cellSize cells.
func bandStencil(band, cellSize float64) stencil {
	lim := band * band / (cellSize * cellSize) * (1 + bandTolerance)
	r := floorSqrt(lim)
	half := make(stencil, 2*r+1)
	for dy := -r; dy <= r; dy++ {
		half[dy+r] = floorSqrt(lim - float64(dy*dy))
	}
	return half
}

// floorSqrt returns the largest integer w ≥ 0 with w² ≤ x, exactly: the
// float square root alone can land either side of a perfect square.
func floorSqrt(x float64) int {
	w := int(math.Sqrt(max(x, 0)))
	for float64((w+1)*(w+1)) <= x {
		w++
	}
	for w > 0 && float64(w*w) > x {
		w--
	}
	return w
}

// GiStarGrid returns Gi* for every cell of g given one value per cell
// (row-major), with binary weights for the cells whose centres lie within
// band metres of the cell's centre, the cell itself included. Only cells
// inside the grid are neighbours, so edge cells have fewer. n is the number
// of cells, so include zero-count cells in values. It is GiStarArea over
// every cell of g.
func GiStarGrid(g Grid, values []float64, band float64) (GiStar, error) {
	a, err := FullArea(g)
	if err != nil {
		return GiStar{}, err
	}
	return GiStarArea(a, values, Weights{Band: band})
}

// GiStarArea returns Gi* for every cell of the study area a given one value
// per cell (in a's order), with the binary weights w: the cells of a whose
// centres lie within w.Band metres of the cell's centre, the cell itself
// included (see Weights for w.Nearest); n is the number of cells of a.
// Cells outside a take no part: they are neither neighbours nor counted in
// the mean and deviation.
//
// Neighbourhoods are never stored: each cell sums its band as a few runs of
// prefix sums, found by binary search in its rows, so the cost grows with
// the area's cells and the band, not with the grid's box. The sums are exact
// for counts; for fractional (harm) values each run carries a rounding error
// of about 10⁻¹⁶ of the area's total, far below any meaningful difference
// in z.
func GiStarArea(a Area, values []float64, w Weights) (GiStar, error) {
	if err := a.Validate(); err != nil {
		return GiStar{}, err
	}
	if err := a.checkValues("value", values); err != nil {
		return GiStar{}, err
	}
	if err := checkBand(w.Band); err != nil {
		return GiStar{}, err
	}
	gs := newGiStar(a.Len())
	extended, err := giStarAreaZ(newNbhood(a, w), values, make([]float64, a.Len()+1), gs.Neighbours, gs.Z)
	if err != nil {
		return GiStar{}, err
	}
	gs.Extended = extended
	gs.finish()
	return gs, nil
}

// giStarAreaZ writes the neighbour counts and z-scores of the cells of h's
// area into nb and z, using prefix (one value more than the cells) as
// scratch, and returns how many cells took their nearest cells.
func giStarAreaZ(h nbhood, values, prefix []float64, nb []int32, z []float64) (int, error) {
	n := h.a.Len()
	if n < 2 {
		return 0, fmt.Errorf("spatstat: Gi* needs at least 2 cells, the study area has %d", n)
	}
	mean, sd := meanSD(values)
	if sd == 0 {
		return 0, ErrNoVariance
	}
	extended := bandSums(h, values, prefix, nb, z)
	for k, local := range z {
		z[k] = giStarZ(local, int(nb[k]), n, mean, sd)
	}
	return extended, nil
}

// AreaBandSums returns, for each cell of the study area a (in a's order),
// the number of cells of a within w's band of it, itself included, and the
// sum of their values: the neighbourhoods of GiStarArea, for statistics
// built on the same weights (local Moran's I takes the cell itself out).
func AreaBandSums(a Area, values []float64, w Weights) (neighbours []int32, sums []float64, err error) {
	if err := a.Validate(); err != nil {
		return nil, nil, err
	}
	if err := a.checkValues("value", values); err != nil {
		return nil, nil, err
	}
	if err := checkBand(w.Band); err != nil {
		return nil, nil, err
	}
	neighbours, sums = make([]int32, a.Len()), make([]float64, a.Len())
	bandSums(newNbhood(a, w), values, make([]float64, a.Len()+1), neighbours, sums)
	return neighbours, sums, nil
}

// GridBandSums is AreaBandSums over every cell of g (row-major) with a
// plain distance band: edge cells have fewer neighbours.
func GridBandSums(g Grid, values []float64, band float64) (neighbours []int32, sums []float64, err error) {
	a, err := FullArea(g)
	if err != nil {
		return nil, nil, err
	}
	return AreaBandSums(a, values, Weights{Band: band})
}

// bandSums writes the band counts and sums of the cells of h's area into nb
// and sums, using prefix (one value more than the cells) as scratch, and
// returns how many cells took their nearest cells.
func bandSums(h nbhood, values, prefix []float64, nb []int32, sums []float64) int {
	prefixSums(values, prefix)
	var extended atomic.Int64
	forEachBlock(h.a.Len(), 1024, func(lo, hi int) {
		sw := newSweep(h.a, h.st)
		for k := lo; k < hi; k++ {
			local, w, ext := h.sum(sw, k, prefix, values)
			if ext {
				extended.Add(1)
			}
			nb[k] = int32(w)
			sums[k] = local
		}
	})
	return int(extended.Load())
}
