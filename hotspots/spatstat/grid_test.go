package spatstat

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

func TestGridCells(t *testing.T) {
	g := Grid{X0: 531000, Y0: 180300, CellSize: 100, NX: 4, NY: 3}
	for _, tc := range []struct {
		p        orb.Point
		col, row int
		ok       bool
	}{
		{orb.Point{531000, 180300}, 0, 0, true}, // south-west corner is inside
		{orb.Point{531399.9, 180599.9}, 3, 2, true},
		{orb.Point{531400, 180350}, 0, 0, false}, // east edge is outside
		{orb.Point{531050, 180299.9}, 0, 0, false},
		{orb.Point{531150, 180450}, 1, 1, true},
		{orb.Point{math.NaN(), 180450}, 0, 0, false},
		{orb.Point{1e300, 180450}, 0, 0, false},
	} {
		i, ok := g.Cell(tc.p)
		if ok != tc.ok || (ok && i != g.Index(tc.col, tc.row)) {
			t.Errorf("Cell(%v) = %d, %v; want (%d, %d), %v", tc.p, i, ok, tc.col, tc.row, tc.ok)
		}
	}
	if c := g.Centre(g.Index(1, 2)); c != (orb.Point{531150, 180550}) {
		t.Errorf("Centre(1, 2) = %v", c)
	}
	if col, row := g.ColRow(7); col != 3 || row != 1 {
		t.Errorf("ColRow(7) = %d, %d", col, row)
	}
}

func TestGridCounts(t *testing.T) {
	g := Grid{CellSize: 10, NX: 2, NY: 2}
	pts := []orb.Point{{1, 1}, {2, 2}, {15, 1}, {15, 15}, {25, 5}}
	counts, outside, err := g.Counts(pts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{2, 1, 0, 1}; !equalFloats(counts, want) || outside != 1 {
		t.Errorf("counts %v, %d outside; want %v, 1", counts, outside, want)
	}
	harm, _, err := g.Counts(pts, []float64{365, 10, 2, 1, 99})
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{375, 2, 0, 1}; !equalFloats(harm, want) {
		t.Errorf("harm %v, want %v", harm, want)
	}
	if _, _, err := g.Counts(pts, []float64{1}); err == nil {
		t.Error("short weights: no error")
	}
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestGridCovering(t *testing.T) {
	g, err := GridCovering(orb.Bound{Min: orb.Point{531_042, 180_310}, Max: orb.Point{533_700, 182_000}}, 100)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Grid{X0: 531000, Y0: 180300, CellSize: 100, NX: 28, NY: 18}); g != want {
		t.Errorf("GridCovering = %+v, want %+v", g, want)
	}
	// Cells are half-open, so a corner on a cell boundary needs one more
	// column and row.
	if _, ok := g.Cell(orb.Point{533_700, 182_000}); !ok {
		t.Error("the bound's north-east corner is outside the grid")
	}
	for _, bad := range []float64{0, -5, math.Inf(1)} {
		if _, err := GridCovering(orb.Bound{Max: orb.Point{10, 10}}, bad); err == nil {
			t.Errorf("cell size %v: no error", bad)
		}
	}
}
