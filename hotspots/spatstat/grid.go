package spatstat

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// A Grid is a regular raster of square cells in planar metres. Cell (col,
// row) covers [X0+col·CellSize, X0+(col+1)·CellSize) × [Y0+row·CellSize,
// Y0+(row+1)·CellSize): row 0 is the southernmost row. Per-cell values are
// stored row-major, so cell (col, row) is at index row·NX + col.
type Grid struct {
	X0, Y0   float64 // south-west corner of cell (0, 0)
	CellSize float64 // side of a cell in metres
	NX, NY   int     // number of columns and rows
}

// GridCovering returns the grid of cellSize cells whose origin is b's
// south-west corner rounded down to a multiple of cellSize, so that grids of
// the same cell size built for different extents share cell boundaries, and
// which is just large enough to contain every point of b.
func GridCovering(b orb.Bound, cellSize float64) (Grid, error) {
	if !(cellSize > 0) || math.IsInf(cellSize, 0) {
		return Grid{}, fmt.Errorf("spatstat: cell size %v is not a positive finite number", cellSize)
	}
	if b.Min.X() > b.Max.X() || b.Min.Y() > b.Max.Y() {
		return Grid{}, fmt.Errorf("spatstat: empty bound %v", b)
	}
	x0 := math.Floor(b.Min.X()/cellSize) * cellSize
	y0 := math.Floor(b.Min.Y()/cellSize) * cellSize
	g := Grid{
		X0:       x0,
		Y0:       y0,
		CellSize: cellSize,
		NX:       int(math.Floor((b.Max.X()-x0)/cellSize)) + 1,
		NY:       int(math.Floor((b.Max.Y()-y0)/cellSize)) + 1,
	}
	return g, g.Validate()
}

// Validate reports whether g has a positive finite origin and cell size and
// at least one cell.
func (g Grid) Validate() error {
	switch {
	case math.IsNaN(g.X0) || math.IsInf(g.X0, 0) || math.IsNaN(g.Y0) || math.IsInf(g.Y0, 0):
		return fmt.Errorf("spatstat: grid origin (%v, %v) is not finite", g.X0, g.Y0)
	case !(g.CellSize > 0) || math.IsInf(g.CellSize, 0):
		return fmt.Errorf("spatstat: grid cell size %v is not a positive finite number", g.CellSize)
	case g.NX <= 0 || g.NY <= 0:
		return fmt.Errorf("spatstat: grid has %d×%d cells", g.NX, g.NY)
	case g.NX > math.MaxInt32/g.NY:
		return fmt.Errorf("spatstat: grid of %d×%d cells is too large", g.NX, g.NY)
	}
	return nil
}

// Len returns the number of cells, NX·NY.
func (g Grid) Len() int { return g.NX * g.NY }

// CellArea returns the area of one cell in square metres.
func (g Grid) CellArea() float64 { return g.CellSize * g.CellSize }

// Index returns the row-major index of cell (col, row).
func (g Grid) Index(col, row int) int { return row*g.NX + col }

// ColRow returns the column and row of the cell at index i.
func (g Grid) ColRow(i int) (col, row int) { return i % g.NX, i / g.NX }

// Centre returns the centre of the cell at index i.
func (g Grid) Centre(i int) orb.Point {
	col, row := g.ColRow(i)
	return orb.Point{
		g.X0 + (float64(col)+0.5)*g.CellSize,
		g.Y0 + (float64(row)+0.5)*g.CellSize,
	}
}

// Cell returns the index of the cell containing p, and false when p lies
// outside the grid.
func (g Grid) Cell(p orb.Point) (int, bool) {
	fc := math.Floor((p.X() - g.X0) / g.CellSize)
	fr := math.Floor((p.Y() - g.Y0) / g.CellSize)
	// Comparing as floats first keeps NaN and huge coordinates out of the
	// integer conversion.
	if !(fc >= 0 && fc < float64(g.NX) && fr >= 0 && fr < float64(g.NY)) {
		return 0, false
	}
	return g.Index(int(fc), int(fr)), true
}

// Counts returns the number of points in each cell, or when weights is not
// nil the sum of the points' weights (for harm-weighted counts). Points
// outside the grid are not counted; outside reports how many there were.
func (g Grid) Counts(pts []orb.Point, weights []float64) (counts []float64, outside int, err error) {
	if err := g.Validate(); err != nil {
		return nil, 0, err
	}
	if weights != nil && len(weights) != len(pts) {
		return nil, 0, fmt.Errorf("spatstat: %d weights for %d points", len(weights), len(pts))
	}
	counts = make([]float64, g.Len())
	for k, p := range pts {
		i, ok := g.Cell(p)
		if !ok {
			outside++
			continue
		}
		if weights == nil {
			counts[i]++
		} else {
			counts[i] += weights[k]
		}
	}
	return counts, outside, nil
}
