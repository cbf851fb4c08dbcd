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
// (a cell is not its own neighbour here, unlike Gi*): MoranArea over every
// cell of g.
func GlobalMoransI(g Grid, values []float64, band float64) (MoransI, error) {
	a, err := FullArea(g)
	if err != nil {
		return MoransI{}, err
	}
	return MoranArea(a, values, band)
}

// MoranArea returns global Moran's I of one value per cell of the study area
// a with binary weights for the other cells of a whose centres are within
// band metres. The variance is the randomisation one, with the kurtosis
// term, as in ArcGIS Spatial Autocorrelation and R spdep moran.test:
//
//	E[I²] = (n((n²−3n+3)S1 − nS2 + 3S0²) − b2((n²−n)S1 − 2nS2 + 6S0²)) / ((n−1)(n−2)(n−3)S0²)
//
// with b2 = n·Σz⁴/(Σz²)² and, for symmetric binary weights, S1 = 2·S0 and
// S2 = 4·Σ_i k_i², k_i being the number of neighbours of cell i. (gonum's
// stat/spatial.GlobalMoransI computes the same I but omits the factor n in
// b2.) Like Gi*, it runs on prefix sums without storing neighbourhoods.
func MoranArea(a Area, values []float64, band float64) (MoransI, error) {
	if err := a.Validate(); err != nil {
		return MoransI{}, err
	}
	if err := a.checkValues("value", values); err != nil {
		return MoransI{}, err
	}
	if err := checkBand(band); err != nil {
		return MoransI{}, err
	}
	mg, err := newMoranArea(a, values)
	if err != nil {
		return MoransI{}, err
	}
	return mg.at(bandStencil(band, a.CellSize))
}

// moranArea holds what Moran's I needs at any band: the deviations from the
// mean, their prefix sums and their second and fourth moments.
type moranArea struct {
	a           Area
	dev, prefix []float64
	m2, m4      float64
}

func newMoranArea(a Area, values []float64) (*moranArea, error) {
	if a.Len() < 4 {
		return nil, fmt.Errorf("spatstat: Moran's I needs at least 4 cells, the study area has %d", a.Len())
	}
	mean, sd := meanSD(values)
	if sd == 0 {
		return nil, ErrNoVariance
	}
	mg := &moranArea{a: a, dev: make([]float64, len(values)), prefix: make([]float64, len(values)+1)}
	for i, v := range values {
		z := v - mean
		mg.dev[i] = z
		mg.m2 += z * z
		mg.m4 += z * z * z * z
	}
	prefixSums(mg.dev, mg.prefix)
	return mg, nil
}

// at returns Moran's I for the neighbourhood st.
func (mg *moranArea) at(st stencil) (MoransI, error) {
	// Each block of cells sums its own share; the shares are added in block
	// order so the result does not depend on scheduling.
	const block = 1024
	type sums struct{ cross, s0, k2 float64 }
	n := len(mg.dev)
	parts := make([]sums, (n+block-1)/block)
	forEachBlock(n, block, func(lo, hi int) {
		var s sums
		sw := newSweep(mg.a, st)
		for k := lo; k < hi; k++ {
			local, w := sw.sum(k, mg.prefix)
			w-- // the cell itself is not its own neighbour
			z := mg.dev[k]
			s.cross += z * (local - z)
			s.s0 += float64(w)
			s.k2 += float64(w) * float64(w)
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
		return MoransI{}, fmt.Errorf("spatstat: no cell has a neighbour within the band on %v m cells", mg.a.CellSize)
	}
	fn := float64(n)
	s1, s2 := 2*s0, 4*k2
	b2 := fn * mg.m4 / (mg.m2 * mg.m2)
	e := -1 / (fn - 1)
	ei2 := (fn*((fn*fn-3*fn+3)*s1-fn*s2+3*s0*s0) - b2*((fn*fn-fn)*s1-2*fn*s2+6*s0*s0)) /
		((fn - 1) * (fn - 2) * (fn - 3) * s0 * s0)
	m := MoransI{I: fn / s0 * cross / mg.m2, Expected: e, Variance: ei2 - e*e}
	m.Z = (m.I - e) / math.Sqrt(m.Variance)
	return m, nil
}
