package hotspots

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/safercity/safercity/analysis/lisa"
	"github.com/safercity/safercity/hotspots/spatstat"
	"github.com/safercity/safercity/store"
)

// TestLisaStored recomputes Local Moran's I from the stored cells' measures
// and the run's grid and band with analysis/lisa, and checks every stored
// cell and the run's quadrant counts against it.
func TestLisaStored(t *testing.T) {
	st, month, r := cityViolence(t)
	if r.Lisa == nil {
		t.Fatalf("no Local Moran summary; notes %v", r.Notes)
	}
	var g spatstat.Grid
	var band float64
	var hh, ll, hl, lh int
	if err := st.DB.QueryRow(`SELECT x0, y0, nx, ny, cell_size, band, lisa_hh, lisa_ll, lisa_hl, lisa_lh FROM hotspot_runs
		WHERE profile = 'violence' AND force = 'city-of-london' AND month = ?`, month).
		Scan(&g.X0, &g.Y0, &g.NX, &g.NY, &g.CellSize, &band, &hh, &ll, &hl, &lh); err != nil {
		t.Fatal(err)
	}
	if hh != r.Lisa.HH || ll != r.Lisa.LL || hl != r.Lisa.HL || lh != r.Lisa.LH || hh+ll+hl+lh == 0 {
		t.Errorf("stored quadrant counts %d %d %d %d, run %+v (some should be significant)", hh, ll, hl, lh, *r.Lisa)
	}
	rows, err := st.DB.Query(`SELECT cell_x, cell_y, measure, lisa_i, lisa_z, lisa_p_fdr, lisa_quadrant FROM hotspot_cells
		WHERE profile = 'violence' AND force = 'city-of-london' AND month = ? ORDER BY cell_y, cell_x`, month)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type stored struct {
		i, z, p float64
		q       string
	}
	var idx []int
	var values []float64
	var cells []stored
	for rows.Next() {
		var x, y int64
		var v float64
		var c stored
		if err := rows.Scan(&x, &y, &v, &c.i, &c.z, &c.p, &c.q); err != nil {
			t.Fatal(err) // a NULL here fails too: City of London's violence has no cell exactly at the mean
		}
		i, ok := g.Cell(orb.Point{float64(x) + g.CellSize/2, float64(y) + g.CellSize/2})
		if !ok {
			t.Fatalf("stored cell %d, %d is off the run's grid", x, y)
		}
		idx, values, cells = append(idx, i), append(values, v), append(cells, c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	a, err := spatstat.NewArea(g, idx)
	if err != nil || a.Len() != len(idx) || a.Len() != r.Cells {
		t.Fatalf("area of %d cells from %d stored, run has %d: %v", a.Len(), len(idx), r.Cells, err)
	}
	want, err := lisa.StudyArea(a, values, spatstat.Weights{Band: band, Nearest: true}, lisa.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sig := map[string]int{}
	for k, c := range cells {
		if math.Abs(c.i-want.I[k]) > 1e-9 || math.Abs(c.z-want.Z[k]) > 1e-9 || math.Abs(c.p-want.PFDR[k]) > 1e-9 || c.q != want.Quadrant[k].String() {
			t.Errorf("cell %d: stored I %g z %g p_fdr %g %s, recomputed %g %g %g %s", k, c.i, c.z, c.p, c.q, want.I[k], want.Z[k], want.PFDR[k], want.Quadrant[k])
		}
		if want.PFDR[k] < spatstat.DefaultAlpha {
			sig[c.q]++
		}
	}
	if sig["HH"] != hh || sig["LL"] != ll || sig["HL"] != hl || sig["LH"] != lh {
		t.Errorf("significant quadrants recomputed %v, stored %d %d %d %d", sig, hh, ll, hl, lh)
	}
	if len(r.Lisa.Outliers) != hl {
		t.Errorf("%d HL cells listed, %d counted", len(r.Lisa.Outliers), hl)
	}
}

// cityViolence stores the violence run of the City of London for November
// 2020 on the sample, and returns the store, the month and the run.
func cityViolence(t *testing.T) (*store.Store, time.Time, Result) {
	t.Helper()
	st := transformed(t, sample)
	month := time.Date(2020, 11, 1, 0, 0, 0, 0, time.UTC)
	res, err := Run(context.Background(), st, Options{Profile: violence(), Month: month, Force: "city-of-london"})
	if err != nil {
		t.Fatal(err)
	}
	return st, month, res[0]
}

// TestLisaPermutationsTies runs violence on the sample with 999
// permutations: the sparse counts of 100 m cells tie often, and no cell is
// significant by the two-sided pseudo p whose analytic p is above 0.5 —
// the cells GeoDa's folded count calls significant, and for which the
// stage used to print a warning, which is gone. (With 999 permutations
// the smallest pseudo p is 0.001, so among 319 cells only a cluster of
// seven or more such cells passes FDR at 5 %: the sample's four strongest
// do not, where the folded count's spurious ties used to carry them.)
func TestLisaPermutationsTies(t *testing.T) {
	st := transformed(t, sample)
	month := time.Date(2020, 11, 1, 0, 0, 0, 0, time.UTC)
	res, err := Run(context.Background(), st, Options{Profile: violence(), Month: month, Force: "city-of-london", LisaPermutations: 999})
	if err != nil {
		t.Fatal(err)
	}
	floor := false
	for _, n := range res[0].Notes {
		if strings.Contains(n, "as GeoDa folds them") {
			t.Errorf("the folded pseudo p's warning is back: %s", n)
		}
		floor = floor || strings.Contains(n, "at least 7 cells reach it")
	}
	if !floor {
		t.Errorf("notes %q: want the permutation floor explained", res[0].Notes)
	}
	if res[0].Lisa == nil || res[0].Lisa.Permutations != 999 {
		t.Fatalf("Local Moran summary %+v", res[0].Lisa)
	}
	n := count(t, st, `SELECT count(*) FROM hotspot_cells c JOIN hotspot_runs r USING (profile, force, month)
		WHERE c.profile = 'violence' AND c.lisa_p_fdr < r.alpha AND abs(c.lisa_z) < 0.6745`) // |z| < 0.6745: two-sided normal p above 0.5
	if n != 0 {
		t.Errorf("%d cells significant by permutation with an analytic p above 0.5", n)
	}
}

// With 999 permutations over the sample's 319 cells, at least 7 cells must
// share the smallest pseudo p (0.001) for any to pass FDR at 0.05, and the
// note says how many permutations a lone cell needs; 20 cells need none.
func TestPermutationFloor(t *testing.T) {
	note := permutationFloor(319, 999, 0.05)
	if !strings.Contains(note, "at least 7 cells") || !strings.Contains(note, "--lisa-permutations 6379") {
		t.Errorf("319 cells, 999 permutations: %q", note)
	}
	if note := permutationFloor(20, 999, 0.05); note != "" {
		t.Errorf("20 cells, 999 permutations: %q, want no note", note)
	}
}
