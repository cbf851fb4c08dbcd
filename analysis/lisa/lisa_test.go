package lisa

import (
	"encoding/csv"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"testing"

	"github.com/paulmach/orb"

	"github.com/safercity/safercity/hotspots/spatstat"
	"github.com/safercity/safercity/internal/shareddata"
)

// readReference reads the spdep reference table into its header index and
// rows of strings.
func readReference(t *testing.T) (map[string]int, [][]string) {
	t.Helper()
	return shareddata.ReadCSV(t, shareddata.Path(t, "testdata", "localmoran", "lisa_violence_100m_band250.csv"))
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestPointsMatchSpdep checks every cell of the reference grid against R
// spdep localmoran (conditional moments, row-standardised 250 m band) and
// p.adjust(method = "BH"), and its quadrant.
func TestPointsMatchSpdep(t *testing.T) {
	col, rows := readReference(t)
	pts := make([]orb.Point, len(rows))
	values := make([]float64, len(rows))
	for i, r := range rows {
		pts[i] = orb.Point{num(t, r[col["centre_easting"]]), num(t, r[col["centre_northing"]])}
		values[i] = num(t, r[col["count"]])
	}
	res, err := Points(pts, values, 250, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstReference(t, col, rows, func(i int) int { return i }, res)
}

// TestAreasMatchSpdep runs the reference through neighbour lists, as for
// areas with contiguity weights, built here by brute force.
func TestAreasMatchSpdep(t *testing.T) {
	col, rows := readReference(t)
	values := make([]float64, len(rows))
	nb := make([][]int, len(rows))
	for i, r := range rows {
		values[i] = num(t, r[col["count"]])
		xi, yi := num(t, r[col["centre_easting"]]), num(t, r[col["centre_northing"]])
		for j, s := range rows {
			if dx, dy := num(t, s[col["centre_easting"]])-xi, num(t, s[col["centre_northing"]])-yi; j != i && dx*dx+dy*dy <= 250*250 {
				nb[i] = append(nb[i], j)
			}
		}
	}
	res, err := Areas(values, nb, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstReference(t, col, rows, func(i int) int { return i }, res)
	if _, err := Areas(values[:3], [][]int{{1}, {0}, {2}}, Options{}); err == nil {
		t.Error("an area listed as its own neighbour was accepted")
	}
}

// TestGridMatchesSpdep runs the same reference through the grid path, whose
// neighbour sums come from row prefix sums rather than point buckets.
func TestGridMatchesSpdep(t *testing.T) {
	col, rows := readReference(t)
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, r := range rows {
		x, y := num(t, r[col["cell_x"]]), num(t, r[col["cell_y"]])
		minX, minY, maxX, maxY = min(minX, x), min(minY, y), max(maxX, x), max(maxY, y)
	}
	g := spatstat.Grid{X0: minX, Y0: minY, CellSize: 100, NX: int((maxX-minX)/100) + 1, NY: int((maxY-minY)/100) + 1}
	if g.Len() != len(rows) {
		t.Fatalf("reference has %d cells, not the full %d×%d grid", len(rows), g.NX, g.NY)
	}
	values := make([]float64, g.Len())
	idx := make([]int, len(rows))
	for k, r := range rows {
		i, ok := g.Cell(orb.Point{num(t, r[col["centre_easting"]]), num(t, r[col["centre_northing"]])})
		if !ok {
			t.Fatalf("row %d is off the grid", k+2)
		}
		idx[k], values[i] = i, num(t, r[col["count"]])
	}
	res, err := Grid(g, values, 250, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstReference(t, col, rows, func(k int) int { return idx[k] }, res)
}

func checkAgainstReference(t *testing.T, col map[string]int, rows [][]string, at func(int) int, res Result) {
	t.Helper()
	quadrants := map[string]int{}
	for k, r := range rows {
		i := at(k)
		if got, want := res.Neighbours[i], num(t, r[col["neighbours"]]); float64(got) != want {
			t.Errorf("row %d: %d neighbours, spdep %v", k+2, got, want)
		}
		for _, c := range []struct {
			name string
			got  float64
		}{{"Ii", res.I[i]}, {"E_Ii", res.E[i]}, {"Var_Ii", res.Var[i]}, {"z", res.Z[i]}, {"p", res.P[i]}, {"p_bh", res.PFDR[i]}} {
			want := num(t, r[col[c.name]])
			if math.Abs(c.got-want) > 1e-9*max(1, math.Abs(want)) {
				t.Errorf("row %d: %s = %.12g, spdep %.12g", k+2, c.name, c.got, want)
			}
		}
		if got, want := res.Quadrant[i].String(), r[col["quadrant"]]; got != want {
			t.Errorf("row %d: quadrant %s, spdep %s", k+2, got, want)
		}
		quadrants[r[col["quadrant"]]]++
	}
	if len(quadrants) < 4 {
		t.Errorf("reference covers only quadrants %v; the test needs all four", quadrants)
	}
}

// TestPseudoPMatchesExactPermutation compares both permutation p-values
// with the exact permutation distributions, enumerated over every
// neighbour subset of a small data set with ties: the folded one (GeoDa)
// and the two-sided one counting subsets whose sum is at least as far from
// its mean as the observed one, ties included.
func TestPseudoPMatchesExactPermutation(t *testing.T) {
	values := []float64{0, 1, 1, 2, 3, 5, 8, 0, 0, 4}
	neighbours := []int32{3, 2, 4, 3, 3, 2, 5, 3, 1, 4}
	sums := []float64{13, 1, 4, 9, 2, 12, 3, 6, 8, 1}
	const r = 200_000
	res, err := Local(values, neighbours, sums, Options{Permutations: r, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	mean := 2.4
	for i := range values {
		others := slices.Delete(slices.Clone(values), i, i+1)
		var all []float64
		forSubsets(others, int(neighbours[i]), func(s float64) { all = append(all, s) })
		var ge, le, far int
		mu := 0.0
		for _, s := range all {
			mu += s / float64(len(all))
		}
		for _, s := range all {
			if s >= sums[i] {
				ge++
			}
			if s <= sums[i] {
				le++
			}
			if math.Abs(s-mu) >= math.Abs(sums[i]-mu)-1e-9 {
				far++
			}
		}
		total := float64(len(all))
		m := float64(le) / total
		if values[i] > mean {
			m = float64(ge) / total
		}
		if got, want := res.PSimFolded[i], min(m, 1-m); math.Abs(got-want) > 0.005 {
			t.Errorf("location %d: folded pseudo p %.4f, exact %.4f", i, got, want)
		}
		if got, want := res.PSim[i], float64(far)/total; math.Abs(got-want) > 0.005 {
			t.Errorf("location %d: two-sided pseudo p %.4f, exact %.4f", i, got, want)
		}
		if res.PSim[i] < res.PSimFolded[i] {
			t.Errorf("location %d: two-sided %v below folded %v", i, res.PSim[i], res.PSimFolded[i])
		}
	}
}

// forSubsets calls fn with the sum of every k-subset of x.
func forSubsets(x []float64, k int, fn func(float64)) {
	var rec func(from, left int, s float64)
	rec = func(from, left int, s float64) {
		if left == 0 {
			fn(s)
			return
		}
		for j := from; j <= len(x)-left; j++ {
			rec(j+1, left-1, s+x[j])
		}
	}
	rec(0, k, 0)
}

// TestPermutationsReproducible checks that a seed fixes the pseudo
// p-values whatever the number of goroutines, and that another seed moves
// them.
func TestPermutationsReproducible(t *testing.T) {
	g := spatstat.Grid{CellSize: 100, NX: 60, NY: 40}
	values := make([]float64, g.Len())
	for i := range values {
		values[i] = float64((i * 7919) % 13 % 5)
	}
	run := func(seed uint64) []float64 {
		res, err := Grid(g, values, 250, Options{Permutations: 99, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		return res.PSim
	}
	a := run(1)
	old := runtime.GOMAXPROCS(1)
	b := run(1)
	runtime.GOMAXPROCS(old)
	if !slices.Equal(a, b) {
		t.Error("pseudo p-values depend on the number of goroutines")
	}
	if slices.Equal(a, run(2)) {
		t.Error("pseudo p-values do not depend on the seed")
	}
	for i, p := range a {
		if p < 1.0/100 || p > 1 {
			t.Fatalf("cell %d: pseudo p %v outside [1/(R+1), 1]", i, p)
		}
	}
}

func TestLocalErrors(t *testing.T) {
	if _, err := Local([]float64{2, 2, 2}, []int32{1, 1, 1}, []float64{2, 2, 2}, Options{}); err != ErrNoVariance {
		t.Errorf("equal values: %v, want ErrNoVariance", err)
	}
	if _, err := Local([]float64{1, 2, 3}, []int32{3, 1, 1}, []float64{2, 2, 2}, Options{}); err == nil {
		t.Error("more neighbours than other locations accepted")
	}
	res, err := Local([]float64{1, 2, 3, 4}, []int32{0, 1, 1, 1}, []float64{0, 3, 2, 3}, Options{Permutations: 9})
	if err != nil {
		t.Fatal(err)
	}
	if res.Quadrant[0] != Isolated || !math.IsNaN(res.Z[0]) || res.PSim[0] != 1 || res.Undefined != 1 {
		t.Errorf("isolated location: quadrant %v, z %v, pseudo p %v, undefined %d", res.Quadrant[0], res.Z[0], res.PSim[0], res.Undefined)
	}
}

// TestMoreSpdepReferences checks two more spdep localmoran tables made for
// this package (testdata/README.md): other cell sizes and bands, and a
// fractional value.
func TestMoreSpdepReferences(t *testing.T) {
	for _, tc := range []struct {
		file string
		band float64
	}{{"lisa_nte_2019_150m_band400.csv", 400}, {"lisa_violence_100m_sqrt_band150.csv", 150}} {
		f, err := os.Open("testdata/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for i, name := range recs[0] {
			col[name] = i
		}
		rows := recs[1:]
		pts := make([]orb.Point, len(rows))
		values := make([]float64, len(rows))
		for i, r := range rows {
			pts[i] = orb.Point{num(t, r[col["centre_easting"]]), num(t, r[col["centre_northing"]])}
			values[i] = num(t, r[col["value"]])
		}
		res, err := Points(pts, values, tc.band, Options{})
		if err != nil {
			t.Fatal(err)
		}
		checkAgainstReference(t, col, rows, func(i int) int { return i }, res)
	}
}

// TestStudyAreaMatchesPoints runs the reference grid as a study area with
// its empty cells left out, as the hotspot stage's footprint leaves them,
// and checks it against the point path on the same cells' centres: the
// band sums come from the area's sweep in one and from point buckets in the
// other.
func TestStudyAreaMatchesPoints(t *testing.T) {
	col, rows := readReference(t)
	minX, minY := math.Inf(1), math.Inf(1)
	for _, r := range rows {
		minX, minY = min(minX, num(t, r[col["cell_x"]])), min(minY, num(t, r[col["cell_y"]]))
	}
	g := spatstat.Grid{X0: minX, Y0: minY, CellSize: 100, NX: 1, NY: 1}
	var idx []int
	for _, r := range rows {
		col, row := int((num(t, r[col["cell_x"]])-minX)/100), int((num(t, r[col["cell_y"]])-minY)/100)
		g.NX, g.NY = max(g.NX, col+1), max(g.NY, row+1)
		idx = append(idx, row<<20|col)
	}
	var cells []int
	byCell := map[int]float64{}
	for k, r := range rows {
		if v := num(t, r[col["count"]]); v > 0 || k%3 == 0 {
			i := g.Index(idx[k]&(1<<20-1), idx[k]>>20)
			cells, byCell[i] = append(cells, i), v
		}
	}
	a, err := spatstat.NewArea(g, cells)
	if err != nil {
		t.Fatal(err)
	}
	if a.Len() == len(rows) || a.Len() < 10 {
		t.Fatalf("study area of %d cells out of %d: the test needs some left out", a.Len(), len(rows))
	}
	values := make([]float64, a.Len())
	pts := make([]orb.Point, a.Len())
	for k := range values {
		values[k], pts[k] = byCell[a.Index(k)], a.Centre(k)
	}
	got, err := StudyArea(a, values, spatstat.Weights{Band: 250}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := Points(pts, values, 250, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for k := range values {
		if got.Neighbours[k] != want.Neighbours[k] || got.Quadrant[k] != want.Quadrant[k] ||
			math.Abs(got.I[k]-want.I[k]) > 1e-12 || !sameFloat(got.Z[k], want.Z[k]) || !sameFloat(got.PFDR[k], want.PFDR[k]) {
			t.Fatalf("cell %d: area %d %s I %g z %g, points %d %s I %g z %g", k, got.Neighbours[k], got.Quadrant[k], got.I[k], got.Z[k],
				want.Neighbours[k], want.Quadrant[k], want.I[k], want.Z[k])
		}
	}
}

// sameFloat compares to 1e-12, NaN equal to NaN.
func sameFloat(a, b float64) bool {
	return math.IsNaN(a) && math.IsNaN(b) || math.Abs(a-b) <= 1e-12*max(1, math.Abs(b))
}

// TestTiesJudgedConservatively: on a grid of sparse counts — mostly
// none, scattered single crimes and one block of many — a single crime
// whose neighbours all hold none ties with most draws. GeoDa's folded
// pseudo p calls many such cells significant although the analytic test
// gives them p > 0.5; the two-sided count never goes below 0.05 where the
// analytic p is above 0.5, is never below the folded one, and still finds
// the block.
func TestTiesJudgedConservatively(t *testing.T) {
	g := spatstat.Grid{CellSize: 100, NX: 50, NY: 40}
	values := make([]float64, g.Len())
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range values {
		if rng.Float64() < 0.04 {
			values[i] = 1
		}
	}
	for x := 20; x < 24; x++ {
		for y := 20; y < 24; y++ {
			values[y*g.NX+x] = 6 + float64(rng.IntN(4))
		}
	}
	res, err := Grid(g, values, 150, Options{Permutations: 999, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	lenient, block := 0, 0
	for i := range values {
		if res.PSim[i] < res.PSimFolded[i] {
			t.Fatalf("cell %d: two-sided %v below folded %v", i, res.PSim[i], res.PSimFolded[i])
		}
		if res.P[i] > 0.5 && res.PSimFolded[i] < 0.05 {
			lenient++
		}
		if res.P[i] > 0.5 && res.PSim[i] < 0.05 {
			t.Errorf("cell %d (value %v): analytic p %v but two-sided pseudo p %v", i, values[i], res.P[i], res.PSim[i])
		}
		if values[i] >= 6 && res.PSim[i] < 0.01 {
			block++
		}
	}
	if lenient == 0 {
		t.Error("the grid has no cell the folded pseudo p calls significant against the analytic test: it does not test ties")
	}
	if block < 8 {
		t.Errorf("%d of the 16 block cells significant at 1%%, want most", block)
	}
}
