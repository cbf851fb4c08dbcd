package spatstat

import (
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/paulmach/orb"
)

// An Area is a study area: the cells of a Grid that an analysis looks at,
// and only those. A force's crime footprint is a few thousand cells in a box
// of millions; statistics over an Area cost in proportion to its cells, never
// to the box.
//
// Cells are kept in row-major order (by row, then column), so the cells of
// one grid row are consecutive and a band around a cell is a few runs found
// by binary search. Per-cell values passed with an Area are indexed in that
// order (see Index and Cell).
type Area struct {
	Grid
	cols, rows []int32
	rowStart   []int32 // cells of grid row r are [rowStart[r], rowStart[r+1])
}

// NewArea returns the area made of the cells of g with the given row-major
// grid indices; repeated indices count once.
func NewArea(g Grid, cells []int) (Area, error) {
	if err := g.Validate(); err != nil {
		return Area{}, err
	}
	idx := slices.Clone(cells)
	slices.Sort(idx)
	idx = slices.Compact(idx)
	if len(idx) > 0 && (idx[0] < 0 || idx[len(idx)-1] >= g.Len()) {
		return Area{}, fmt.Errorf("spatstat: cell index outside the %d×%d grid", g.NX, g.NY)
	}
	a := Area{Grid: g, cols: make([]int32, len(idx)), rows: make([]int32, len(idx)), rowStart: make([]int32, g.NY+1)}
	for k, i := range idx {
		col, row := g.ColRow(i)
		a.cols[k], a.rows[k] = int32(col), int32(row)
		a.rowStart[row+1]++
	}
	for r := range g.NY {
		a.rowStart[r+1] += a.rowStart[r]
	}
	return a, nil
}

// FullArea returns the area made of every cell of g, in grid order.
func FullArea(g Grid) (Area, error) {
	if err := g.Validate(); err != nil {
		return Area{}, err
	}
	cells := make([]int, g.Len())
	for i := range cells {
		cells[i] = i
	}
	return NewArea(g, cells)
}

// Len returns the number of cells in the area.
func (a Area) Len() int { return len(a.cols) }

// Index returns the grid index of the area's k-th cell.
func (a Area) Index(k int) int { return a.Grid.Index(int(a.cols[k]), int(a.rows[k])) }

// Centre returns the centre of the area's k-th cell.
func (a Area) Centre(k int) orb.Point { return a.Grid.Centre(a.Index(k)) }

// Cell returns the position in the area of the cell holding p, and false
// when p is in no cell of the area.
func (a Area) Cell(p orb.Point) (int, bool) {
	i, ok := a.Grid.Cell(p)
	if !ok {
		return 0, false
	}
	return a.At(a.Grid.ColRow(i))
}

// At returns the position in the area of cell (col, row) of its grid, and
// false when that cell is not in the area.
func (a Area) At(col, row int) (int, bool) {
	if col < 0 || col >= a.NX {
		return 0, false
	}
	lo, hi := a.span(row, col, col)
	return lo, hi > lo
}

// Pos returns the grid column and row of the area's k-th cell.
func (a Area) Pos(k int) (col, row int) { return int(a.cols[k]), int(a.rows[k]) }

// span returns the positions [lo, hi) of the area's cells in grid row row
// with columns c0 to c1; an empty range when there are none.
func (a Area) span(row, c0, c1 int) (lo, hi int) {
	if row < 0 || row >= a.NY {
		return 0, 0
	}
	s, e := int(a.rowStart[row]), int(a.rowStart[row+1])
	return searchCol(a.cols, s, e, c0), searchCol(a.cols, s, e, c1+1)
}

// searchCol returns the first position in [s, e) whose column is at least
// c, or e: a binary search written out, as it is the inner loop of every
// statistic over an area.
func searchCol(cols []int32, s, e, c int) int {
	for s < e {
		m := int(uint(s+e) >> 1)
		if int(cols[m]) < c {
			s = m + 1
		} else {
			e = m
		}
	}
	return s
}

// A sweep sums a stencil's runs for cells visited in the area's order,
// moving one pair of cursors per stencil row forward instead of searching:
// over a row of cells the cursors cross each neighbouring row once. Each
// goroutine needs its own.
type sweep struct {
	a        Area
	st       stencil
	row, col int
	lo, hi   []int
	end      []int // end of each stencil row's cells; -1 off the grid
}

func newSweep(a Area, st stencil) *sweep {
	return &sweep{a: a, st: st, row: -1, lo: make([]int, len(st)), hi: make([]int, len(st)), end: make([]int, len(st))}
}

// sum returns the sum of prefix-summed values (prefix[k] is the sum of the
// first k cells' values) over the cells within the stencil of cell k, k
// included, and their number.
func (s *sweep) sum(k int, prefix []float64) (sum float64, w int) {
	a, cols := s.a, s.a.cols
	row, col := int(a.rows[k]), int(cols[k])
	if row != s.row || col < s.col {
		s.reset(row)
	}
	s.col = col
	for j, half := range s.st {
		e := s.end[j]
		if e < 0 {
			continue
		}
		// lo ≤ hi holds between calls: hi passes every cell lo passes.
		lo, hi := s.lo[j], s.hi[j]
		for lo < e && int(cols[lo]) < col-half {
			lo++
		}
		for hi < e && int(cols[hi]) <= col+half {
			hi++
		}
		s.lo[j], s.hi[j] = lo, hi
		sum += prefix[hi] - prefix[lo]
		w += hi - lo
	}
	return sum, w
}

// reset puts the cursors at the start of the stencil's rows around row.
func (s *sweep) reset(row int) {
	a, r := s.a, len(s.st)/2
	for j := range s.st {
		rr := row + j - r
		if rr < 0 || rr >= a.NY {
			s.end[j] = -1
			continue
		}
		start := int(a.rowStart[rr])
		s.lo[j], s.hi[j], s.end[j] = start, start, int(a.rowStart[rr+1])
	}
	s.row = row
}

// prefixSums writes the running sums of v into p (len(v)+1 values).
func prefixSums(v, p []float64) {
	p[0] = 0
	for k, x := range v {
		p[k+1] = p[k] + x
	}
}

// checkValues reports whether v holds one finite value per cell of a.
func (a Area) checkValues(name string, v []float64) error {
	if len(v) != a.Len() {
		return fmt.Errorf("spatstat: %s has %d values for an area of %d cells", name, len(v), a.Len())
	}
	for k, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("spatstat: %s of cell (%d, %d) is %v", name, a.cols[k], a.rows[k], x)
		}
	}
	return nil
}

// Weights are Gi*'s binary weights on a study area: 1 for the cells whose
// centres lie within Band metres of a cell's centre, the cell itself
// included, 0 otherwise. With Nearest, a cell with no other cell within the
// band takes its nearest other cells (every one at that nearest distance)
// instead, as ArcGIS's Number of Neighbors of 1 does for a fixed distance
// band, so that every cell is compared with at least one neighbour.
type Weights struct {
	Band    float64
	Nearest bool
}

// nbhood applies Weights on an area.
type nbhood struct {
	a       Area
	st      stencil
	nearest bool
	// near caches each lone cell's nearest cells (cell → []int32): the
	// steps of an emerging analysis meet the same lone cells.
	near *sync.Map
}

func newNbhood(a Area, w Weights) nbhood {
	return nbhood{a: a, st: bandStencil(w.Band, a.CellSize), nearest: w.Nearest && a.Len() > 1, near: &sync.Map{}}
}

// nearest returns cell k and every other cell at the smallest distance
// from it.
func (a Area) nearest(k int) []int32 {
	d2, _ := a.kthNeighbour2(k, 1, nil)
	row, col := int(a.rows[k]), int(a.cols[k])
	r := floorSqrt(float64(d2))
	out := []int32{int32(k)}
	for dy := -r; dy <= r; dy++ {
		lo, hi := a.span(row+dy, col-r, col+r)
		for j := lo; j < hi; j++ {
			dx := int(a.cols[j]) - col
			if j != k && dx*dx+dy*dy == d2 {
				out = append(out, int32(j))
			}
		}
	}
	return out
}

// sum returns the sum of values over cell k's neighbours, k included, their
// number, and whether k took its nearest cells for want of any within the
// band; prefix holds the running sums of values and sw is the caller's
// sweep of h's stencil.
func (h nbhood) sum(sw *sweep, k int, prefix, values []float64) (float64, int, bool) {
	s, w := sw.sum(k, prefix)
	if w > 1 || !h.nearest {
		return s, w, false
	}
	var cells []int32
	if c, ok := h.near.Load(k); ok {
		cells = c.([]int32)
	} else {
		cells = h.a.nearest(k)
		h.near.Store(k, cells)
	}
	s = 0
	for _, j := range cells {
		s += values[j]
	}
	return s, len(cells), true
}
