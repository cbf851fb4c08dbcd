package main

import (
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/safercity/safercity/analysis/concentration"
	"github.com/safercity/safercity/analysis/forecast"
	"github.com/safercity/safercity/internal/shareddata"
)

func loadForce(t *testing.T, force string) *archive {
	t.Helper()
	dir := shareddata.Path(t, "data", "police-uk")
	files, err := filepath.Glob(filepath.Join(dir, "*", "*-"+force+"-street.csv"))
	if err != nil || len(files) < 25 {
		t.Skipf("%s: %d %s street files, the test needs 25 months", dir, len(files), force)
	}
	slices.Sort(files)
	months, err := readMonths(slog.New(slog.NewTextHandler(io.Discard, nil)), files, "")
	if err != nil {
		t.Fatal(err)
	}
	a, err := newArchive(months, 100)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestForecastBeatsSeasonalNaive validates the forecast by rolling origin
// on Leicestershire's archive: over its last 11 months, the mean errors must
// be below those of last year's same month, and the forecast's top cells
// must capture more crime than KDE's at equal area.
func TestForecastBeatsSeasonalNaive(t *testing.T) {
	a := loadForce(t, "leicestershire")
	places, panel := a.panel()
	n := len(a.months) - 24
	var months []int
	for m := len(a.months) - n; m < len(a.months); m++ {
		months = append(months, m)
	}
	ev, err := forecast.RollingOrigin(panel, months, forecast.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var mae, naive, pai, kde float64
	for _, e := range ev {
		mae += e.MAE
		naive += e.NaiveMAE
		s, err := a.hotSets(e.Month, places, e.Forecast)
		if err != nil {
			t.Fatal(err)
		}
		if s.fc.Cells != s.kde.Cells || s.gi.Cells != s.kde.Cells || s.naive.Cells != s.kde.Cells {
			t.Errorf("%s: hot sets of %d, %d, %d and %d cells are not of equal area", a.months[e.Month].month, s.kde.Cells, s.gi.Cells, s.fc.Cells, s.naive.Cells)
		}
		pai += s.fc.PAI
		kde += s.kde.PAI
	}
	if mae >= naive || pai <= kde {
		t.Errorf("over %d months: MAE %.4f vs seasonal naive %.4f, PAI %.2f vs KDE %.2f", len(ev), mae/float64(len(ev)), naive/float64(len(ev)), pai/float64(len(ev)), kde/float64(len(ev)))
	}
}

// TestHalfOfCrime checks on a real month that the listed places hold half
// the crime and that no fewer could.
func TestHalfOfCrime(t *testing.T) {
	a := loadForce(t, "leicestershire")
	counts := a.counts[len(a.counts)-1]
	r, err := concentration.Measure(counts, nil)
	if err != nil {
		t.Fatal(err)
	}
	var held, lastCell float64
	for _, i := range r.Half {
		held += counts[i]
		lastCell = counts[i]
	}
	if held < r.Crimes/2 || held-lastCell >= r.Crimes/2 {
		t.Errorf("%d cells hold %v of %v crimes", len(r.Half), held, r.Crimes)
	}
	if r.PlacesWithCrime < len(r.Half) || r.GeneralizedGini > r.Gini {
		t.Errorf("%+v", r)
	}
}

// TestMistypedNames checks that a mistyped force or crime type is refused
// with the nearest name in the data, not read as "no crime".
func TestMistypedNames(t *testing.T) {
	dir := shareddata.Path(t, "data", "police-uk")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	w := tabwriter.NewWriter(io.Discard, 0, 0, 1, ' ', 0)
	err := validate(w, log, dir, "leicestershre", "", 100, 12)
	if err == nil || !strings.Contains(err.Error(), `did you mean "leicestershire"?`) {
		t.Errorf("force leicestershre: %v, want the nearest force", err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "2021-0[1-3]", "*-leicestershire-street.csv"))
	if len(files) == 0 {
		t.Skip("no Leicestershire street files for 2021-01 … 03")
	}
	_, err = readMonths(log, files, "Violence and sexual offenses")
	if err == nil || !strings.Contains(err.Error(), `did you mean "Violence and sexual offences"?`) {
		t.Errorf("crime type with a US spelling: %v, want the nearest type", err)
	}
}
