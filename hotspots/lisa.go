package hotspots

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/safercity/safercity/analysis/lisa"
)

// localMoran is Anselin's Local Moran's I of a month over the study area.
type localMoran struct {
	res lisa.Result
	ok  bool
	// pFDR is the FDR-adjusted p-value a cell is judged by: of the analytic
	// z, or of the permutation pseudo p-value when permutations ran.
	pFDR []float64
}

// lisaStats computes Local Moran's I of values on the study area with the
// Gi* neighbourhoods of band (the cell itself excluded), noting in r why it
// is undefined when it is.
func lisaStats(s *study, values []float64, o Options, r *Result) localMoran {
	if n := s.area.Len(); n < 3 {
		r.Notes = append(r.Notes, fmt.Sprintf("the study area has %d cell(s): Local Moran's I needs at least 3", n))
		return localMoran{}
	}
	res, err := lisa.StudyArea(s.area, values, weights(r.Band), lisa.Options{Permutations: o.LisaPermutations, Seed: uint64(o.Month.Unix())})
	if errors.Is(err, lisa.ErrNoVariance) {
		r.Notes = append(r.Notes, "every study-area cell holds the same measure: Local Moran's I is undefined (lisa columns are null)")
		return localMoran{}
	}
	if err != nil {
		// Values and band were checked by Gi* on the same area: an error
		// here is a bug, not a user's mistake.
		r.Notes = append(r.Notes, "Local Moran's I not computed: "+err.Error())
		return localMoran{}
	}
	m := localMoran{res: res, ok: true, pFDR: res.PFDR}
	if o.LisaPermutations > 0 {
		// The two-sided pseudo p counts draws tied with the observed
		// neighbour sum as extreme: counts of crime tie often, and GeoDa's
		// folded one then calls cells significant whose neighbours all hold
		// the commonest value (none).
		m.pFDR = res.PSimFDR
		if note := permutationFloor(s.area.Len(), o.LisaPermutations, o.Alpha); note != "" {
			r.Notes = append(r.Notes, note)
		}
	}
	r.Lisa = &LisaSummary{Permutations: o.LisaPermutations}
	if res.Undefined > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("%d of %d cells have an undefined Local Moran z (measure exactly at the mean, so no variance): lisa_z is null, never significant",
			res.Undefined, s.area.Len()))
	}
	return m
}

// cell fills c's Local Moran columns from study-area cell i, counting it in
// r's summary when significant at alpha.
func (m localMoran) cell(c *cellRow, i int, alpha float64, r *Result) {
	c.lisaI, c.lisaZ, c.lisaPFDR = math.NaN(), math.NaN(), math.NaN()
	if !m.ok || math.IsNaN(m.res.Z[i]) {
		return
	}
	c.lisaI, c.lisaZ, c.lisaPFDR, c.lisaQuadrant = m.res.I[i], m.res.Z[i], m.pFDR[i], m.res.Quadrant[i].String()
	if c.lisaPFDR >= alpha {
		return
	}
	switch m.res.Quadrant[i] {
	case lisa.HH:
		r.Lisa.HH++
	case lisa.LL:
		r.Lisa.LL++
	case lisa.HL:
		r.Lisa.HL++
		r.Lisa.Outliers = append(r.Lisa.Outliers, TopCell{GridRef: c.gridRef, CellX: c.cellX, CellY: c.cellY,
			Location: c.location, Crimes: int(c.crimes), Incidents: int(c.incidents),
			Share: float64(c.crimes) / float64(max(r.Crimes, 1)), Measure: c.measure,
			Z: Float(c.z), Bin: c.bin, Trend: c.trend, LisaZ: Float(c.lisaZ), LisaPFDR: Float(c.lisaPFDR)})
	case lisa.LH:
		r.Lisa.LH++
	}
}

// sortOutliers puts the HL cells with the most crime first.
func sortOutliers(r *Result) {
	if r.Lisa == nil {
		return
	}
	sort.SliceStable(r.Lisa.Outliers, func(i, j int) bool {
		a, b := r.Lisa.Outliers[i], r.Lisa.Outliers[j]
		if a.Measure != b.Measure {
			return a.Measure > b.Measure
		}
		return a.GridRef < b.GridRef
	})
}

// permutationFloor says when R permutations cannot make a small cluster
// significant after FDR over n cells: the smallest pseudo p is 1/(R+1),
// and Benjamini–Hochberg passes the k-th smallest p only at or below
// alpha·k/n, so fewer than n/(alpha·(R+1)) cells at that floor pass none.
func permutationFloor(n, perms int, alpha float64) string {
	need := int(math.Ceil(float64(n) / (alpha * float64(perms+1))))
	if need <= 1 {
		return ""
	}
	return fmt.Sprintf("with %d permutations the smallest pseudo p is %.2g: over %d cells, a cell is significant after FDR at %g only if at least %d cells reach it; give --lisa-permutations %d or more to find a smaller cluster, or use the analytic z (the default)",
		perms, 1/float64(perms+1), n, alpha, need, int(math.Ceil(float64(n)/alpha))-1)
}
