// Package lisa computes Anselin's Local Moran's I (LISA, "Cluster and
// Outlier Analysis" in ArcGIS) with row-standardised fixed distance band
// weights: the statistic, its conditional randomisation moments as R spdep
// localmoran, Benjamini–Hochberg adjusted p-values, the HH/LL/HL/LH
// quadrant of each location, and conditional permutation pseudo p-values as
// GeoDa and ArcGIS report them.
//
// Sources: Anselin (1995) "Local indicators of spatial association — LISA",
// Geographical Analysis 27(2):93–115; Sokal, Oden & Thomson (1998) "Local
// spatial autocorrelation in a biological model", Geographical Analysis
// 30(4):331–354, for the conditional moments; R spdep localmoran
// (r-spatial/spdep R/localmoran.R, conditional = TRUE, mlvar = TRUE);
// GeoDa's LISA permutation inference (geodacenter.github.io/workbook/6a_local_auto).
// The results match spdep to 1e-9 on ../shared/testdata/localmoran/.
//
// The package is pure Go: it takes plain slices (values, points, grid
// cells) and returns plain slices, in the input order.
package lisa

import (
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"github.com/safercity/safercity/hotspots/spatstat"
)

// ErrNoVariance is returned when every value is the same: Local Moran's I
// divides by their variance, so it is undefined.
var ErrNoVariance = errors.New("lisa: all values are equal, so Local Moran's I is undefined")

// A Quadrant places a location on the Moran scatter plot: its own value
// against the mean (first letter) and the row-standardised average of its
// neighbours against the mean (second letter), ties counting as high, as
// GeoDa and ArcGIS label clusters (HH, LL) and outliers (HL, LH).
type Quadrant int8

const (
	Isolated Quadrant = iota // no neighbours within the band
	HH                       // high among high: a hot cluster
	LL                       // low among low: a cold cluster
	HL                       // high among low: an outlier, what a licensing officer looks for
	LH                       // low among high
)

func (q Quadrant) String() string {
	return [...]string{"isolated", "HH", "LL", "HL", "LH"}[q]
}

// MarshalText writes the quadrant's label, so JSON shows "HL", not 3.
func (q Quadrant) MarshalText() ([]byte, error) { return []byte(q.String()), nil }

// Options controls the permutation test.
type Options struct {
	// Permutations is the number of conditional permutations per location
	// for PSim; 0 skips them. GeoDa and ArcGIS default to 999.
	Permutations int
	// Seed makes the permutations reproducible.
	Seed uint64
}

// Result holds Local Moran's I for each location, in input order.
//
// With z_i = x_i − x̄, m2 = Σz²/n and row-standardised weights w_ij = 1/k_i
// over the k_i other locations within the band:
//
//	I_i   = z_i/m2 · Σ_j w_ij z_j
//	E_i   = −z_i² W_i / ((n−1) m2)
//	Var_i = (z_i/m2)² · n/(n−2) · (w_i(2) − W_i²/(n−1)) · (m2 − z_i²/(n−1))
//
// where W_i = Σ_j w_ij (1, or 0 for an isolated location) and w_i(2) =
// Σ_j w_ij² = 1/k_i: the moments conditional on x_i (Sokal et al. 1998),
// which spdep localmoran uses with conditional = TRUE.
type Result struct {
	Neighbours []int32 // k_i: other locations within the band
	I, E, Var  []float64
	// Z is (I − E)/√Var; P its two-sided normal p-value. Both are NaN where
	// Var is 0: isolated locations and values exactly at the mean.
	Z, P []float64
	// PFDR is P adjusted by Benjamini–Hochberg over the defined p-values.
	PFDR     []float64
	Quadrant []Quadrant
	// PSim is the two-sided conditional permutation pseudo p-value,
	// (M+1)/(R+1), with M the number of the R permutations whose I is at
	// least as far from its conditional mean as the observed one, ties
	// counting as extreme; PSimFDR its Benjamini–Hochberg adjustment.
	// PSimFolded is GeoDa's folded pseudo p-value, for comparison with
	// GeoDa and ArcGIS: lenient where many draws tie (see permute). Nil
	// without permutations. Locations where Z is NaN get 1.
	PSim, PSimFDR, PSimFolded []float64
	// Undefined counts the locations with a NaN Z, for reports.
	Undefined int
}

// Points returns Local Moran's I of values at pts with row-standardised
// weights over the other locations within band metres (spdep
// nb2listw(dnearneigh(xy, 0, band), style = "W")).
func Points(pts []orb.Point, values []float64, band float64, opt Options) (Result, error) {
	nb, sums, err := spatstat.BandSums(pts, values, band)
	if err != nil {
		return Result{}, err
	}
	return fromBandSums(values, nb, sums, opt)
}

// Grid returns Local Moran's I of one value per cell of g (row-major,
// zero cells included) with row-standardised weights over the other cells
// whose centres are within band metres.
func Grid(g spatstat.Grid, values []float64, band float64, opt Options) (Result, error) {
	nb, sums, err := spatstat.GridBandSums(g, values, band)
	if err != nil {
		return Result{}, err
	}
	return fromBandSums(values, nb, sums, opt)
}

// StudyArea returns Local Moran's I of one value per cell of a study area
// (in the area's order) with row-standardised weights over the cells of
// the cell's Gi* neighbourhood under w (spatstat.AreaBandSums), the cell
// itself excluded: clusters and outliers on exactly the cells and bands the
// hotspot stage's Gi* uses. With w.Nearest, a cell with no other cell within
// the band is compared with its nearest cells, as Gi* compares it.
func StudyArea(a spatstat.Area, values []float64, w spatstat.Weights, opt Options) (Result, error) {
	nb, sums, err := spatstat.AreaBandSums(a, values, w)
	if err != nil {
		return Result{}, err
	}
	return fromBandSums(values, nb, sums, opt)
}

// Areas returns Local Moran's I of one value per area with row-standardised
// weights over each area's neighbours (indices, itself excluded), such as
// the queen contiguity of LSOAs or rates.BandNeighbours of their centroids.
func Areas(values []float64, neighbours [][]int, opt Options) (Result, error) {
	n := len(values)
	if len(neighbours) != n {
		return Result{}, fmt.Errorf("lisa: %d values and %d neighbour lists", n, len(neighbours))
	}
	nb := make([]int32, n)
	sums := make([]float64, n)
	for i, list := range neighbours {
		for _, j := range list {
			if j == i || j < 0 || j >= n {
				return Result{}, fmt.Errorf("lisa: area %d lists neighbour %d; neighbours are the other areas 0…%d", i, j, n-1)
			}
			sums[i] += values[j]
		}
		nb[i] = int32(len(list))
	}
	return Local(values, nb, sums, opt)
}

// fromBandSums removes each location from its own band sums, which include
// it, and computes the statistic.
func fromBandSums(values []float64, nb []int32, sums []float64, opt Options) (Result, error) {
	for i, v := range values {
		nb[i]--
		sums[i] -= v
	}
	return Local(values, nb, sums, opt)
}

// Local returns Local Moran's I given, for each location i, its value, the
// number k_i of its neighbours (itself excluded) and the sum of their
// values: any row-standardised binary weights reduce to these.
func Local(values []float64, neighbours []int32, neighbourSums []float64, opt Options) (Result, error) {
	n := len(values)
	if len(neighbours) != n || len(neighbourSums) != n {
		return Result{}, fmt.Errorf("lisa: %d values, %d neighbour counts and %d neighbour sums", n, len(neighbours), len(neighbourSums))
	}
	if n < 3 {
		return Result{}, fmt.Errorf("lisa: Local Moran's I needs at least 3 locations, got %d", n)
	}
	if opt.Permutations < 0 {
		return Result{}, fmt.Errorf("lisa: %d permutations; give 0 to skip them, or e.g. 999", opt.Permutations)
	}
	for i, x := range values {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return Result{}, fmt.Errorf("lisa: value %d is %v", i, x)
		}
		if neighbours[i] < 0 || int(neighbours[i]) > n-1 {
			return Result{}, fmt.Errorf("lisa: location %d has %d neighbours among %d others", i, neighbours[i], n-1)
		}
	}
	mean, m2 := meanM2(values)
	if m2 == 0 {
		return Result{}, ErrNoVariance
	}
	r := newResult(n)
	fn := float64(n)
	for i, x := range values {
		z, k := x-mean, neighbours[i]
		r.Neighbours[i] = k
		if k == 0 {
			r.Quadrant[i] = Isolated
			r.Z[i], r.P[i] = math.NaN(), math.NaN()
			r.Undefined++
			continue
		}
		lag := neighbourSums[i]/float64(k) - mean
		r.Quadrant[i] = quadrant(z, lag)
		r.I[i] = z / m2 * lag
		r.E[i] = -z * z / ((fn - 1) * m2)
		r.Var[i] = (z / m2) * (z / m2) * fn / (fn - 2) * (1/float64(k) - 1/(fn-1)) * (m2 - z*z/(fn-1))
		r.Z[i] = (r.I[i] - r.E[i]) / math.Sqrt(r.Var[i])
		r.P[i] = math.Erfc(math.Abs(r.Z[i]) / math.Sqrt2)
		if math.IsNaN(r.Z[i]) {
			r.Undefined++
		}
	}
	r.PFDR = spatstat.AdjustBH(r.P)
	if opt.Permutations > 0 {
		r.PSim, r.PSimFolded = permute(values, neighbours, neighbourSums, mean, opt)
		r.PSimFDR = spatstat.AdjustBH(r.PSim)
	}
	return r, nil
}

func newResult(n int) Result {
	return Result{
		Neighbours: make([]int32, n),
		I:          make([]float64, n),
		E:          make([]float64, n),
		Var:        make([]float64, n),
		Z:          make([]float64, n),
		P:          make([]float64, n),
		Quadrant:   make([]Quadrant, n),
	}
}

func quadrant(z, lag float64) Quadrant {
	switch {
	case z >= 0 && lag >= 0:
		return HH
	case z < 0 && lag < 0:
		return LL
	case z >= 0:
		return HL
	}
	return LH
}

// meanM2 returns the mean and the second central moment Σ(x−x̄)²/n (spdep's
// mlvar = TRUE divisor), in two passes for accuracy.
func meanM2(x []float64) (mean, m2 float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for _, v := range x {
		m2 += (v - mean) * (v - mean)
	}
	return mean, m2 / float64(len(x))
}
