package spatstat

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/spatial"
)

// The docstring example of PySAL esda G_Local (DistanceBand threshold 15,
// transform 'B', star=True), also reproduced with the ArcGIS formula.
var (
	esdaPoints = []orb.Point{{10, 10}, {20, 10}, {40, 10}, {15, 20}, {30, 20}, {30, 30}}
	esdaValues = []float64{2, 3, 3.2, 5, 8, 7}
	esdaGiStar = []float64{-1.39727626, -0.28917762, 0.65064964, -0.28917762, 1.23452088, 2.02424331}
)

func TestGiStarPointsMatchesEsda(t *testing.T) {
	got, err := GiStarPoints(esdaPoints, esdaValues, 15)
	if err != nil {
		t.Fatal(err)
	}
	wantNeighbours := []int32{3, 4, 2, 4, 5, 2}
	for i, want := range esdaGiStar {
		if math.Abs(got.Z[i]-want) > 1e-8 {
			t.Errorf("point %d: z = %.10f, esda %.8f", i, got.Z[i], want)
		}
		if got.Neighbours[i] != wantNeighbours[i] {
			t.Errorf("point %d: %d neighbours, want %d", i, got.Neighbours[i], wantNeighbours[i])
		}
	}
}

// TestGiStarGridMatchesGonum uses gonum's dense GetisOrdGStar as an oracle,
// with the neighbourhoods built from centre distances, not from the stencil.
func TestGiStarGridMatchesGonum(t *testing.T) {
	g := Grid{X0: 500, Y0: -200, CellSize: 50, NX: 9, NY: 7}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name  string
		band  float64
		value func() float64
	}{
		{"counts, band 120", 120, func() float64 { return float64(rng.IntN(4) * rng.IntN(4)) }},
		{"harm, band 175", 175, func() float64 { return rng.ExpFloat64() * 200 }},
		{"queen, band cell·√2", 50 * math.Sqrt2, func() float64 { return float64(rng.IntN(3)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := g.Len()
			values := make([]float64, n)
			for i := range values {
				values[i] = tc.value()
			}
			w := mat.NewDense(n, n, nil)
			for i := range n {
				for j := range n {
					a, b := g.Centre(i), g.Centre(j)
					if math.Hypot(a.X()-b.X(), a.Y()-b.Y()) <= tc.band*(1+1e-9) {
						w.Set(i, j, 1)
					}
				}
			}
			got, err := GiStarGrid(g, values, tc.band)
			if err != nil {
				t.Fatal(err)
			}
			for i := range n {
				want := spatial.GetisOrdGStar(i, values, nil, w)
				if math.Abs(got.Z[i]-want) > 1e-12 {
					t.Errorf("cell %d: z = %.15f, gonum %.15f", i, got.Z[i], want)
				}
				if nb := mat.Sum(w.RowView(i)); float64(got.Neighbours[i]) != nb {
					t.Errorf("cell %d: %d neighbours, want %v", i, got.Neighbours[i], nb)
				}
			}
		})
	}
}

func TestGiStarPointsAgreesWithGrid(t *testing.T) {
	g := Grid{X0: 0, Y0: 0, CellSize: 100, NX: 23, NY: 17}
	rng := rand.New(rand.NewPCG(3, 4))
	values := make([]float64, g.Len())
	pts := make([]orb.Point, g.Len())
	for i := range values {
		values[i] = float64(rng.IntN(6))
		pts[i] = g.Centre(i)
	}
	for _, band := range []float64{0, 100, 250, 400, 1000} {
		grid, err := GiStarGrid(g, values, band)
		if err != nil {
			t.Fatal(err)
		}
		points, err := GiStarPoints(pts, values, band)
		if err != nil {
			t.Fatal(err)
		}
		for i := range values {
			if grid.Neighbours[i] != points.Neighbours[i] || math.Abs(grid.Z[i]-points.Z[i]) > 1e-12 {
				t.Fatalf("band %v cell %d: grid (%d, %v), points (%d, %v)",
					band, i, grid.Neighbours[i], grid.Z[i], points.Neighbours[i], points.Z[i])
			}
		}
	}
}

func TestBandStencilCellCount(t *testing.T) {
	for _, tc := range []struct {
		band float64
		want int
	}{
		{0, 1}, {99, 1}, {100, 5}, {100 * math.Sqrt2, 9}, {200, 13}, {250, 21}, {300, 29}, {1000, 317},
	} {
		var got int
		for _, half := range bandStencil(tc.band, 100) {
			got += 2*half + 1
		}
		if got != tc.want {
			t.Errorf("band %v on 100 m cells: %d cells, want %d", tc.band, got, tc.want)
		}
	}
}

func TestGiStarEdgeCellsHaveFewerNeighbours(t *testing.T) {
	g := Grid{CellSize: 10, NX: 5, NY: 4}
	values := make([]float64, g.Len())
	values[7] = 1
	got, err := GiStarGrid(g, values, 10)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range map[int]int32{g.Index(0, 0): 3, g.Index(2, 0): 4, g.Index(2, 2): 5, g.Index(4, 3): 3} {
		if got.Neighbours[i] != want {
			t.Errorf("cell %d: %d neighbours, want %d", i, got.Neighbours[i], want)
		}
	}
	// Cells whose neighbourhood holds the lone count are above expectation,
	// all others below.
	near := map[int]bool{7: true, 2: true, 6: true, 8: true, 12: true}
	for i, z := range got.Z {
		if near[i] != (z > 0) {
			t.Errorf("cell %d: z = %v", i, z)
		}
	}
}

func TestGiStarErrors(t *testing.T) {
	g := Grid{CellSize: 10, NX: 3, NY: 3}
	if _, err := GiStarGrid(g, make([]float64, 9), 10); !errors.Is(err, ErrNoVariance) {
		t.Errorf("all-zero values: err = %v, want ErrNoVariance", err)
	}
	for name, call := range map[string]func() error{
		"short values": func() error { _, err := GiStarGrid(g, make([]float64, 8), 10); return err },
		"NaN value": func() error {
			v := make([]float64, 9)
			v[4] = math.NaN()
			_, err := GiStarGrid(g, v, 10)
			return err
		},
		"negative band": func() error { _, err := GiStarGrid(g, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}, -1); return err },
		"bad grid":      func() error { _, err := GiStarGrid(Grid{NX: 3, NY: 3}, make([]float64, 9), 10); return err },
		"one point":     func() error { _, err := GiStarPoints([]orb.Point{{0, 0}}, []float64{1}, 10); return err },
		"points values": func() error { _, err := GiStarPoints(esdaPoints, esdaValues[:5], 10); return err },
		"point at NaN": func() error {
			_, err := GiStarPoints([]orb.Point{{0, 0}, {math.NaN(), 0}}, []float64{1, 2}, 10)
			return err
		},
	} {
		if err := call(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestGiStarEveryCellNeighbour: with a band covering the whole grid Gi* is
// undefined, and must say so rather than report a spurious z.
func TestGiStarEveryCellNeighbour(t *testing.T) {
	got, err := GiStarGrid(Grid{CellSize: 10, NX: 3, NY: 3}, []float64{0, 1, 2, 3, 4, 5, 6, 7, 9}, 100)
	if err != nil {
		t.Fatal(err)
	}
	for i, z := range got.Z {
		if !math.IsNaN(z) || got.Bin[i] != 0 || got.BinFDR[i] != 0 {
			t.Errorf("cell %d: z %v, bins %d %d; want NaN, 0, 0", i, z, got.Bin[i], got.BinFDR[i])
		}
	}
}

func TestConfidenceBin(t *testing.T) {
	for _, tc := range []struct {
		z, p float64
		want int8
	}{
		{3, 0.0027, 3}, {-3, 0.0027, -3}, {2.2, 0.0278, 2}, {-2.2, 0.0278, -2},
		{1.7, 0.0891, 1}, {-1.7, 0.0891, -1}, {1, 0.3173, 0}, {0, 1, 0},
		{2.6, 0.01, 3}, {2, 0.05, 2}, {1.7, 0.10, 1}, // boundaries are significant
		{2.6, math.NaN(), 0},
	} {
		if got := ConfidenceBin(tc.z, tc.p); got != tc.want {
			t.Errorf("ConfidenceBin(%v, %v) = %d, want %d", tc.z, tc.p, got, tc.want)
		}
	}
}

// TestBinFDRIsArcGISStepUp checks the documented equivalence: thresholding
// BH-adjusted p at each level gives the bins of ArcGIS's fdrTransform, which
// finds for each level the largest rank k with p_(k) ≤ k·α/m.
func TestBinFDRIsArcGISStepUp(t *testing.T) {
	g := Grid{CellSize: 100, NX: 40, NY: 30}
	rng := rand.New(rand.NewPCG(5, 6))
	values := make([]float64, g.Len())
	for i := range values {
		col, row := g.ColRow(i)
		// A hot corner on a noisy background gives a spread of p-values.
		values[i] = float64(rng.IntN(3))
		if col < 8 && row < 8 {
			values[i] += float64(rng.IntN(5))
		}
	}
	got, err := GiStarGrid(g, values, 250)
	if err != nil {
		t.Fatal(err)
	}
	sorted := slices.Sorted(slices.Values(got.P))
	m := float64(len(sorted))
	critical := make(map[float64]float64)
	for _, alpha := range []float64{0.10, 0.05, 0.01} {
		critical[alpha] = -1 // nothing significant
		for k := len(sorted); k >= 1; k-- {
			if sorted[k-1] <= float64(k)*alpha/m {
				critical[alpha] = sorted[k-1]
				break
			}
		}
	}
	var significant int
	for i, z := range got.Z {
		var want int8
		switch p := got.P[i]; {
		case p <= critical[0.01]:
			want = 3
		case p <= critical[0.05]:
			want = 2
		case p <= critical[0.10]:
			want = 1
		}
		if z < 0 {
			want = -want
		}
		if got.BinFDR[i] != want {
			t.Errorf("cell %d (z %v, p %v): BinFDR %d, step-up %d", i, z, got.P[i], got.BinFDR[i], want)
		}
		if want != 0 {
			significant++
		}
	}
	if significant == 0 || significant == len(got.Z) {
		t.Fatalf("%d of %d cells significant: the case does not exercise the cut-offs", significant, len(got.Z))
	}
}
