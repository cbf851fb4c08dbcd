package hotspots

import (
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"

	"github.com/safercity/safercity/hotspots/spatstat"
	"github.com/safercity/safercity/transform/area"
)

// study is a run's study area: the cells it analyses, every one of them
// stored, and nothing else.
type study struct {
	area     spatstat.Area
	name     string // footprint | boundary:<layer>
	min      cellKey
	cellSize float64
	knn      *spatstat.Band // the knn fallback band, once computed
	// streets counts the "On or near" points at which the force recorded a
	// crime of any category in the window: the places of street
	// concentration.
	streets int
}

// band returns the given band, or the first autocorrelation peak of values
// over the study area, else its knn band (computed once: it depends on the
// cells alone).
func (s *study) band(values []float64, given float64) (spatstat.Band, error) {
	if given > 0 {
		return spatstat.Band{Metres: given, Method: spatstat.BandGiven}, nil
	}
	b, err := spatstat.PeakBand(s.area, values)
	if err != nil || b.Method == spatstat.BandPeak {
		return b, err
	}
	if s.knn == nil {
		k, err := spatstat.KNNBand(s.area)
		if err != nil {
			return k, err
		}
		s.knn = &k
	}
	k := *s.knn
	k.Z = b.Z
	return k, nil
}

// weights are the Gi* weights of a run: the band, and every cell with at
// least one neighbour.
func weights(band float64) spatstat.Weights {
	return spatstat.Weights{Band: band, Nearest: true}
}

// newStudy returns the study area made of cells.
func newStudy(name string, cells []cellKey, cellSize float64) (study, error) {
	if len(cells) == 0 {
		return study{}, fmt.Errorf("the %s study area has no cells", name)
	}
	lo, hi := cells[0], cells[0]
	for _, c := range cells {
		lo.x, lo.y = min(lo.x, c.x), min(lo.y, c.y)
		hi.x, hi.y = max(hi.x, c.x), max(hi.y, c.y)
	}
	g := spatstat.Grid{X0: float64(lo.x) * cellSize, Y0: float64(lo.y) * cellSize, CellSize: cellSize,
		NX: int(hi.x-lo.x) + 1, NY: int(hi.y-lo.y) + 1}
	if err := g.Validate(); err != nil {
		return study{}, fmt.Errorf("%s study area: %w", name, err)
	}
	idx := make([]int, len(cells))
	for i, c := range cells {
		idx[i] = g.Index(int(c.x-lo.x), int(c.y-lo.y))
	}
	a, err := spatstat.NewArea(g, idx)
	return study{area: a, name: name, min: lo, cellSize: cellSize}, err
}

// cell returns the position in the study area of the cell holding (x, y).
func (s *study) cell(x, y float64) (int, bool) {
	k := keyOf(x, y, s.cellSize)
	return s.area.At(int(k.x-s.min.x), int(k.y-s.min.y))
}

// key returns the lattice cell of the study area's k-th cell.
func (s *study) key(k int) cellKey {
	col, row := s.area.Pos(k)
	return cellKey{s.min.x + int64(col), s.min.y + int64(row)}
}

// corner returns the south-west corner of the study area's k-th cell, as
// hotspot_cells and crimes_enriched store it.
func (s *study) corner(k int) (int64, int64) {
	c := s.key(k)
	return int64(math.Round(float64(c.x) * s.cellSize)), int64(math.Round(float64(c.y) * s.cellSize))
}

// box returns the study area's box: min x, min y, max x, max y.
func (s *study) box() [4]float64 {
	g := s.area.Grid
	return [4]float64{g.X0, g.Y0, g.X0 + float64(g.NX)*g.CellSize, g.Y0 + float64(g.NY)*g.CellSize}
}

func (s *study) span() gridSpan {
	g := s.area.Grid
	return gridSpan{x0: g.X0, y0: g.Y0, nx: g.NX, ny: g.NY}
}

// footprintCells returns the cells holding a crime of the footprint in
// months lo..hi (indices into the loaded months).
func footprintCells(fp []monthCell, lo, hi int) []cellKey {
	var cells []cellKey
	for _, c := range fp {
		if c.month >= lo && c.month <= hi {
			cells = append(cells, c.key)
		}
	}
	slices.SortFunc(cells, func(a, b cellKey) int {
		if a.y != b.y {
			return int(a.y - b.y)
		}
		return int(a.x - b.x)
	})
	return slices.Compact(cells)
}

// boundaryCells returns the cells of cellSize whose centre lies inside a
// feature of the layer.
func boundaryCells(l *area.Layer, cellSize float64) []cellKey {
	seen := map[cellKey]bool{}
	var cells []cellKey
	for _, f := range l.Features() {
		lo, hi := keyOf(f.Bound.Min.X(), f.Bound.Min.Y(), cellSize), keyOf(f.Bound.Max.X(), f.Bound.Max.Y(), cellSize)
		for y := lo.y; y <= hi.y; y++ {
			for x := lo.x; x <= hi.x; x++ {
				k := cellKey{x, y}
				centre := orb.Point{(float64(x) + 0.5) * cellSize, (float64(y) + 0.5) * cellSize}
				if seen[k] {
					continue
				}
				if _, ok := l.Locate(centre); ok {
					seen[k] = true
					cells = append(cells, k)
				}
			}
		}
	}
	return cells
}

// layer is the profile's crime of one month on the study area.
type layer struct {
	counts    []float64 // measure per cell
	crimes    []int32   // police.uk crimes per cell
	incidents []int32   // partner incidents per cell
	any       bool      // any point this month, in the area or not
	pts       []orb.Point
	weights   []float64
	outside   int64            // points outside the study area
	location  []map[string]int // per cell, only for the test month
}

// onArea puts the points of month on the study area. Every point is kept
// for KDE, wherever it lies.
func onArea(s *study, pts []crimePoint, month int, withLocations bool) layer {
	n := s.area.Len()
	l := layer{counts: make([]float64, n), crimes: make([]int32, n), incidents: make([]int32, n)}
	if withLocations {
		l.location = make([]map[string]int, n)
	}
	for _, p := range pts {
		if p.month != month {
			continue
		}
		l.any = true
		l.pts = append(l.pts, orb.Point{p.x, p.y})
		l.weights = append(l.weights, p.measure)
		i, ok := s.cell(p.x, p.y)
		if !ok {
			l.outside++
			continue
		}
		l.counts[i] += p.measure
		if p.partner {
			l.incidents[i]++
		} else {
			l.crimes[i]++
		}
		if withLocations && p.location != "" && !p.partner {
			if l.location[i] == nil {
				l.location[i] = map[string]int{}
			}
			l.location[i][p.location]++
		}
	}
	return l
}

// inArea keeps the points that fall in the study area.
func inArea(s *study, pts []crimePoint) []crimePoint {
	var out []crimePoint
	for _, p := range pts {
		if _, ok := s.cell(p.x, p.y); ok {
			out = append(out, p)
		}
	}
	return out
}
