package spatstat

import (
	"fmt"
	"math"
)

// MoransI is a global Moran's I test of spatial autocorrelation.
type MoransI struct {
	I        float64 // Moran's I
	Expected float64 // E[I] = −1/(n − 1) under no autocorrelation
	Variance float64 // Var[I] under the randomisation assumption
	Z        float64 // (I − E[I]) / √Var[I]
}

// GlobalMoransI returns global Moran's I of one value per cell of g with
// binary weights for the other cells whose centres are within band metres
// (a cell is not its own neighbour here, unlike Gi*). The variance is the
// randomisation one, with the kurtosis term, as in ArcGIS Spatial
// Autocorrelation and R spdep moran.test:
//
//	E[I²] = (n((n²−3n+3)S1 − nS2 + 3S0²) − b2((n²−n)S1 − 2nS2 + 6S0²)) / ((n−1)(n−2)(n−3)S0²)
//
// with b2 = n·Σz⁴/(Σz²)² and, for symmetric binary weights, S1 = 2·S0 and
// S2 = 4·Σ_i k_i², k_i being the number of neighbours of cell i. (gonum's
// stat/spatial.GlobalMoransI computes the same I but omits the factor n in
// b2.) Like Gi*, it runs on row prefix sums without storing neighbourhoods.
func GlobalMoransI(g Grid, values []float64, band float64) (MoransI, error) {
	if err := g.Validate(); err != nil {
		return MoransI{}, err
	}
	if err := g.checkValues("value", values); err != nil {
		return MoransI{}, err
	}
	if err := checkBand(band); err != nil {
		return MoransI{}, err
	}
	mg, err := newMoranGrid(g, values)
	if err != nil {
		return MoransI{}, err
	}
	return mg.at(bandStencil(band, g.CellSize))
}

// Bands DefaultBand tries, in cells.
const defaultBandSteps = 10

// DefaultBand returns a Gi* distance band for one value per cell of g, chosen
// from the data by ArcGIS's Incremental Spatial Autocorrelation: global
// Moran's I z-scores at bands of 1, 2, …, 10 cells, the first peak being the
// distance "where spatial processes promoting clustering are most
// pronounced". On a full lattice those are ArcGIS's own defaults — the
// beginning distance is the smallest that gives every feature a neighbour
// and the increment the mean nearest-neighbour distance, both one cell —
// with its default of 10 distance bands. A peak is a band whose z exceeds the
// band before and is at least the band after; when z only rises or only
// falls there is no peak, and the band with the highest z is used. The
// z-score of each band tried is returned for reports.
func DefaultBand(g Grid, values []float64) (band float64, z []float64, err error) {
	if err := g.Validate(); err != nil {
		return 0, nil, err
	}
	if err := g.checkValues("value", values); err != nil {
		return 0, nil, err
	}
	mg, err := newMoranGrid(g, values)
	if err != nil {
		return 0, nil, err
	}
	z = make([]float64, defaultBandSteps)
	for k := range z {
		m, err := mg.at(bandStencil(float64(k+1)*g.CellSize, g.CellSize))
		if err != nil {
			return 0, nil, err
		}
		z[k] = m.Z
	}
	best := 0
	for k := range z {
		if k > 0 && k+1 < len(z) && z[k] > z[k-1] && z[k] >= z[k+1] {
			best = k
			break
		}
		if z[k] > z[best] {
			best = k
		}
	}
	return float64(best+1) * g.CellSize, z, nil
}

// moranGrid holds what Moran's I needs at any band: the deviations from the
// mean, their row prefix sums and their second and fourth moments.
type moranGrid struct {
	g           Grid
	dev, prefix []float64
	m2, m4      float64
}

func newMoranGrid(g Grid, values []float64) (*moranGrid, error) {
	if g.Len() < 4 {
		return nil, fmt.Errorf("spatstat: Moran's I needs at least 4 cells, the grid has %d", g.Len())
	}
	mean, sd := meanSD(values)
	if sd == 0 {
		return nil, ErrNoVariance
	}
	mg := &moranGrid{g: g, dev: make([]float64, len(values)), prefix: make([]float64, g.NY*(g.NX+1))}
	for i, v := range values {
		z := v - mean
		mg.dev[i] = z
		mg.m2 += z * z
		mg.m4 += z * z * z * z
	}
	stride := g.NX + 1
	for row := range g.NY {
		p := mg.prefix[row*stride : (row+1)*stride]
		for c, z := range mg.dev[row*g.NX : (row+1)*g.NX] {
			p[c+1] = p[c] + z
		}
	}
	return mg, nil
}

// at returns Moran's I for the neighbourhood st.
func (mg *moranGrid) at(st stencil) (MoransI, error) {
	g, stride := mg.g, mg.g.NX+1
	// Each block of rows sums its own share; the shares are added in block
	// order so the result does not depend on scheduling.
	const block = 16
	type sums struct{ cross, s0, k2 float64 }
	parts := make([]sums, (g.NY+block-1)/block)
	r := len(st) / 2
	forEachBlock(g.NY, block, func(lo, hi int) {
		var s sums
		for row := lo; row < hi; row++ {
			for c := range g.NX {
				var local float64
				w := -1 // the cell itself is not its own neighbour
				for k, half := range st {
					rr := row + k - r
					if rr < 0 || rr >= g.NY {
						continue
					}
					c0, c1 := max(0, c-half), min(g.NX-1, c+half)
					local += mg.prefix[rr*stride+c1+1] - mg.prefix[rr*stride+c0]
					w += c1 - c0 + 1
				}
				z := mg.dev[row*g.NX+c]
				s.cross += z * (local - z)
				s.s0 += float64(w)
				s.k2 += float64(w) * float64(w)
			}
		}
		parts[lo/block] = s
	})
	var cross, s0, k2 float64
	for _, s := range parts {
		cross += s.cross
		s0 += s.s0
		k2 += s.k2
	}
	if s0 == 0 {
		return MoransI{}, fmt.Errorf("spatstat: no cell has a neighbour within the band on %v m cells", g.CellSize)
	}
	n := float64(len(mg.dev))
	s1, s2 := 2*s0, 4*k2
	b2 := n * mg.m4 / (mg.m2 * mg.m2)
	e := -1 / (n - 1)
	ei2 := (n*((n*n-3*n+3)*s1-n*s2+3*s0*s0) - b2*((n*n-n)*s1-2*n*s2+6*s0*s0)) /
		((n - 1) * (n - 2) * (n - 3) * s0 * s0)
	m := MoransI{I: n / s0 * cross / mg.m2, Expected: e, Variance: ei2 - e*e}
	m.Z = (m.I - e) / math.Sqrt(m.Variance)
	return m, nil
}
