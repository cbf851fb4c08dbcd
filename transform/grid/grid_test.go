package grid

import (
	"math"
	"math/rand/v2"
	"reflect"
	"sync/atomic"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/safercity/safercity/bng"
)

func mustNew(t testing.TB, size float64) Grid {
	t.Helper()
	g, err := New(size)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestValidate(t *testing.T) {
	for _, size := range []float64{25, 40, 50, 100, 125, 200, 250, 500, 1000} {
		if _, err := New(size); err != nil {
			t.Errorf("New(%v): %v", size, err)
		}
	}
	for _, size := range []float64{0, -100, 20, 24, 30, 75, 1000.0 / 3, 100.5, 1001, 2000, math.NaN(), math.Inf(1)} {
		if _, err := New(size); err == nil {
			t.Errorf("New(%v) succeeded, want an error", size)
		}
	}
}

func TestCellOf(t *testing.T) {
	tests := []struct {
		size, e, n float64
		want       Cell
	}{
		{100, 532099.6, 181123.4, Cell{532000, 181100}},
		{100, 532100, 181100, Cell{532100, 181100}}, // on the SW corner
		{100, 532099.999999, 181199.999999, Cell{532000, 181100}},
		{40, 532099, 181123, Cell{532080, 181120}},
		{25, 532099, 181123, Cell{532075, 181100}},
		{1000, 532999.9, 181000, Cell{532000, 181000}},
		{100, -0.5, -100, Cell{-100, -100}},
		{100, -100.5, 0, Cell{-200, 0}},
	}
	for _, tt := range tests {
		if got := mustNew(t, tt.size).CellOf(tt.e, tt.n); got != tt.want {
			t.Errorf("Grid{%v}.CellOf(%v, %v) = %v, want %v", tt.size, tt.e, tt.n, got, tt.want)
		}
	}
}

// TestCellContainsPoint checks on random points that a point's cell holds it
// under the half-open rule: south and west edges in, north and east out.
func TestCellContainsPoint(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, size := range []float64{25, 40, 125, 1000} {
		g := mustNew(t, size)
		for range 10000 {
			e, n := r.Float64()*700000, r.Float64()*1300000
			if r.IntN(4) == 0 { // land exactly on a cell edge
				e = math.Round(e/size) * size
			}
			b := g.Bound(g.CellOf(e, n))
			if !(b.Min[0] <= e && e < b.Max[0] && b.Min[1] <= n && n < b.Max[1]) {
				t.Fatalf("Grid{%v}: (%v, %v) is not in its cell %v", size, e, n, b)
			}
		}
	}
}

func TestPolygon(t *testing.T) {
	g := mustNew(t, 250)
	c := g.CellOf(532099, 181123)
	p := g.Polygon(c)
	want := orb.Polygon{{{532000, 181000}, {532250, 181000}, {532250, 181250}, {532000, 181250}, {532000, 181000}}}
	if !p.Equal(want) {
		t.Errorf("Polygon(%v) = %v, want %v", c, p, want)
	}
	if !p[0].Closed() || p[0].Orientation() != orb.CCW {
		t.Errorf("Polygon(%v): ring closed %v, orientation %v; want closed and counter-clockwise", c, p[0].Closed(), p[0].Orientation())
	}
	if a := planar.Area(p); a != 250*250 {
		t.Errorf("area of Polygon(%v) = %v, want %v", c, a, 250*250)
	}
	if b := p.Bound(); b != g.Bound(c) {
		t.Errorf("Polygon(%v) bound %v, Bound %v", c, b, g.Bound(c))
	}
	if got, want := g.Centre(c), (orb.Point{532125, 181125}); got != want {
		t.Errorf("Centre(%v) = %v, want %v", c, got, want)
	}
}

func TestNeighbours(t *testing.T) {
	g := mustNew(t, 100)
	c := Cell{532000, 181000}
	rook := []Cell{{532000, 180900}, {531900, 181000}, {532100, 181000}, {532000, 181100}}
	queen := []Cell{
		{531900, 180900}, {532000, 180900}, {532100, 180900},
		{531900, 181000}, {532100, 181000},
		{531900, 181100}, {532000, 181100}, {532100, 181100},
	}
	tests := []struct {
		dist float64
		want []Cell
	}{
		{99.9, nil},
		{-1, nil},
		{math.Inf(1), nil},
		{100, rook},
		{140, rook},
		{100 * math.Sqrt2, queen},
		{math.Hypot(100, 100), queen},
		{199, queen},
	}
	for _, tt := range tests {
		if got := g.Neighbours(c, tt.dist); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Neighbours(%v, %v) = %v, want %v", c, tt.dist, got, tt.want)
		}
	}
	// Within 2 cells: the queen ring plus the four cells two away in line.
	if n := len(g.Neighbours(c, 200)); n != 12 {
		t.Errorf("Neighbours(%v, 200): %d cells, want 12", c, n)
	}
	// Check a wide band against the definition.
	const dist = 730
	got := g.Neighbours(c, dist)
	want := 0
	for j := int64(-10); j <= 10; j++ {
		for i := int64(-10); i <= 10; i++ {
			n := Cell{c.X + 100*i, c.Y + 100*j}
			if n != c && planar.Distance(g.Centre(n), g.Centre(c)) <= dist {
				want++
			}
		}
	}
	if len(got) != want {
		t.Errorf("Neighbours(%v, %v): %d cells, want %d", c, dist, len(got), want)
	}
	for _, n := range got {
		if n == c || planar.Distance(g.Centre(n), g.Centre(c)) > dist {
			t.Errorf("Neighbours(%v, %v) includes %v", c, dist, n)
		}
	}
}

func TestGridRef(t *testing.T) {
	tests := []struct {
		size float64
		want string
	}{
		{1000, "TQ 32 81"},
		{500, "TQ 320 810"},
		{250, "TQ 3200 8100"},
		{100, "TQ 320 811"},
		{50, "TQ 3205 8110"},
		{40, "TQ 3208 8112"},
		{25, "TQ 32075 81100"},
	}
	for _, tt := range tests {
		g := mustNew(t, tt.size)
		c := g.CellOf(532099, 181123)
		if got, err := g.GridRef(c); err != nil || got != tt.want {
			t.Errorf("Grid{%v}.GridRef(%v) = %q, %v; want %q", tt.size, c, got, err, tt.want)
		}
	}
	if ref, err := mustNew(t, 100).GridRef(Cell{-100, 0}); err == nil {
		t.Errorf("GridRef of a cell off the national grid = %q, want an error", ref)
	}
}

func TestCells(t *testing.T) {
	g := mustNew(t, 100)
	b := orb.Bound{Min: orb.Point{532010, 181020}, Max: orb.Point{532290, 181100}}
	got, err := g.Cells(b)
	if err != nil {
		t.Fatal(err)
	}
	// The north edge 181100 lies on a cell edge, so the row above is needed
	// for points on it.
	want := []Cell{
		{532000, 181000}, {532100, 181000}, {532200, 181000},
		{532000, 181100}, {532100, 181100}, {532200, 181100},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Cells(%v) = %v, want %v", b, got, want)
	}

	// Every point of a bound, its corners included, falls in a listed cell.
	g = mustNew(t, 40)
	b = orb.Bound{Min: orb.Point{530003.5, 179980}, Max: orb.Point{534120, 183999.99}}
	cells, err := g.Cells(b)
	if err != nil {
		t.Fatal(err)
	}
	in := map[Cell]bool{}
	for _, c := range cells {
		in[c] = true
	}
	if len(in) != len(cells) {
		t.Errorf("Cells(%v) lists a cell twice", b)
	}
	r := rand.New(rand.NewPCG(3, 4))
	pts := []orb.Point{b.Min, b.Max, {b.Min[0], b.Max[1]}, {b.Max[0], b.Min[1]}}
	for range 10000 {
		pts = append(pts, orb.Point{b.Min[0] + r.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1])})
	}
	for _, p := range pts {
		if c := g.CellOf(p[0], p[1]); !in[c] {
			t.Fatalf("Cells(%v) misses %v, the cell of %v", b, c, p)
		}
	}
	// The grid is no larger than it must be: each listed cell touches b.
	for _, c := range cells {
		if !g.Bound(c).Intersects(b) {
			t.Errorf("Cells(%v) lists %v, which is outside it", b, c)
		}
	}

	for _, b := range []orb.Bound{
		{Min: orb.Point{1, 1}, Max: orb.Point{0, 2}},
		{Min: orb.Point{math.NaN(), 1}, Max: orb.Point{5, 5}},
		{Min: orb.Point{0, 0}, Max: orb.Point{math.Inf(1), 5}},
		{Min: orb.Point{0, 0}, Max: orb.Point{700000, 1300000}}, // 1.5e9 cells
		{Min: orb.Point{-1e300, 0}, Max: orb.Point{1e300, 5}},
	} {
		if cells, err := g.Cells(b); err == nil {
			t.Errorf("Cells(%v) = %d cells, want an error", b, len(cells))
		}
	}
}

// londonPoints returns longitude/latitude points spread over Greater London.
func londonPoints() []orb.Point {
	r := rand.New(rand.NewPCG(5, 6))
	pts := make([]orb.Point, 1<<16)
	for i := range pts {
		pts[i] = orb.Point{-0.5 + 0.8*r.Float64(), 51.3 + 0.4*r.Float64()}
	}
	return pts
}

// BenchmarkProjectAndAssign measures the per-row work of putting a crime in
// a 100 m cell: projection from WGS 84 and cell assignment, on one core.
func BenchmarkProjectAndAssign(b *testing.B) {
	g := mustNew(b, 100)
	pts := londonPoints()
	var sink int64
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p := pts[i%len(pts)]
		c := g.CellOf(bng.ToBNG(p[0], p[1]))
		sink += c.X
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	if sink == 0 {
		b.Fatal("no cells")
	}
}

// BenchmarkProjectAndAssignParallel is BenchmarkProjectAndAssign on all
// GOMAXPROCS cores.
func BenchmarkProjectAndAssignParallel(b *testing.B) {
	g := mustNew(b, 100)
	pts := londonPoints()
	var sink atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var s int64
		i := 0
		for pb.Next() {
			p := pts[i%len(pts)]
			c := g.CellOf(bng.ToBNG(p[0], p[1]))
			s += c.X
			i++
		}
		sink.Add(s)
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	if sink.Load() == 0 {
		b.Fatal("no cells")
	}
}
