package indexstage

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/safercity/safercity/geography"
	"github.com/safercity/safercity/index"
	"github.com/safercity/safercity/internal/shareddata"
	"github.com/safercity/safercity/internal/storetest"
	"github.com/safercity/safercity/store"
)

var march2021 = time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)

// national loads every street file of ../shared/data/police-uk for
// 2020-04 … 2021-03 (16 forces in 2021-01 … 03) and enriches them, with no
// partner feed.
func national(t testing.TB) *store.Store {
	t.Helper()
	root := shareddata.Path(t, "data", "police-uk")
	var files []string
	for m := time.Date(2020, 4, 1, 0, 0, 0, 0, time.UTC); !m.After(march2021); m = m.AddDate(0, 1, 0) {
		got, _ := filepath.Glob(filepath.Join(root, m.Format("2006-01"), "*-street.csv"))
		files = append(files, got...)
	}
	if len(files) < 30 {
		t.Skipf("only %d street files for 2020-04 … 2021-03 in %s", len(files), root)
	}
	st, _ := storetest.Transformed(t, files...)
	return st
}

// TestNationalIndex is the run: every district of the sixteen
// forces is compared, and every district with crime in the month is either
// in a scored unit or excluded with a reason.
func TestNationalIndex(t *testing.T) {
	st := national(t)
	ctx := context.Background()
	out := t.TempDir()
	res, err := Run(ctx, st, march2021, Config{}, out)
	if err != nil {
		t.Fatal(err)
	}
	r := res.Report.Result
	if len(r.Units) < 100 {
		t.Errorf("%d units scored, want at least 100", len(r.Units))
	}
	placed := map[string]string{} // district → unit or exclusion reason
	for _, u := range r.Units {
		for _, d := range r.Districts[u.Unit] {
			placed[d] = u.Unit
		}
	}
	for _, e := range r.Excluded {
		if e.Reason == "" || len(e.Districts) == 0 {
			t.Errorf("exclusion %+v lacks a reason or districts", e)
		}
		for _, d := range e.Districts {
			placed[d] = e.Reason
		}
	}
	for _, city := range []string{"Leicester", "Nottingham", "Newcastle upon Tyne", "Liverpool"} {
		if r.Unit(city) == nil {
			t.Errorf("%s is not scored (%s)", city, placed[city])
		}
	}
	rows, err := st.DB.QueryContext(ctx, `SELECT lad_name, count(*) FROM crimes_enriched WHERE month = ? AND lad_name IS NOT NULL GROUP BY ALL HAVING count(*) >= 50`, march2021)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var lad string
		var n int
		if err := rows.Scan(&lad, &n); err != nil {
			t.Fatal(err)
		}
		if placed[lad] == "" {
			t.Errorf("%s (%d crimes) is neither in a scored unit nor excluded", lad, n)
		}
	}
	// Every scored unit has the per-resident violence rate, from the bundled
	// population.
	j := slices.IndexFunc(r.Framework.Indicators, func(i index.Indicator) bool { return i.Code == "violence_per_1k_res" })
	if j < 0 {
		t.Fatal("violence_per_1k_res is not an indicator")
	}
	for _, u := range r.Units {
		if v := u.Values[j]; !(v > 0) {
			t.Errorf("%s: violence_per_1k_res = %v", u.Unit, v)
		}
	}
	// A district seen only through a neighbour's border crimes is excluded,
	// naming its own force and the force that recorded them.
	if why := placed["Tower Hamlets"]; !strings.Contains(why, "no data from Metropolitan") || !strings.Contains(why, "(City of London, in") {
		t.Errorf("Tower Hamlets: %q, want an exclusion naming the Met and City of London Police's crimes", why)
	}
	// The bundled district → force table agrees with the data: in every
	// scored district, its own force recorded most of the crimes.
	geo, _ := geography.National()
	top, err := st.DB.QueryContext(ctx, `SELECT lad_name, arg_max(force, n) FROM (
		SELECT lad_name, force, count(*) AS n FROM crimes_enriched WHERE month = ? AND lad_name IS NOT NULL GROUP BY ALL) GROUP BY lad_name`, march2021)
	if err != nil {
		t.Fatal(err)
	}
	defer top.Close()
	for top.Next() {
		var lad, force string
		if err := top.Scan(&lad, &force); err != nil {
			t.Fatal(err)
		}
		if d, ok := geo.District(lad); ok && r.Unit(placed[lad]) != nil && d.Force != force {
			t.Errorf("%s is policed by %s in data/lookups/districts.csv, but %s recorded most of its crimes", lad, d.Force, force)
		}
	}
	html, err := os.ReadFile(filepath.Join(out, "index-2021-03.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range r.Excluded {
		if !strings.Contains(string(html), e.Unit) {
			t.Errorf("the HTML report does not name the excluded %s", e.Unit)
		}
	}
}

// TestMonthWithoutData names the months that have data, and a month with
// too few units is a permanent ErrTooThin.
func TestMonthWithoutData(t *testing.T) {
	st := demo(t)
	_, err := Run(context.Background(), st, march2021, Config{}, "")
	if !errors.Is(err, ErrNoData) || !strings.Contains(err.Error(), "2020-11") {
		t.Errorf("got %v, want ErrNoData listing 2020-11", err)
	}
	_, err = Run(context.Background(), st, november, Config{UnitSet: "cities"}, "")
	if !errors.Is(err, ErrTooThin) {
		t.Errorf("cities in the sample (City of London, Leicester): got %v, want ErrTooThin", err)
	}
}

// BenchmarkIndexMonth times what `safercity index --month 2021-03` does on
// the national run (16 forces, 12 months loaded, no feed): coverage, the
// indicators of every district, twelve earlier months for the trends, the
// month with 10,000 Monte Carlo draws, the reports and storing them. The
// issue's target is 5 s.
func BenchmarkIndexMonth(b *testing.B) {
	st := national(b)
	out := b.TempDir()
	for b.Loop() {
		if _, err := Run(context.Background(), st, march2021, Config{}, out); err != nil {
			b.Fatal(err)
		}
	}
}
