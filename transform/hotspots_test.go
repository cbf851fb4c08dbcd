package transform

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/safercity/safercity/store"
)

func violence() Profile {
	return Profile{Name: "violence", Groups: []string{"violence"}, Measure: "count"}
}

func TestHotspotsStored(t *testing.T) {
	ctx := context.Background()
	st := loaded(t, sample)
	if _, err := Run(ctx, st, defaults(), nil, nil); err != nil {
		t.Fatal(err)
	}
	o := HotspotOptions{Profile: violence(), Month: time.Date(2020, 11, 1, 0, 0, 0, 0, time.UTC), Force: "city-of-london"}
	res, err := Hotspots(ctx, st, o)
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
	// KDE hotspot set is the top 5% of the grid's cells.
	if got := count(t, st, `SELECT count(*) FROM hotspot_cells WHERE profile = 'violence' AND kde_hot`); math.Abs(float64(got)-0.05*float64(r.Cells)) > 1 {
		t.Errorf("%d KDE hot cells of %d", got, r.Cells)
	}
	if len(r.Backtest) != 2 || r.Backtest[0].PAI <= 0 || math.IsNaN(r.Backtest[0].HitRate) {
		t.Errorf("back-test %+v", r.Backtest)
	}
	if len(r.Trends) == 0 {
		t.Error("no emerging hot spot categories over 12 months")
	}
	// Running again replaces the run.
	before := count(t, st, `SELECT count(*) FROM hotspot_cells`)
	if _, err := Hotspots(ctx, st, o); err != nil {
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
	st := loaded(t, sample)
	if _, err := Run(ctx, st, defaults(), nil, nil); err != nil {
		t.Fatal(err)
	}
	res, err := Backtest(ctx, st, HotspotOptions{Profile: violence(), Force: "city-of-london"})
	if err != nil {
		t.Fatal(err)
	}
	// 12 months, 3 of input: months 4..12 tested by both methods.
	if len(res) != 18 {
		t.Fatalf("%d back-test rows", len(res))
	}
	for _, a := range res {
		// A Gi* set can be empty when no cell was significant in the inputs.
		if a.Total <= 0 || a.Hits > a.Total || a.AreaShare > 0.5 || (a.Cells == 0) != (a.AreaShare == 0) {
			t.Errorf("%+v", a)
		}
		if !math.IsNaN(a.PAI) && math.Abs(a.PAI-a.HitRate/a.AreaShare) > 1e-9 {
			t.Errorf("PAI %v != hit rate / area share", a)
		}
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
	st := loaded(t, sample)
	if _, err := Run(ctx, st, defaults(), nil, nil); err != nil {
		t.Fatal(err)
	}
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
	res, err := Hotspots(ctx, st, HotspotOptions{Profile: p, Month: time.Date(2020, 11, 1, 0, 0, 0, 0, time.UTC), Force: "city-of-london"})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Incidents != 3 {
		t.Errorf("%d incidents in the night windows, want 3", res[0].Incidents)
	}
	if got := count(t, st, `SELECT sum(incidents) FROM hotspot_cells WHERE cell_x = 533100 AND cell_y = 181500`); got != 3 {
		t.Errorf("cell TQ 331 815 holds %d incidents", got)
	}
}

// insertIncidents adds partner incidents at Liverpool Street, in the
// City's NTE hotspot, at the given local times of November 2020.
func insertIncidents(t *testing.T, st *store.Store, locals ...string) {
	t.Helper()
	e, n := 533150.0, 181550.0
	for i, local := range locals {
		if _, err := st.DB.Exec(`INSERT INTO incidents (source_id, line, feed, month, occurred_at, occurred_local, category, easting, northing, source)
			VALUES (0, ?, 'test', DATE '2020-11-01', ?::TIMESTAMP, ?::TIMESTAMP, 'assault', ?, ?, 'test')`, i+2, local, local, e, n); err != nil {
			t.Fatal(err)
		}
	}
}

// TestNightWindowWithinADay: a window that does not wrap midnight
// (18:00–23:00) was shifted back 23 hours onto the day before.
func TestNightWindowWithinADay(t *testing.T) {
	ctx := context.Background()
	st := loaded(t, sample)
	if _, err := Run(ctx, st, defaults(), nil, nil); err != nil {
		t.Fatal(err)
	}
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
	res, err := Hotspots(ctx, st, HotspotOptions{Profile: p, Month: time.Date(2020, 11, 1, 0, 0, 0, 0, time.UTC), Force: "city-of-london"})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Incidents != 2 {
		t.Errorf("%d incidents in Friday and Saturday 18:00–23:00, want 2", res[0].Incidents)
	}
}
