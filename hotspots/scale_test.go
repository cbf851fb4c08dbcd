package hotspots

import (
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/safercity/safercity/internal/shareddata"
	"github.com/safercity/safercity/store"
)

// allForces loads and transforms every street file in ../shared for the
// twelve months to 2021-03: 16 forces in 2021-03, a few of them with the
// whole year.
func allForces(t *testing.T) *store.Store {
	t.Helper()
	dir := shareddata.Path(t, "data", "police-uk")
	var paths []string
	for m := time.Date(2020, 4, 1, 0, 0, 0, 0, time.UTC); !m.After(march2021); m = m.AddDate(0, 1, 0) {
		files, err := filepath.Glob(filepath.Join(dir, m.Format("2006-01"), "*-street.csv"))
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, files...)
	}
	if len(paths) == 0 {
		t.Skip("skipping: no street files of 2020-04…2021-03 in ../shared/data/police-uk")
	}
	return transformed(t, paths...)
}

var march2021 = time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)

// TestStudyAreaEveryForce runs violence for 2021-03 over every force and
// checks the rules that must hold for any force, against values recomputed
// independently from crimes_enriched and the stored cells.
func TestStudyAreaEveryForce(t *testing.T) {
	st := allForces(t)
	ctx := context.Background()
	res, err := Run(ctx, st, Options{Profile: violence(), Month: march2021})
	if err != nil {
		t.Fatal(err)
	}
	forces := count(t, st, `SELECT count(DISTINCT force) FROM crimes_enriched WHERE located AND violence AND month = ?`, march2021)
	if int64(len(res)) != forces || forces < 2 {
		t.Fatalf("%d runs for %d forces with violent crime", len(res), forces)
	}
	from := march2021.AddDate(0, -11, 0)
	// The study area is the footprint: the cells (as transform placed them)
	// of every located crime of any category the force recorded in the
	// window; hotspot_cells holds exactly those cells.
	footprint := `SELECT DISTINCT force, cell_x, cell_y FROM crimes_enriched WHERE located AND month BETWEEN ? AND ?
		AND force IN (SELECT force FROM crimes_enriched WHERE located AND violence AND month = ?)`
	stored := `SELECT force, cell_x, cell_y FROM hotspot_cells WHERE profile = 'violence' AND month = ?`
	if n := count(t, st, `SELECT count(*) FROM (`+footprint+` EXCEPT `+stored+`)`, from, march2021, march2021, march2021); n != 0 {
		t.Errorf("%d footprint cells missing from hotspot_cells", n)
	}
	if n := count(t, st, `SELECT count(*) FROM (`+stored+` EXCEPT `+footprint+`)`, march2021, from, march2021, march2021); n != 0 {
		t.Errorf("%d stored cells outside the footprint", n)
	}
	if n := count(t, st, `SELECT count(*) FROM hotspot_runs r WHERE profile = 'violence' AND month = ? AND (study_area <> 'footprint'
		OR cells <> (SELECT count(*) FROM hotspot_cells c WHERE c.profile = r.profile AND c.force = r.force AND c.month = r.month))`, march2021); n != 0 {
		t.Errorf("%d runs whose cells disagree with hotspot_cells", n)
	}
	// No band at a cap: each says how it was chosen.
	if n := count(t, st, `SELECT count(*) FROM hotspot_runs WHERE band_method IS NULL OR band_method NOT IN ('peak', 'knn')`); n != 0 {
		t.Errorf("%d runs without a band method", n)
	}
	// No emerging category without crime of the profile in the window, and
	// every cell with some has one.
	if n := count(t, st, `SELECT count(*) FROM hotspot_cells h JOIN hotspot_runs r USING (profile, force, month)
		WHERE h.month = ? AND r.months >= 6 AND (h.trend IS NOT NULL) <> EXISTS (SELECT 1 FROM crimes_enriched c
			WHERE c.located AND c.violence AND c.force = h.force AND c.cell_x = h.cell_x AND c.cell_y = h.cell_y AND c.month BETWEEN ? AND ?)`,
		march2021, from, march2021); n != 0 {
		t.Errorf("%d cells whose emerging category disagrees with their crime in the window", n)
	}
	if n := count(t, st, `SELECT count(*) FROM hotspot_cells WHERE trend IS NOT NULL`); n == 0 {
		t.Error("no emerging categories at all: the case does not test them")
	}
	for _, r := range res {
		checkGiStar(t, st, r)
	}
	if _, err := json.Marshal(res); err != nil {
		t.Errorf("results do not encode as JSON: %v", err)
	}
}

// checkGiStar recomputes every stored z of a run from the stored measures
// and band: neighbours within the band, or the nearest cells for a cell
// with none, by a plain search independent of spatstat's.
func checkGiStar(t *testing.T, st *store.Store, r Result) {
	t.Helper()
	rows, err := st.DB.Query(`SELECT cell_x + 50.0, cell_y + 50.0, measure, neighbours, z FROM hotspot_cells
		WHERE profile = ? AND force = ? AND month = ?`, r.Profile, r.Force, march2021)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type cell struct {
		x, y, m float64
		nb      int
		z       *float64
	}
	var cells []cell
	buckets := map[[2]int][]int{}
	key := func(x, y float64) [2]int { return [2]int{int(math.Floor(x / r.Band)), int(math.Floor(y / r.Band))} }
	for rows.Next() {
		var c cell
		if err := rows.Scan(&c.x, &c.y, &c.m, &c.nb, &c.z); err != nil {
			t.Fatal(err)
		}
		buckets[key(c.x, c.y)] = append(buckets[key(c.x, c.y)], len(cells))
		cells = append(cells, c)
	}
	n := float64(len(cells))
	var sum, ss float64
	for _, c := range cells {
		sum += c.m
	}
	mean := sum / n
	for _, c := range cells {
		ss += (c.m - mean) * (c.m - mean)
	}
	sd := math.Sqrt(ss / n)
	worst := 0.0
	for i, c := range cells {
		local, w := 0.0, 0
		k := key(c.x, c.y)
		for dx := -1; dx <= 1; dx++ {
			for dy := -1; dy <= 1; dy++ {
				for _, j := range buckets[[2]int{k[0] + dx, k[1] + dy}] {
					if math.Hypot(cells[j].x-c.x, cells[j].y-c.y) <= r.Band*(1+1e-9) {
						local += cells[j].m
						w++
					}
				}
			}
		}
		if w == 1 { // alone within the band: its nearest cells
			near := math.Inf(1)
			for j, o := range cells {
				if j != i {
					near = min(near, math.Hypot(o.x-c.x, o.y-c.y))
				}
			}
			for _, o := range cells {
				if math.Hypot(o.x-c.x, o.y-c.y) <= near*(1+1e-12) && (o.x != c.x || o.y != c.y) {
					local += o.m
					w++
				}
			}
		}
		fw := float64(w)
		want := (local - mean*fw) / (sd * math.Sqrt((n*fw-fw*fw)/(n-1)))
		if c.z == nil || c.nb != w {
			t.Fatalf("%s cell (%v, %v): z %v with %d neighbours, want %v with %d", r.Force, c.x, c.y, c.z, c.nb, want, w)
		}
		worst = max(worst, math.Abs(*c.z-want))
	}
	if worst > 1e-9 {
		t.Errorf("%s: stored z differs from the recomputed Gi* by up to %g", r.Force, worst)
	}
	t.Logf("%s: %d cells, band %.0f m (%s), z within %.1g", r.Force, len(cells), r.Band, r.BandMethod, worst)
}
