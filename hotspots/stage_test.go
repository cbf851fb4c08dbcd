package hotspots

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/safercity/safercity/internal/storetest"
	"github.com/safercity/safercity/store"
)

const sample = "../data/police-uk"

// transformed returns a store with the police.uk files under paths loaded
// and transformed at 100 m.
func transformed(t testing.TB, paths ...string) *store.Store {
	st, _ := storetest.Transformed(t, paths...)
	return st
}

func count(t testing.TB, st *store.Store, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := st.DB.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func violence() Profile {
	return Profile{Name: "violence", Groups: []string{"violence"}, Measure: "count"}
}

func TestHotspotsStored(t *testing.T) {
	ctx := context.Background()
	st := transformed(t, sample)
	o := Options{Profile: violence(), Month: time.Date(2020, 11, 1, 0, 0, 0, 0, time.UTC), Force: "city-of-london"}
	res, err := Run(ctx, st, o)
	if err != nil {
		t.Fatal(err)
	}
	r := res[0]
	// Every violent crime of the month is in a cell or counted outside.
	want := count(t, st, `SELECT count(*) FROM crimes_enriched WHERE located AND violence AND force = 'city-of-london' AND month = DATE '2020-11-01'`)
	if r.Crimes+r.Outside != want {
		t.Errorf("%d in cells + %d outside != %d violent crimes", r.Crimes, r.Outside, want)
	}
	if got := count(t, st, `SELECT sum(crimes) FROM hotspot_cells WHERE profile = 'violence' AND month = DATE '2020-11-01'`); got != r.Crimes {
		t.Errorf("stored cells hold %d crimes, run says %d", got, r.Crimes)
	}
	// A stored cell's count matches crimes_enriched for the same cell.
	if n := count(t, st, `SELECT count(*) FROM hotspot_cells h WHERE profile = 'violence' AND crimes <> (
		SELECT count(*) FROM crimes_enriched c WHERE c.located AND c.violence AND c.force = h.force AND c.month = h.month
		AND c.cell_x = h.cell_x AND c.cell_y = h.cell_y)`); n != 0 {
		t.Errorf("%d cells disagree with crimes_enriched (grid misaligned?)", n)
	}
	// The top hotspot is significant and has the most crimes among its bin.
	if len(r.Top) == 0 || r.Top[0].Bin < 2 || r.Top[0].Location == "" || r.HotCells == 0 {
		t.Fatalf("top cells %+v", r.Top)
	}
	// KDE hotspot set is the top 5% of the study area's cells.
	if got := count(t, st, `SELECT count(*) FROM hotspot_cells WHERE profile = 'violence' AND kde_hot`); math.Abs(float64(got)-0.05*float64(r.Cells)) > 1 {
		t.Errorf("%d KDE hot cells of %d", got, r.Cells)
	}
	// KDE and Gi* at 1% and 5% of the study area, and Gi*'s hot 95% set.
	if len(r.Backtest) != 5 || r.Backtest[0].PAI <= 0 || math.IsNaN(float64(r.Backtest[0].HitRate)) {
		t.Errorf("back-test %+v", r.Backtest)
	}
	for _, a := range r.Backtest {
		if a.Set != "hot 95%" && math.Abs(float64(a.Cells)-a.AreaShare*float64(r.Cells)) > 0.5 {
			t.Errorf("%s %s: %d cells is not %.3f of the %d study-area cells", a.Method, a.Set, a.Cells, a.AreaShare, r.Cells)
		}
	}
	if len(r.Trends) == 0 {
		t.Error("no emerging hot spot categories over 12 months")
	}
	// Running again replaces the run.
	before := count(t, st, `SELECT count(*) FROM hotspot_cells`)
	if _, err := Run(ctx, st, o); err != nil {
		t.Fatal(err)
	}
	if after := count(t, st, `SELECT count(*) FROM hotspot_cells`); after != before {
		t.Errorf("rerun: %d cells, had %d", after, before)
	}
	if n := count(t, st, `SELECT count(*) FROM hotspot_runs`); n != 1 {
		t.Errorf("%d runs", n)
	}
}

func TestBacktestEveryMonth(t *testing.T) {
	ctx := context.Background()
	st := transformed(t, sample)
	res, err := Backtest(ctx, st, Options{Profile: violence(), Force: "city-of-london"})
	if err != nil {
		t.Fatal(err)
	}
	// 12 months, 3 of input: months 4..12 tested by five sets.
	if len(res) != 45 {
		t.Fatalf("%d back-test rows", len(res))
	}
	for _, a := range res {
		// A Gi* set can be empty when no cell was significant in the inputs.
		if a.Total <= 0 || a.Hits > a.Total || a.AreaShare > 0.5 || (a.Cells == 0) != (a.AreaShare == 0) {
			t.Errorf("%+v", a)
		}
		if pai := float64(a.PAI); !math.IsNaN(pai) && math.Abs(pai-float64(a.HitRate)/a.AreaShare) > 1e-9 {
			t.Errorf("PAI %v != hit rate / area share", a)
		}
	}
}

func TestUnknownForceSuggestsNearest(t *testing.T) {
	st := transformed(t, sample)
	_, err := Run(context.Background(), st, Options{Profile: violence(), Month: time.Date(2020, 11, 1, 0, 0, 0, 0, time.UTC), Force: "city-of-londn"})
	if err == nil || !strings.Contains(err.Error(), `did you mean "city-of-london"`) {
		t.Errorf("a mistyped force gave %v", err)
	}
}

func TestProfileRejectsUnknownGroup(t *testing.T) {
	if _, _, err := (Profile{Name: "x", Groups: []string{"violence; DROP TABLE sources"}, Measure: "count"}).where(); err == nil {
		t.Error("an unknown group was accepted into SQL")
	}
}

// TestNightWindowIncidents adds partner incidents at known London times:
// only Thursday to Sunday nights, 20:00–06:00, count, the small hours
// belonging to the evening before.
func TestNightWindowIncidents(t *testing.T) {
	ctx := context.Background()
	st := transformed(t, sample)
	insertIncidents(t, st,
		"2020-11-13 23:00:00", // Friday night: in
		"2020-11-14 01:30:00", // Saturday 01:30, Friday's night: in
		"2020-11-16 05:00:00", // Monday 05:00, Sunday's night: in
		"2020-11-17 23:00:00", // Tuesday night: out
		"2020-11-19 19:59:00", // Thursday before 20:00: out
		"2020-11-20 06:00:00", // Friday 06:00, the night is over: out
	)
	p := Profile{Name: "nte", Groups: []string{"nte"}, Measure: "count", Incidents: true,
		NightDays: []time.Weekday{time.Thursday, time.Friday, time.Saturday, time.Sunday}, NightFrom: 20 * 60, NightTo: 6 * 60}
	res, err := Run(ctx, st, Options{Profile: p, Month: time.Date(2020, 11, 1, 0, 0, 0, 0, time.UTC), Force: "city-of-london"})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Incidents != 15 {
		t.Errorf("%d incidents in the night windows, want 3 × 5", res[0].Incidents)
	}
	if got := count(t, st, `SELECT sum(incidents) FROM hotspot_cells WHERE cell_x = 533100 AND cell_y = 181500`); got != 15 {
		t.Errorf("cell TQ 331 815 holds %d incidents", got)
	}
	// The back-test counts them as the run does (issue 15).
	acc, err := Backtest(ctx, st, Options{Profile: p, Force: "city-of-london"})
	if err != nil {
		t.Fatal(err)
	}
	police := count(t, st, `SELECT count(*) FROM crimes_enriched WHERE located AND nte AND force = 'city-of-london' AND month = DATE '2020-11-01'`)
	tested := 0
	for _, a := range acc {
		if a.Month == "2020-11" {
			tested++
			if a.Total != float64(police+15) {
				t.Errorf("back-test %s %s of 2020-11 counts %v, want %d police crimes + 15 incidents", a.Method, a.Set, a.Total, police)
			}
		}
	}
	if tested == 0 {
		t.Error("no back-test of 2020-11")
	}
}

// insertIncidents adds five partner incidents at Liverpool Street, in the
// City's NTE hotspot, at each of the given local times of November 2020:
// five, so that the disclosure policy releases them exactly.
func insertIncidents(t *testing.T, st *store.Store, locals ...string) {
	t.Helper()
	for _, local := range locals {
		insertIncidentsAt(t, st, 5, local, 533150, 181550)
	}
}

// insertIncidentsAt adds n partner incidents at (e, n) at a local time.
func insertIncidentsAt(t testing.TB, st *store.Store, n int, local string, e, north float64) {
	t.Helper()
	for range n {
		if _, err := st.DB.Exec(`INSERT INTO incidents (source_id, line, feed, month, occurred_at, occurred_local, category, easting, northing, source)
			VALUES (0, (SELECT coalesce(max(line), 1) + 1 FROM incidents), 'test', DATE '2020-11-01', ?::TIMESTAMP, ?::TIMESTAMP, 'assault', ?, ?, 'test')`,
			local, local, e, north); err != nil {
			t.Fatal(err)
		}
	}
}

// TestWithheldIncidentsChangeNothing is issue 18's second leak: Gi* z,
// KDE density and bandwidth were computed on the true partner counts, so
// a withheld count changing 2→1 changed every published z. Released per
// cell and month, it changes none of them, and the stored incidents are
// the released counts.
func TestWithheldIncidentsChangeNothing(t *testing.T) {
	ctx := context.Background()
	st := transformed(t, sample)
	insertIncidentsAt(t, st, 7, "2020-11-13 23:00:00", 533150, 181550) // released as 5
	insertIncidentsAt(t, st, 2, "2020-11-14 00:30:00", 532450, 181250) // withheld
	p := Profile{Name: "nte", Groups: []string{"nte"}, Measure: "count", Incidents: true,
		NightDays: []time.Weekday{time.Friday, time.Saturday}, NightFrom: 20 * 60, NightTo: 6 * 60}
	o := Options{Profile: p, Month: time.Date(2020, 11, 1, 0, 0, 0, 0, time.UTC), Force: "city-of-london"}
	published := func() string {
		t.Helper()
		res, err := Run(ctx, st, o)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(res[0].Notes, func(n string) bool { return strings.Contains(n, " 1 cell-months of partner incidents") }) {
			t.Errorf("no note of the withheld cell-month in %q", res[0].Notes)
		}
		var s string
		if err := st.DB.QueryRow(`SELECT (SELECT string_agg(bandwidth::VARCHAR, ',') FROM hotspot_runs) || ' ' ||
			string_agg(concat_ws(':', cell_x, cell_y, incidents, density, z), ',' ORDER BY cell_x, cell_y) FROM hotspot_cells`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := published()
	if got := count(t, st, `SELECT sum(incidents) FROM hotspot_cells`); got != 5 {
		t.Errorf("hotspot_cells holds %d incidents, want the released 5 (7 rounded; 2 withheld)", got)
	}
	if _, err := st.DB.Exec(`DELETE FROM incidents WHERE line = (SELECT max(line) FROM incidents)`); err != nil {
		t.Fatal(err)
	}
	if after := published(); after != before {
		t.Error("a withheld count changing from 2 to 1 changed the published bandwidth, densities or z")
	}
}

// TestNightWindowWithinADay: a window that does not wrap midnight
// (18:00–23:00) was shifted back 23 hours onto the day before.
func TestNightWindowWithinADay(t *testing.T) {
	ctx := context.Background()
	st := transformed(t, sample)
	insertIncidents(t, st,
		"2020-11-13 19:00:00", // Friday 19:00: in
		"2020-11-14 18:00:00", // Saturday 18:00: in
		"2020-11-13 23:30:00", // Friday after 23:00: out
		"2020-11-14 01:00:00", // Saturday 01:00: out (no wrap)
		"2020-11-12 19:00:00", // Thursday: out
		"2020-11-15 22:59:00", // Sunday: out
	)
	p := Profile{Name: "early", Groups: []string{"nte"}, Measure: "count", Incidents: true,
		NightDays: []time.Weekday{time.Friday, time.Saturday}, NightFrom: 18 * 60, NightTo: 23 * 60}
	res, err := Run(ctx, st, Options{Profile: p, Month: time.Date(2020, 11, 1, 0, 0, 0, 0, time.UTC), Force: "city-of-london"})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Incidents != 10 {
		t.Errorf("%d incidents in Friday and Saturday 18:00–23:00, want 2 × 5", res[0].Incidents)
	}
}
