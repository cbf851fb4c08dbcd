package spatstat

import (
	"fmt"
	"math"
	"slices"
	"sort"

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
	col, row := a.Grid.ColRow(i)
	lo, hi := a.span(row, col, col)
	return lo, hi > lo
}

// span returns the positions [lo, hi) of the area's cells in grid row row
// with columns c0 to c1; an empty range when there are none.
func (a Area) span(row, c0, c1 int) (lo, hi int) {
	if row < 0 || row >= a.NY {
		return 0, 0
	}
	s, e := int(a.rowStart[row]), int(a.rowStart[row+1])
	cols := a.cols[s:e]
	lo = s + sort.Search(len(cols), func(k int) bool { return int(cols[k]) >= c0 })
	hi = s + sort.Search(len(cols), func(k int) bool { return int(cols[k]) > c1 })
	return lo, hi
}

// bandSum returns the sum of prefix-summed values (prefix[k] is the sum of
// the first k cells' values) over the cells within stencil st of cell k,
// k included, and their number.
func (a Area) bandSum(st stencil, k int, prefix []float64) (sum float64, w int) {
	r := len(st) / 2
	row, col := int(a.rows[k]), int(a.cols[k])
	for j, half := range st {
		lo, hi := a.span(row+j-r, col-half, col+half)
		sum += prefix[hi] - prefix[lo]
		w += hi - lo
	}
	return sum, w
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

// Isolated returns how many cells of a have no other cell of a within band.
func (a Area) Isolated(band float64) int {
	st := bandStencil(band, a.CellSize)
	r, n := len(st)/2, 0
	for k := range a.Len() {
		row, col := int(a.rows[k]), int(a.cols[k])
		w := 0
		for j, half := range st {
			lo, hi := a.span(row+j-r, col-half, col+half)
			w += hi - lo
		}
		if w <= 1 {
			n++
		}
	}
	return n
}
