// Package grid divides the British National Grid into square cells, for
// counting events per cell in hotspot analysis.
//
// Cells are aligned with the national grid: a cell's south-west corner is a
// multiple of the cell size in both easting and northing, so cells of every
// allowed size nest inside the 1 km squares of OS grid references, and the
// same cell has the same identity in every run and every data set.
package grid

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"github.com/safercity/safercity/bng"
)

// Cell is a grid cell, identified by its south-west corner: easting X and
// northing Y in whole metres.
type Cell struct {
	X, Y int64
}

// Grid is a grid of square cells of side Size metres on the British National
// Grid. Size must be a whole number of metres from 25 to 1000 that divides
// 1000 (25, 40, 50, 100, 125, 200, 250, 500 or 1000); see Validate. The other
// methods assume a valid grid.
type Grid struct {
	Size float64
}

// New returns a grid of cells of the given size in metres, or an error if
// the size is not allowed.
func New(size float64) (Grid, error) {
	g := Grid{Size: size}
	return g, g.Validate()
}

// Validate reports whether g's cell size is allowed.
func (g Grid) Validate() error {
	if !(g.Size >= 25 && g.Size <= 1000) || g.Size != math.Trunc(g.Size) || 1000%int64(g.Size) != 0 {
		return fmt.Errorf("grid: cell size %v m: want a whole number of metres from 25 to 1000 that divides 1000 (25, 40, 50, 100, 125, 200, 250, 500 or 1000)", g.Size)
	}
	return nil
}

func (g Grid) size() int64 { return int64(g.Size) }

// CellOf returns the cell containing the point with the given easting and
// northing in metres, which must be finite. Each cell contains its south and west edges but not its
// north and east edges, so every point is in exactly one cell.
func (g Grid) CellOf(easting, northing float64) Cell {
	// Integer arithmetic from the floored metre keeps points exactly on a
	// cell edge in the cell to their north-east, which float division by the
	// size would not guarantee.
	s := g.size()
	return Cell{
		X: floorDiv(int64(math.Floor(easting)), s) * s,
		Y: floorDiv(int64(math.Floor(northing)), s) * s,
	}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// Bound returns the cell's extent.
func (g Grid) Bound(c Cell) orb.Bound {
	return orb.Bound{
		Min: orb.Point{float64(c.X), float64(c.Y)},
		Max: orb.Point{float64(c.X) + g.Size, float64(c.Y) + g.Size},
	}
}

// Polygon returns the cell as a polygon: one closed ring, counter-clockwise
// from the south-west corner.
func (g Grid) Polygon(c Cell) orb.Polygon {
	x0, y0 := float64(c.X), float64(c.Y)
	x1, y1 := x0+g.Size, y0+g.Size
	return orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}
}

// Centre returns the centre of the cell.
func (g Grid) Centre(c Cell) orb.Point {
	h := g.Size / 2
	return orb.Point{float64(c.X) + h, float64(c.Y) + h}
}

// Neighbours returns the cells, other than c itself, whose centres are at
// most dist metres from c's centre, in rows from south to north and west to
// east within a row; there are none if dist is less than Size or not finite.
// A dist of Size gives the four rook neighbours and Size·√2 the eight queen
// neighbours: distances are compared with a relative allowance of 1e-9, so
// that a dist computed in floating point to equal a centre distance includes
// the cells at that distance.
func (g Grid) Neighbours(c Cell, dist float64) []Cell {
	const allowance = 1 + 1e-9
	if math.IsNaN(dist) || math.IsInf(dist, 0) {
		return nil
	}
	s := g.size()
	r := int64(math.Floor(dist / g.Size * allowance))
	max2 := dist * dist / (g.Size * g.Size) * allowance
	var out []Cell
	for j := -r; j <= r; j++ {
		for i := -r; i <= r; i++ {
			if (i == 0 && j == 0) || float64(i*i+j*j) > max2 {
				continue
			}
			out = append(out, Cell{X: c.X + i*s, Y: c.Y + j*s})
		}
	}
	return out
}

// GridRef returns the OS grid reference of the cell's south-west corner, to
// the coarsest precision (1000, 100, 10 or 1 m) that names that corner
// exactly: "TQ 32 81" for a 1 km cell, "TQ 320 811" for a 100 m or 500 m
// cell, "TQ 3205 8110" for a 50 m cell and "TQ 32025 81100" for a 25 m cell.
func (g Grid) GridRef(c Cell) (string, error) {
	p := int64(1000)
	for g.size()%p != 0 {
		p /= 10
	}
	return bng.GridRef(float64(c.X), float64(c.Y), int(p))
}

// MaxCells is the most cells Cells will enumerate: 10 million cells of 50 m
// cover 25,000 km², a little more than Wales.
const MaxCells = 10_000_000

// Cells returns every cell of the rectangle of cells that covers b, in rows
// from south to north and west to east within a row, so that CellOf of any
// point in b (its edges included) is among them. Cells with no events are
// included: hotspot statistics need the full grid. It returns an error if b
// is empty or not finite, or has more than MaxCells cells.
func (g Grid) Cells(b orb.Bound) ([]Cell, error) {
	for _, v := range [...]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("grid: cells over %v: bound is not finite", b)
		}
	}
	if b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] {
		return nil, fmt.Errorf("grid: cells over %v: bound is empty", b)
	}
	// Count in floating point first: a huge bound would overflow int64.
	if n := ((b.Max[0]-b.Min[0])/g.Size + 2) * ((b.Max[1]-b.Min[1])/g.Size + 2); n > 2*MaxCells {
		return nil, fmt.Errorf("grid: cells over %v: about %.3g cells of %v m, more than %d", b, n, g.Size, MaxCells)
	}
	sw, ne := g.CellOf(b.Min[0], b.Min[1]), g.CellOf(b.Max[0], b.Max[1])
	s := g.size()
	cols, rows := (ne.X-sw.X)/s+1, (ne.Y-sw.Y)/s+1
	if cols*rows > MaxCells {
		return nil, fmt.Errorf("grid: cells over %v: %d × %d cells of %v m, more than %d", b, cols, rows, g.Size, MaxCells)
	}
	out := make([]Cell, 0, cols*rows)
	for y := sw.Y; y <= ne.Y; y += s {
		for x := sw.X; x <= ne.X; x += s {
			out = append(out, Cell{X: x, Y: y})
		}
	}
	return out, nil
}
