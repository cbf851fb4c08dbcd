package rates

import (
	"cmp"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/safercity/safercity/internal/shareddata"
)

// The expected values were worked out with exact fractions from Marshall's
// estimators: prior 47/2550, variance q/Σb − prior/b̄ = 5.6497…e−5, and for
// the spatial windows {0,1,2}, {1,0,3}, {2,0}, {3,1}.
func TestSmoothWorkedExample(t *testing.T) {
	crimes := []float64{2, 10, 0, 30, 5}
	base := []float64{100, 1000, 50, 1000, 400}
	neighbours := [][]int{{1, 2}, {0, 3}, {0}, {1}, nil}
	r, err := Smooth(crimes, base, neighbours)
	if err != nil {
		t.Fatal(err)
	}
	near := func(name string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-15 && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("%s = %.17g, want %.17g", name, got, want)
		}
	}
	near("prior", r.Prior, 47.0/2550)
	near("variance", r.Variance, 5.649750096116878e-05)
	for i, want := range []float64{0.018799393310449428, 0.012073990456154754, 0.015981912728917025, 0.02715429216481092, 0.015164449025487256} {
		near("EB", r.EB[i], want)
		near("raw", r.Raw[i], crimes[i]/base[i])
		near("excess", r.Excess[i], crimes[i]/(base[i]*47.0/2550))
	}
	// Windows 0 and 2 have a negative variance estimate: their rate is the
	// window's prior.
	for i, want := range []float64{0.010434782608695653, 0.012307692307692308, 0.013333333333333334, 0.028, math.NaN()} {
		near("spatial EB", r.SpatialEB[i], want)
	}
	if !slices.Equal(r.Isolated, []int{4}) {
		t.Errorf("isolated %v, want [4]", r.Isolated)
	}
}

// TestSmoothNoBase checks that areas without population are reported, not
// dropped, and do not enter the prior.
func TestSmoothNoBase(t *testing.T) {
	r, err := Smooth([]float64{1, 3, 4}, []float64{0, 100, 100}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.NoBase, []int{0}) || !math.IsNaN(r.EB[0]) || r.Prior != 7.0/200 || r.SpatialEB != nil {
		t.Errorf("no base %v, EB %v, prior %v, spatial %v", r.NoBase, r.EB, r.Prior, r.SpatialEB)
	}
	// Rates of 3 % and 4 % on 100 people differ less than chance: the
	// variance estimate is negative and EB is the prior.
	if r.Variance >= 0 || r.EB[1] != r.Prior {
		t.Errorf("variance %v, EB %v", r.Variance, r.EB)
	}
	if _, err := Smooth([]float64{1}, []float64{0}, nil); !errors.Is(err, ErrNoBase) {
		t.Errorf("no base at all: %v", err)
	}
	if _, err := Smooth([]float64{-1}, []float64{5}, nil); err == nil {
		t.Error("negative crimes accepted")
	}
}

func TestBandNeighbours(t *testing.T) {
	x := []float64{0, 100, 250, 100, 1000}
	y := []float64{0, 0, 0, 100, 0}
	nb := BandNeighbours(x, y, 150)
	want := [][]int{{1, 3}, {0, 2, 3}, {1}, {0, 1}, nil}
	for i := range want {
		got := slices.Sorted(slices.Values(nb[i]))
		if !slices.Equal(got, want[i]) {
			t.Errorf("area %d: neighbours %v, want %v", i, got, want[i])
		}
	}
}

func float(t *testing.T, s string) float64 {
	t.Helper()
	if s == "NA" {
		return math.NaN()
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestMatchesSpdep checks the rates of Leicestershire's 667 LSOAs (violent
// crime of 2021-11…2022-10 by ONS mid-2019 population) against R spdep
// EBest (Marshall's global estimator) and EBlocal(geoda = TRUE) over
// centroids within 1.5 km (testdata/spdep_ebest.R).
func TestMatchesSpdep(t *testing.T) {
	col, rows := shareddata.ReadCSV(t, "testdata/leicestershire_lsoa_violence.csv")
	rcol, ref := shareddata.ReadCSV(t, "testdata/leicestershire_lsoa_violence_eb.csv")
	crimes, base, x, y := make([]float64, len(rows)), make([]float64, len(rows)), make([]float64, len(rows)), make([]float64, len(rows))
	for i, r := range rows {
		crimes[i], base[i] = float(t, r[col["crimes"]]), float(t, r[col["population"]])
		x[i], y[i] = float(t, r[col["x"]]), float(t, r[col["y"]])
	}
	nb := BandNeighbours(x, y, 1500)
	res, err := Smooth(crimes, base, nb)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range ref {
		if got, want := len(nb[i]), int(float(t, r[rcol["neighbours"]])); got != want {
			t.Errorf("%s: %d neighbours, spdep %d", r[rcol["lsoa"]], got, want)
		}
		checks := []struct {
			name string
			got  float64
		}{{"raw", res.Raw[i]}, {"eb", res.EB[i]}, {"spatial_eb", res.SpatialEB[i]}}
		if len(nb[i]) == 0 {
			// spdep returns the raw rate of an area alone in its window;
			// GeoDa and this package leave it undefined, and report it.
			if !math.IsNaN(res.SpatialEB[i]) || !slices.Contains(res.Isolated, i) {
				t.Errorf("%s has no neighbour but spatial EB %v", r[rcol["lsoa"]], res.SpatialEB[i])
			}
			checks = checks[:2]
		}
		for _, c := range checks {
			want := float(t, r[rcol[c.name]])
			if !(math.Abs(c.got-want) <= 1e-12) {
				t.Errorf("%s: %s = %.15g, spdep %.15g", r[rcol["lsoa"]], c.name, c.got, want)
			}
		}
	}
}

func TestKNearest(t *testing.T) {
	x := []float64{0, 100, 250, 100, 1000}
	y := []float64{0, 0, 0, 100, 0}
	nb := KNearest(x, y, 2)
	// Area 0: 1 (100 m) and 3 (141 m); area 3: 1 (100 m), then 0 (141 m);
	// area 4: 2 (750 m), then 1 (900 m).
	want := [][]int{{1, 3}, {0, 3}, {1, 3}, {1, 0}, {2, 1}}
	for i := range want {
		if !slices.Equal(nb[i], want[i]) {
			t.Errorf("area %d: neighbours %v, want %v", i, nb[i], want[i])
		}
	}
	if nb := KNearest(x[:2], y[:2], 8); !slices.Equal(nb[0], []int{1}) || !slices.Equal(nb[1], []int{0}) {
		t.Errorf("fewer areas than k: %v, want each the other", nb)
	}
}

// KNearest's sweep finds what comparing every pair finds, on scattered
// points with repeated coordinates (ties).
func TestKNearestBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 500
	x, y := make([]float64, n), make([]float64, n)
	for i := range x {
		x[i], y[i] = float64(rng.IntN(2000)), float64(rng.IntN(300))
	}
	for _, k := range []int{1, 4, 8} {
		got := KNearest(x, y, k)
		for i := range x {
			var all []near
			for j := range x {
				if j != i {
					all = append(all, near{j, math.Hypot(x[j]-x[i], y[j]-y[i])})
				}
			}
			slices.SortFunc(all, func(a, b near) int { return cmp.Or(cmp.Compare(a.d, b.d), cmp.Compare(a.j, b.j)) })
			var want []int
			for _, c := range all[:k] {
				want = append(want, c.j)
			}
			if !slices.Equal(got[i], want) {
				t.Fatalf("k=%d area %d: %v, brute force %v", k, i, got[i], want)
			}
		}
	}
}
