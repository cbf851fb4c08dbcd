package hotspots

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/safercity/safercity/analysis/rates"
	"github.com/safercity/safercity/hotspots/spatstat"
	"github.com/safercity/safercity/transform/area"
)

// AreaCell is one stored study-area cell, as AreasOf takes it.
type AreaCell struct {
	X, Y              float64 // south-west corner, metres
	Crimes, Incidents int64
	Measure           float64
}

// AreaStat is the hotspot result of one area of a boundary layer.
type AreaStat struct {
	Code, Name        string
	Cells             int // study-area cells whose centre lies in the area
	Crimes, Incidents int64
	Measure           float64
	Z, P, PFDR        float64 // NaN when Gi* is undefined
	Bin               int8
}

// Areas is a run's hotspots summed into the areas of a boundary layer.
type Areas struct {
	Areas []AreaStat
	// Band is the Gi* distance band over the areas' centroids: the
	// smallest that gives every area a neighbour (ArcGIS's default).
	Band float64
	// LeftOut names the areas that take no part, with the reason;
	// LeftOutCells counts the study-area cells in them.
	LeftOut      []string
	LeftOutCells int
	// Outside counts the study-area cells in no area of the layer.
	Outside int
}

// AreasOf sums a run's study-area cells into the areas of l holding their
// centres and computes Gi* over the centroids of the areas that take part:
// those the force's data covers. An area takes part when the study area
// covers at least a tenth of the share of it that it covers of its typical
// area (the area holding the median study-area cell): a district where the
// force recorded a few crimes beyond its border is covered hundreds of times
// less than its own districts, whatever the force. The others are left out
// and listed with the reason, never compared and never hot. Gi* is
// undefined (NaN, bin 0) with fewer than three areas or when their measures
// do not vary.
func AreasOf(l *area.Layer, cells []AreaCell, cellSize float64) (Areas, error) {
	fs := l.Features()
	stats := make([]AreaStat, len(fs))
	index := map[string]int{}
	for i, f := range fs {
		stats[i] = AreaStat{Code: f.Code, Name: f.Name, Z: math.NaN(), P: math.NaN(), PFDR: math.NaN()}
		index[f.Code] = i
	}
	var out Areas
	for _, c := range cells {
		f, ok := l.Locate(orb.Point{c.X + cellSize/2, c.Y + cellSize/2})
		if !ok {
			out.Outside++
			continue
		}
		s := &stats[index[f.Code]]
		s.Cells++
		s.Crimes += c.Crimes
		s.Incidents += c.Incidents
		s.Measure += c.Measure
	}
	coverage := make([]float64, len(fs))
	for i, f := range fs {
		coverage[i] = float64(stats[i].Cells) * cellSize * cellSize / planar.Area(f.Geometry)
	}
	typical := typicalCoverage(stats, coverage)
	var centroids []orb.Point
	for i, s := range stats {
		switch {
		case s.Cells == 0:
			out.LeftOut = append(out.LeftOut, fmt.Sprintf("%s %s: no study-area cell (the force's data does not cover it)", s.Code, s.Name))
		case coverage[i] < typical/10:
			out.LeftOutCells += s.Cells
			out.LeftOut = append(out.LeftOut, fmt.Sprintf("%s %s: %d study-area cells cover %.2g%% of it, under a tenth of the force's typical %.2g%% (crimes recorded beyond its area)",
				s.Code, s.Name, s.Cells, 100*coverage[i], 100*typical))
		default:
			c, _ := planar.CentroidArea(fs[i].Geometry)
			centroids = append(centroids, c)
			out.Areas = append(out.Areas, s)
		}
	}
	return out, out.giStar(centroids)
}

// typicalCoverage returns the coverage of the area holding the median
// study-area cell.
func typicalCoverage(stats []AreaStat, coverage []float64) float64 {
	var idx []int
	total := 0
	for i, s := range stats {
		if s.Cells > 0 {
			idx = append(idx, i)
			total += s.Cells
		}
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(coverage[a], coverage[b]) })
	seen := 0
	for _, i := range idx {
		if seen += stats[i].Cells; 2*seen >= total {
			return coverage[i]
		}
	}
	return 0
}

// neighbourBand returns the smallest distance band that gives every point
// a neighbour: the largest distance from a point to its nearest other
// (rates.KNearest with k = 1). pts holds at least two points.
func neighbourBand(pts []orb.Point) float64 {
	xs, ys := make([]float64, len(pts)), make([]float64, len(pts))
	for i, p := range pts {
		xs[i], ys[i] = p[0], p[1]
	}
	band := 0.0
	for i, nb := range rates.KNearest(xs, ys, 1) {
		band = max(band, planar.Distance(pts[i], pts[nb[0]]))
	}
	return band
}

// giStar fills in Gi* over the areas' centroids.
func (a *Areas) giStar(centroids []orb.Point) error {
	if len(a.Areas) < 3 {
		return nil
	}
	a.Band = neighbourBand(centroids)
	measure := make([]float64, len(a.Areas))
	for i, s := range a.Areas {
		measure[i] = s.Measure
	}
	gi, err := spatstat.GiStarPoints(centroids, measure, a.Band)
	if errors.Is(err, spatstat.ErrNoVariance) {
		return nil
	}
	if err != nil {
		return err
	}
	for i := range a.Areas {
		s := &a.Areas[i]
		s.Z, s.P, s.PFDR, s.Bin = gi.Z[i], gi.P[i], gi.PFDR[i], gi.BinFDR[i]
	}
	return nil
}
