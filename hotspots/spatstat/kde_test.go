package spatstat

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

func TestKernelDensityAtKnownDistances(t *testing.T) {
	g := Grid{X0: 0, Y0: 0, CellSize: 100, NX: 9, NY: 9}
	centre := g.Centre(g.Index(4, 4))
	got, err := KernelDensity(g, []orb.Point{centre}, []float64{2}, 250)
	if err != nil {
		t.Fatal(err)
	}
	peak := 2 * 3 / (math.Pi * 250 * 250) * 1e6 // events per km² at d = 0
	quartic := func(d float64) float64 { u := 1 - d*d/(250*250); return peak * u * u }
	for _, tc := range []struct {
		col, row int
		want     float64
	}{
		{4, 4, peak},
		{5, 4, quartic(100)},
		{5, 5, quartic(100 * math.Sqrt2)},
		{6, 5, quartic(math.Sqrt(200*200 + 100*100))},
		{6, 6, 0}, // 283 m > h
		{0, 0, 0},
	} {
		if v := got[g.Index(tc.col, tc.row)]; math.Abs(v-tc.want) > 1e-12*peak {
			t.Errorf("cell (%d, %d): %v per km², want %v", tc.col, tc.row, v, tc.want)
		}
	}
}

// TestKernelDensityMatchesDirectSum compares with the textbook double loop,
// including points outside the grid and a GOMAXPROCS change, which must not
// change a single bit.
func TestKernelDensityMatchesDirectSum(t *testing.T) {
	g := Grid{X0: 1000, Y0: 5000, CellSize: 50, NX: 31, NY: 23}
	rng := rand.New(rand.NewPCG(7, 8))
	pts := make([]orb.Point, 400)
	w := make([]float64, len(pts))
	for i := range pts {
		// Spread beyond the grid on every side.
		pts[i] = orb.Point{900 + rng.Float64()*1750, 4900 + rng.Float64()*1350}
		w[i] = 1 + rng.Float64()*9
	}
	const h = 137.5
	got, err := KernelDensity(g, pts, w, h)
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		c := g.Centre(i)
		var want float64
		for k, p := range pts {
			d2 := (c.X()-p.X())*(c.X()-p.X()) + (c.Y()-p.Y())*(c.Y()-p.Y())
			if d2 < h*h {
				want += w[k] * 3 / (math.Pi * h * h) * math.Pow(1-d2/(h*h), 2)
			}
		}
		want *= 1e6
		if math.Abs(got[i]-want) > 1e-9*math.Max(want, 1) {
			t.Fatalf("cell %d: %v, direct sum %v", i, got[i], want)
		}
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	serial, err := KernelDensity(g, pts, w, h)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, serial) {
		t.Error("density differs between GOMAXPROCS settings")
	}
}

// TestKernelDensityConservesMass: at the default bandwidth's lower bound of
// two cells, the surface integrates to the number of points within 1.5%.
func TestKernelDensityConservesMass(t *testing.T) {
	g := Grid{CellSize: 100, NX: 60, NY: 60}
	rng := rand.New(rand.NewPCG(9, 10))
	pts := make([]orb.Point, 1000)
	for i := range pts {
		pts[i] = orb.Point{1000 + rng.Float64()*4000, 1000 + rng.Float64()*4000}
	}
	got, err := KernelDensity(g, pts, nil, 2*g.CellSize)
	if err != nil {
		t.Fatal(err)
	}
	var mass float64
	for _, v := range got {
		mass += v * g.CellArea() / 1e6
	}
	if math.Abs(mass-1000)/1000 > 0.015 {
		t.Errorf("surface integrates to %v events, want 1000 ± 1.5%%", mass)
	}
}

func TestKernelDensityErrors(t *testing.T) {
	g := Grid{CellSize: 10, NX: 2, NY: 2}
	pts := []orb.Point{{1, 1}}
	for name, err := range map[string]error{
		"zero bandwidth": second(KernelDensity(g, pts, nil, 0)),
		"NaN bandwidth":  second(KernelDensity(g, pts, nil, math.NaN())),
		"weights":        second(KernelDensity(g, pts, []float64{1, 2}, 10)),
		"grid":           second(KernelDensity(Grid{CellSize: 10}, pts, nil, 10)),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// Points that cannot reach the grid are ignored, not an error.
	got, err := KernelDensity(g, []orb.Point{{math.NaN(), 1}, {math.Inf(1), 1}, {1e300, -1e300}}, nil, 10)
	if err != nil || slices.Max(got) != 0 {
		t.Errorf("far points: %v, %v", got, err)
	}
}

func second[T any](_ T, err error) error { return err }

func TestSilvermanBandwidth(t *testing.T) {
	// Mean centre (0, 0), every distance 1: SD = Dm = 1, so
	// h = 0.9 · min(1, 1.2011) · 4^(−0.2).
	pts := []orb.Point{{1, 0}, {-1, 0}, {0, 1}, {0, -1}}
	if got, want := SilvermanBandwidth(pts), 0.9*math.Pow(4, -0.2); math.Abs(got-want) > 1e-15 {
		t.Errorf("SilvermanBandwidth = %v, want %v", got, want)
	}
	// An outlier inflates SD but not the median distance, which then rules:
	// distances 1, 1, 1, 1, 100 about the centre (20, 0)… computed directly.
	pts = append(pts, orb.Point{100, 0})
	var sd float64
	d := make([]float64, len(pts))
	for i, p := range pts {
		d[i] = math.Hypot(p.X()-20, p.Y())
		sd += d[i] * d[i]
	}
	sd = math.Sqrt(sd / 5)
	slices.Sort(d)
	want := 0.9 * math.Min(sd, math.Sqrt(1/math.Ln2)*d[2]) * math.Pow(5, -0.2)
	if got := SilvermanBandwidth(pts); math.Abs(got-want) > 1e-12 || want >= 0.9*sd*math.Pow(5, -0.2) {
		t.Errorf("with outlier: %v, want %v (median rule)", got, want)
	}
	if got := SilvermanBandwidth(pts[:1]); got != 0 {
		t.Errorf("one point: %v, want 0", got)
	}
}

func TestDefaultBandwidthClamps(t *testing.T) {
	tight := []orb.Point{{0, 0}, {1, 0}, {0, 1}, {1, 1}}
	if got := DefaultBandwidth(tight, 100); got != 200 {
		t.Errorf("tight cluster: %v, want the 2-cell floor 200", got)
	}
	wide := []orb.Point{{0, 0}, {1e5, 0}, {0, 1e5}, {1e5, 1e5}}
	if got := DefaultBandwidth(wide, 100); got != 1000 {
		t.Errorf("spread points: %v, want the 10-cell ceiling 1000", got)
	}
	mid := []orb.Point{{0, 0}, {1000, 0}, {0, 1000}, {1000, 1000}}
	if got, want := DefaultBandwidth(mid, 100), SilvermanBandwidth(mid); got != want || got <= 200 || got >= 1000 {
		t.Errorf("in range: %v, want Silverman's %v", got, want)
	}
}

func TestTopShare(t *testing.T) {
	values := []float64{5, 0, 3, 7, 3, 3, -1, 9, 3, 1}
	for _, tc := range []struct {
		share float64
		want  []int
	}{
		{0.3, []int{7, 3, 0}},
		{0.5, []int{7, 3, 0, 2, 4}}, // ties at 3 go to the lower index
		{0.55, []int{7, 3, 0, 2, 4}},
		{1, []int{7, 3, 0, 2, 4, 5, 8, 9}}, // zero and negative cells excluded
		{0.05, []int{}},
		{0, nil},
	} {
		if got := TopShare(values, tc.share); !slices.Equal(got, tc.want) {
			t.Errorf("TopShare(%v) = %v, want %v", tc.share, got, tc.want)
		}
	}
}
