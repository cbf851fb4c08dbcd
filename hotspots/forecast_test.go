package hotspots

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/safercity/safercity/analysis/forecast"
	"github.com/safercity/safercity/internal/shareddata"
)

// TestForecastStored runs violence on City of London's 18 consecutive
// months 2016-01 … 2017-06 (../shared) and checks the stored forecast of
// every cell, and the validation, against analysis/forecast refitted on
// counts taken straight from crimes_enriched.
func TestForecastStored(t *testing.T) {
	var paths []string
	for m := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC); !m.After(time.Date(2017, 6, 1, 0, 0, 0, 0, time.UTC)); m = m.AddDate(0, 1, 0) {
		ym := m.Format("2006-01")
		paths = append(paths, shareddata.Path(t, "data", "police-uk", ym, ym+"-city-of-london-street.csv"))
	}
	st := transformed(t, paths...)
	month := time.Date(2017, 6, 1, 0, 0, 0, 0, time.UTC)
	res, err := Run(context.Background(), st, Options{Profile: violence(), Month: month, Force: "city-of-london"})
	if err != nil {
		t.Fatal(err)
	}
	f := res[0].Forecast
	if f == nil || f.Month != "2017-07" || f.History != 18 || len(f.Validation) != 3 {
		t.Fatalf("forecast %+v; notes %v", f, res[0].Notes)
	}
	// The panel: each stored cell's violent crimes in each month.
	rows, err := st.DB.Query(`SELECT h.forecast, list(coalesce(c.n, 0) ORDER BY m.month)
		FROM hotspot_cells h CROSS JOIN (SELECT DISTINCT month FROM crimes_enriched) m
		LEFT JOIN (SELECT cell_x, cell_y, month, count(*)::DOUBLE AS n FROM crimes_enriched
		           WHERE located AND violence AND force = 'city-of-london' GROUP BY ALL) c
		  ON c.cell_x = h.cell_x AND c.cell_y = h.cell_y AND c.month = m.month
		WHERE h.profile = 'violence' AND h.month = ? GROUP BY h.cell_x, h.cell_y, h.forecast ORDER BY h.cell_y, h.cell_x`, month)
	stored, p, want := refitForecast(t, rows, err, 18)
	checkAreaForecast(t, st)
	for i := range want {
		if math.Abs(stored[i]-want[i]) > 1e-9*max(1, want[i]) {
			t.Fatalf("cell %d: stored forecast %g, refitted %g", i, stored[i], want[i])
		}
	}
	ev, err := forecast.RollingOrigin(p, []int{15, 16, 17}, forecast.Options{TrainMonths: forecastTrain})
	if err != nil {
		t.Fatal(err)
	}
	for k, e := range ev {
		c := f.Validation[k]
		if c.Month != fmt.Sprintf("2017-%02d", k+4) || math.Abs(c.MAE-e.MAE) > 1e-9 || math.Abs(c.NaiveRMSE-e.NaiveRMSE) > 1e-9 || c.Beats != e.BeatsNaive {
			t.Errorf("validation %d: stored %+v, recomputed MAE %g naive RMSE %g beats %v", k, c, e.MAE, e.NaiveRMSE, e.BeatsNaive)
		}
	}
	if n := count(t, st, `SELECT count(*) FROM hotspot_forecasts WHERE profile = 'violence' AND month = ?`, month); n != 3 {
		t.Errorf("%d validation rows stored, want 3", n)
	}
	// The back-test of the run's month's forecast at 5% of the study area:
	// its cells are the 5% with the highest recomputed forecast, and its
	// hits their crimes that month.
	checked := ev[len(ev)-1].Forecast
	order := make([]int, len(checked))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(checked[b], checked[a]) })
	var hits float64
	for _, i := range order[:len(order)/20] {
		hits += p.Counts[17][i]
	}
	if got := count(t, st, `SELECT hits FROM hotspot_backtest WHERE profile = 'violence' AND month = ? AND method = 'forecast' AND hot_set = 'top 5%'`, month); float64(got) != hits {
		t.Errorf("forecast top 5%% back-test: %d hits stored, %g recomputed", got, hits)
	}
}

// TestForecastTooShort: the sample's 12 months are too few, and the run
// says so rather than storing a forecast.
func TestForecastTooShort(t *testing.T) {
	st, month, r := cityViolence(t)
	if r.Forecast != nil || !strings.Contains(strings.Join(r.Notes, "\n"), "no forecast: 12 consecutive month(s)") {
		t.Errorf("forecast %+v, notes %v", r.Forecast, r.Notes)
	}
	if n := count(t, st, `SELECT count(*) FROM hotspot_cells WHERE month = ? AND forecast IS NOT NULL`, month); n != 0 {
		t.Errorf("%d cells have a forecast", n)
	}
}

// refitForecast reads rows of (stored forecast, list of monthly counts
// from January) into a panel of months consecutive months, and returns the
// stored forecasts, the panel and the forecast of analysis/forecast
// refitted on it as the stage fits it.
func refitForecast(t *testing.T, rows *sql.Rows, err error, months int) (stored []float64, p forecast.Panel, want []float64) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	p.Counts = make([][]float64, months)
	for rows.Next() {
		var fc float64
		var counts []any
		if err := rows.Scan(&fc, &counts); err != nil {
			t.Fatal(err)
		}
		stored = append(stored, fc)
		for k, v := range counts {
			p.Counts[k] = append(p.Counts[k], v.(float64))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for k := range p.Counts {
		p.MonthOfYear = append(p.MonthOfYear, k%12+1)
	}
	m, err := forecast.Fit(p, months, forecast.Options{TrainMonths: forecastTrain})
	if err != nil {
		t.Fatal(err)
	}
	if want, err = m.Predict(p, months); err != nil {
		t.Fatal(err)
	}
	return stored, p, want
}

// TestForecastAcrossMissingMonth runs violence on Leicestershire's
// 2020-10 … 2021-11 less 2021-09 (../shared): 13 months loaded but only 2
// consecutive up to the run's. The forecasts (cells, LSOAs, districts) are
// not made — a missing month is not a month without crime — and the run
// says so instead of failing.
func TestForecastAcrossMissingMonth(t *testing.T) {
	var paths []string
	for m := time.Date(2020, 10, 1, 0, 0, 0, 0, time.UTC); !m.After(time.Date(2021, 11, 1, 0, 0, 0, 0, time.UTC)); m = m.AddDate(0, 1, 0) {
		if ym := m.Format("2006-01"); ym != "2021-09" {
			paths = append(paths, shareddata.Path(t, "data", "police-uk", ym, ym+"-leicestershire-street.csv"))
		}
	}
	st := transformed(t, paths...)
	res, err := Run(context.Background(), st, Options{Profile: violence(), Month: time.Date(2021, 11, 1, 0, 0, 0, 0, time.UTC), Force: "leicestershire"})
	if err != nil {
		t.Fatal(err)
	}
	r := res[0]
	if r.Forecast != nil || r.Rates[0].Forecast != nil || r.Rates[1].Forecast != nil {
		t.Errorf("a forecast across a missing month: cells %+v, LSOAs %+v", r.Forecast, r.Rates[0].Forecast)
	}
	notes := strings.Join(r.Notes, "\n")
	if strings.Count(notes, "2 consecutive month") != 3 {
		t.Errorf("notes do not say, for cells, LSOAs and districts, that 2 consecutive months are loaded:\n%s", notes)
	}
}
