package hotspots

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/safercity/safercity/hotspots/spatstat"
	"github.com/safercity/safercity/transform/grid"
)

// errNoProfileCrime says a force has none of a profile's located crime in
// the analysed month.
var errNoProfileCrime = errors.New("no located crimes of the profile (for nte with premises loaded: none within the NTE zones)")

// output is what one run computes: its result and the study-area cells to
// store.
type output struct {
	result Result
	cells  []cellRow
}

// stats are the statistics of one month over the study area.
type stats struct {
	gi       spatstat.GiStar
	giOK     bool
	density  []float64
	kdeHot   []bool
	emerging []spatstat.Emerging // nil when the window is too short
	inWindow []bool              // cells with the profile's crime in the window
	lisa     localMoran
}

// compute runs the profile over the study area s for month t of layers
// (months[t] is o.Month).
func compute(s *study, layers []layer, o Options, force string) (output, error) {
	t := len(layers) - 1
	cur := layers[t]
	r := Result{Profile: o.Profile.Name, Force: force, Month: o.Month.Format("2006-01"), Measure: o.Profile.Measure,
		CellSize: o.CellSize, StudyArea: s.name, Cells: s.area.Len(), Outside: cur.outside, Trends: map[string]int{}}
	r.Emerging, r.TimeStep = o.emerging()
	for i := range cur.crimes {
		r.Crimes += int64(cur.crimes[i])
		r.Incidents += int64(cur.incidents[i])
		r.Total += cur.counts[i]
	}
	if r.Crimes == 0 && r.Incidents == 0 {
		return output{result: r}, errNoProfileCrime
	}
	band, err := s.band(cur.counts, o.Band)
	if err != nil {
		return output{result: r}, err
	}
	r.Band, r.BandMethod, r.BandK, r.BandCapped = band.Metres, band.Method, band.K, band.Capped
	var st stats
	if st, err = monthStats(s, layers, o, &r); err != nil {
		return output{result: r}, err
	}
	out := output{result: r}
	out.cells, out.result.Top = cellRows(s, cur, st, o.Alpha, &out.result)
	sortOutliers(&out.result)
	out.result.Backtest = backtest(s, layers, t, o, force, r.Band)
	return out, nil
}

// monthStats computes Gi*, KDE and the emerging categories of the last
// month of layers.
func monthStats(s *study, layers []layer, o Options, r *Result) (stats, error) {
	t := len(layers) - 1
	cur := layers[t]
	var st stats
	var err error
	st.gi, err = spatstat.GiStarArea(s.area, cur.counts, weights(r.Band))
	switch {
	case errors.Is(err, spatstat.ErrNoVariance):
		r.Notes = append(r.Notes, "every study-area cell holds the same measure: Gi* is undefined (z, p and bin are null)")
	case err != nil:
		return st, err
	default:
		st.giOK = true
		if r.Isolated = st.gi.Extended; r.Isolated > 0 {
			r.Notes = append(r.Notes, fmt.Sprintf("%d of %d cells have no other study-area cell within the %.0f m band: each is compared with its nearest cells instead (ArcGIS's minimum of one neighbour)",
				r.Isolated, r.Cells, r.Band))
		}
	}
	st.lisa = lisaStats(s, cur.counts, o, r)
	r.Bandwidth = o.Bandwidth
	if r.Bandwidth == 0 {
		rule := spatstat.SilvermanBandwidth(cur.pts)
		if r.Bandwidth = spatstat.BoundBandwidth(rule, o.CellSize); math.Abs(rule-r.Bandwidth) > 0.5 {
			// The rule's radius for one cloud of points is bounded to 2–10
			// cells (see DefaultBandwidth): say so rather than cap silently.
			r.Notes = append(r.Notes, fmt.Sprintf("KDE bandwidth: the spatial Silverman rule gives %.0f m, bounded to %.0f m (2–10 cells); give --bandwidth to choose another", rule, r.Bandwidth))
		}
	}
	if st.density, err = spatstat.KernelDensityArea(s.area, cur.pts, harm(o, cur.weights), r.Bandwidth); err != nil {
		return st, err
	}
	st.kdeHot = make([]bool, s.area.Len())
	for _, i := range spatstat.TopShare(st.density, o.TopShare) {
		st.kdeHot[i] = true
	}
	// The window starts at the force's first month with data: months before
	// it are missing, not empty. Too short a series has no trend to speak of.
	first := 0
	for first < t && !layers[first].any {
		first++
	}
	r.Window = len(layers) - first
	st.inWindow = make([]bool, s.area.Len())
	series := make([][]float64, 0, r.Window)
	for _, l := range layers[first:] {
		series = append(series, l.counts)
		for i, v := range l.counts {
			st.inWindow[i] = st.inWindow[i] || v != 0
		}
	}
	if r.Window < minTrendMonths {
		r.Notes = append(r.Notes, fmt.Sprintf("%d month(s) of data: emerging hot spots need at least %d", r.Window, minTrendMonths))
		return st, nil
	}
	_, step := o.emerging()
	st.emerging, err = spatstat.EmergingArea(s.area, series, weights(r.Band), o.Alpha, step)
	return st, err
}

// harm returns the points' weights for a harm profile, nil (each 1) for a
// count profile.
func harm(o Options, w []float64) []float64 {
	if o.Profile.Measure == "harm" {
		return w
	}
	return nil
}

// cellRows returns every study-area cell as stored, and the problem
// profile's top ten cells (only cells with crime or incidents in the month).
func cellRows(s *study, cur layer, st stats, alpha float64, r *Result) ([]cellRow, []TopCell) {
	rows := make([]cellRow, s.area.Len())
	var top []TopCell
	for i := range rows {
		cx, cy := s.corner(i)
		c := cellRow{cellX: cx, cellY: cy, gridRef: cellRef(cx, cy, s.cellSize),
			crimes: cur.crimes[i], incidents: cur.incidents[i], measure: cur.counts[i], density: st.density[i],
			kdeHot: st.kdeHot[i], z: math.NaN(), p: math.NaN(), pFDR: math.NaN(), mkZ: math.NaN(), mkP: math.NaN(),
			location: mode(cur.location[i])}
		if st.giOK {
			c.hasGi, c.neighbours, c.z, c.p, c.pFDR, c.bin = true, st.gi.Neighbours[i], st.gi.Z[i], st.gi.P[i], st.gi.PFDR[i], st.gi.BinFDR[i]
		}
		if c.bin >= 2 {
			r.HotCells++
		}
		switch {
		case st.emerging != nil && st.inWindow[i]:
			c.trend, c.mkZ, c.mkP = st.emerging[i].Pattern.String(), st.emerging[i].Trend.Z, st.emerging[i].Trend.P
			r.Trends[c.trend]++
		case st.emerging != nil:
			r.NoTrend++
		}
		st.lisa.cell(&c, i, alpha, r)
		rows[i] = c
		if c.crimes > 0 || c.incidents > 0 {
			top = append(top, TopCell{GridRef: c.gridRef, CellX: cx, CellY: cy, Location: c.location, Crimes: int(c.crimes),
				Incidents: int(c.incidents), Share: float64(c.crimes) / float64(max(r.Crimes, 1)), Measure: c.measure,
				Z: Float(c.z), Bin: c.bin, Trend: c.trend, LisaZ: Float(c.lisaZ), LisaPFDR: Float(c.lisaPFDR)})
		}
	}
	sort.SliceStable(top, func(i, j int) bool {
		if top[i].Bin != top[j].Bin {
			return top[i].Bin > top[j].Bin
		}
		if top[i].Measure != top[j].Measure {
			return top[i].Measure > top[j].Measure
		}
		return top[i].GridRef < top[j].GridRef
	})
	return rows, top[:min(10, len(top))]
}

// cellRef is the OS grid reference of a cell's south-west corner at the
// precision its size allows ("" off the national grid).
func cellRef(x, y int64, size float64) string {
	ref, err := grid.Grid{Size: size}.GridRef(grid.Cell{X: x, Y: y})
	if err != nil {
		return ""
	}
	return ref
}

func mode(m map[string]int) string {
	best, n := "", 0
	for k, v := range m {
		if v > n || v == n && k < best {
			best, n = k, v
		}
	}
	return best
}
