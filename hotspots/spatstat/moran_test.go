package spatstat

import (
	"errors"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/spatial"

	"github.com/safercity/safercity/internal/shareddata"
)

// TestGlobalMoransIMatchesDense checks I against gonum and the variance
// against the randomisation formula evaluated on the dense weight matrix.
func TestGlobalMoransIMatchesDense(t *testing.T) {
	g := Grid{CellSize: 100, NX: 11, NY: 8}
	rng := rand.New(rand.NewPCG(11, 12))
	values := make([]float64, g.Len())
	for i := range values {
		col, _ := g.ColRow(i)
		values[i] = float64(rng.IntN(4) + col/3) // a west–east gradient
	}
	for _, band := range []float64{100, 150, 250} {
		n := g.Len()
		w := mat.NewDense(n, n, nil)
		for i := range n {
			for j := range n {
				a, b := g.Centre(i), g.Centre(j)
				if i != j && math.Hypot(a.X()-b.X(), a.Y()-b.Y()) <= band {
					w.Set(i, j, 1)
				}
			}
		}
		got, err := GlobalMoransI(g, values, band)
		if err != nil {
			t.Fatal(err)
		}
		wantI, _, _ := spatial.GlobalMoransI(values, nil, w)
		if math.Abs(got.I-wantI) > 1e-12 {
			t.Errorf("band %v: I = %v, gonum %v", band, got.I, wantI)
		}

		// spdep moran.test(randomisation = TRUE), term by term.
		fn := float64(n)
		mean, _ := meanSD(values)
		var m2, m4, s0, s1, s2 float64
		for i := range n {
			z := values[i] - mean
			m2 += z * z
			m4 += z * z * z * z
			var row, col float64
			for j := range n {
				s0 += w.At(i, j)
				s1 += math.Pow(w.At(i, j)+w.At(j, i), 2) / 2
				row += w.At(i, j)
				col += w.At(j, i)
			}
			s2 += (row + col) * (row + col)
		}
		k := fn * m4 / (m2 * m2)
		e := -1 / (fn - 1)
		v := (fn*((fn*fn-3*fn+3)*s1-fn*s2+3*s0*s0)-k*((fn*fn-fn)*s1-2*fn*s2+6*s0*s0))/
			((fn-1)*(fn-2)*(fn-3)*s0*s0) - e*e
		if math.Abs(got.Variance-v) > 1e-12*v || got.Expected != e ||
			math.Abs(got.Z-(got.I-e)/math.Sqrt(v)) > 1e-9 {
			t.Errorf("band %v: E %v Var %v Z %v, want E %v Var %v", band, got.Expected, got.Variance, got.Z, e, v)
		}
		if got.Z < 3 {
			t.Errorf("band %v: z = %v for a strong gradient", band, got.Z)
		}
	}
	if _, err := GlobalMoransI(g, make([]float64, g.Len()), 100); !errors.Is(err, ErrNoVariance) {
		t.Errorf("constant values: err = %v", err)
	}
	if _, err := GlobalMoransI(g, values, 50); err == nil {
		t.Error("band below the cell size: no error")
	}
}

// TestDefaultBandOnReferenceGrids pins the bands the incremental rule picks
// on the real City of London grids.
func TestDefaultBandOnReferenceGrids(t *testing.T) {
	for _, tc := range []struct {
		input          string
		cellSize, want float64
	}{
		{"violence_100m.csv", 100, 300},
		{"nte_2019_150m.csv", 150, 300},
	} {
		col, rows := readTable(t, shareddata.Path(t, "testdata", "gistar", tc.input))
		g, idx := spdepGrid(t, col, rows, tc.cellSize)
		values := make([]float64, g.Len())
		for k, r := range rows {
			values[idx[k]] = r[col["count"]]
		}
		a, err := FullArea(g)
		if err != nil {
			t.Fatal(err)
		}
		band, err := ChooseBand(a, values)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: Moran's I z at 1…10 cells: %.2f", tc.input, band.Z)
		if band.Metres != tc.want || band.Method != BandPeak {
			t.Errorf("%s: band %+v, want a peak at %v", tc.input, band, tc.want)
		}
	}
}

func TestChooseBandWithoutPeak(t *testing.T) {
	// A smooth west–east gradient is autocorrelated at every distance, and
	// more neighbours make the evidence stronger: z only rises, there is no
	// peak, and the band is ArcGIS's fallback: the mean distance to the k-th
	// nearest cell, k = 5% of 1,600 cells capped at 30.
	g := Grid{CellSize: 10, NX: 40, NY: 40}
	values := make([]float64, g.Len())
	for i := range values {
		col, _ := g.ColRow(i)
		values[i] = float64(col)
	}
	a, err := FullArea(g)
	if err != nil {
		t.Fatal(err)
	}
	band, err := ChooseBand(a, values)
	if err != nil {
		t.Fatal(err)
	}
	for k := 1; k < len(band.Z); k++ {
		if band.Z[k] <= band.Z[k-1] {
			t.Fatalf("z is not rising, the case does not test the fallback: %.2f", band.Z)
		}
	}
	if want := bruteMeanKth(a, 30); band.Method != BandKNN || band.K != 30 || math.Abs(band.Metres-want) > 1e-9 {
		t.Errorf("band %+v, want knn with k 30 at %v m", band, want)
	}
}

// TestChooseBandSparseArea: on a scattered study area (random cells of a
// large box) the knn distance is the brute-force mean k-th neighbour
// distance, capped at one standard distance.
func TestChooseBandSparseArea(t *testing.T) {
	g := Grid{X0: 500_000, Y0: 100_000, CellSize: 100, NX: 300, NY: 200}
	rng := rand.New(rand.NewPCG(5, 6))
	var cells []int
	for range 400 {
		cells = append(cells, rng.IntN(g.Len()))
	}
	a, err := NewArea(g, cells)
	if err != nil {
		t.Fatal(err)
	}
	values := make([]float64, a.Len()) // all equal: no Moran's I, knn
	band, err := ChooseBand(a, values)
	if err != nil {
		t.Fatal(err)
	}
	k := int(0.05 * float64(a.Len()))
	want := min(bruteMeanKth(a, k), a.standardDistance())
	if band.Method != BandKNN || band.K != k || math.Abs(band.Metres-want) > 1e-9 {
		t.Errorf("band %+v, want knn with k %d at %v m", band, k, want)
	}
}

func bruteMeanKth(a Area, k int) float64 {
	var sum float64
	for i := range a.Len() {
		var d []float64
		for j := range a.Len() {
			if i != j {
				p, q := a.Centre(i), a.Centre(j)
				d = append(d, math.Hypot(p.X()-q.X(), p.Y()-q.Y()))
			}
		}
		sort.Float64s(d)
		sum += d[k-1]
	}
	return sum / float64(a.Len())
}
