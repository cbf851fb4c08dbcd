package hotspots

import (
	"context"
	"encoding/csv"
	"math"
	"os"
	"testing"
	"time"

	"github.com/safercity/safercity/analysis/change"
	"github.com/safercity/safercity/analysis/rates"
	"github.com/safercity/safercity/internal/shareddata"
	"github.com/safercity/safercity/internal/storetest"
	"github.com/safercity/safercity/store"
)

// forceLSOAsFromLookup reads the bundled lookups directly: the LSOAs of
// the districts whose force is force.
func forceLSOAsFromLookup(t *testing.T, force string) map[string]string {
	t.Helper()
	read := func(path string) [][]string {
		fh, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer fh.Close()
		rows, err := csv.NewReader(fh).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return rows[1:]
	}
	districts := map[string]bool{}
	for _, r := range read("../data/lookups/districts.csv") {
		if r[6] == force {
			districts[r[1]] = true
		}
	}
	out := map[string]string{}
	for _, r := range read("../data/lookups/lsoa_lad.csv") {
		if districts[r[3]] {
			out[r[0]] = r[3]
		}
	}
	return out
}

// TestAreaRatesAndChangeStored runs violence on Leicestershire's 2021-11
// with 2020-11 and 2021-06 … -10 less 2021-09 (../shared) with the real ONS population less
// three Rutland LSOAs, and checks every stored area against counts taken
// straight from crimes_enriched, the lookups and the population table.
func TestAreaRatesAndChangeStored(t *testing.T) {
	var paths []string
	for _, ym := range []string{"2020-11", "2021-06", "2021-07", "2021-08", "2021-10", "2021-11"} {
		paths = append(paths, shareddata.Path(t, "data", "police-uk", ym, ym+"-leicestershire-street.csv"))
	}
	st := transformed(t, paths...)
	storetest.Feeds(t, st, "..", "ons-population-2019")
	// Three Rutland LSOAs without residents: listed with the reason, and
	// Rutland without a district rate.
	if _, err := st.DB.Exec(`DELETE FROM population WHERE area_code IN (SELECT area_code FROM population WHERE area_name LIKE 'Rutland%' ORDER BY area_code LIMIT 3)`); err != nil {
		t.Fatal(err)
	}
	month := time.Date(2021, 11, 1, 0, 0, 0, 0, time.UTC)
	res, err := Run(context.Background(), st, Options{Profile: violence(), Month: month, Force: "leicestershire"})
	if err != nil {
		t.Fatal(err)
	}
	want := forceLSOAsFromLookup(t, "leicestershire")
	checkStoredRates(t, st, month, want)
	checkRatesMaths(t, st, month)
	checkSpatialEB(t, st, month)
	// Every area with residents and a centroid has its 8 nearest, in
	// Leicester as in Rutland: none has hundreds, as a band wide enough for
	// the most isolated rural LSOA would give the city's.
	if n := count(t, st, `SELECT count(*) FROM area_rates WHERE layer = 'lsoa' AND population IS NOT NULL AND neighbours <> 8 AND reason NOT LIKE '%centroid%'`); n != 0 {
		t.Errorf("%d LSOAs with residents and crime have other than 8 neighbours", n)
	}
	checkDistrictSums(t, st, month)
	checkYearChange(t, st, month)
	// prev3 needs 2021-08 … 2021-10 and 2021-09 is missing.
	var before, needed int
	var refused string
	if err := st.DB.QueryRow(`SELECT months_before, months_needed, refused FROM area_change_periods WHERE comparison = 'prev3'`).Scan(&before, &needed, &refused); err != nil {
		t.Fatal(err)
	}
	if before != 2 || needed != 3 || refused == "" || count(t, st, `SELECT count(*) FROM area_changes WHERE comparison = 'prev3'`) != 0 {
		t.Errorf("prev3 across a missing month: %d of %d months, refused %q", before, needed, refused)
	}
	var sum int64
	for _, a := range res[0].Rates[0].Areas {
		sum += a.Crimes
	}
	if sum+res[0].Rates[0].Elsewhere != res[0].Crimes {
		t.Errorf("LSOA crimes %d + elsewhere %d != the run's %d crimes", sum, res[0].Rates[0].Elsewhere, res[0].Crimes)
	}
}

// checkStoredRates: every LSOA of the force's districts once, with the
// month's violent crimes the force recorded in it and the feed's residents,
// and those without residents kept with a reason and no rate.
func checkStoredRates(t *testing.T, st *store.Store, month time.Time, want map[string]string) {
	t.Helper()
	rows, err := st.DB.Query(`SELECT r.code, r.crimes, coalesce(r.population, 0), r.raw_rate IS NULL, coalesce(r.reason, ''),
		(SELECT count(*) FROM crimes_enriched c WHERE c.located AND c.violence AND c.force = 'leicestershire' AND c.month = ? AND c.lsoa_code = r.code),
		coalesce((SELECT max(residents) FROM population p WHERE p.area_code = r.code), 0)
		FROM area_rates r WHERE layer = 'lsoa'`, month)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen, noPop := 0, 0
	for rows.Next() {
		var code, reason string
		var crimes, direct int64
		var pop, feedPop float64
		var noRate bool
		if err := rows.Scan(&code, &crimes, &pop, &noRate, &reason, &direct, &feedPop); err != nil {
			t.Fatal(err)
		}
		seen++
		if _, ok := want[code]; !ok {
			t.Errorf("stored LSOA %s is not in the force's districts", code)
		}
		if crimes != direct || pop != feedPop {
			t.Errorf("%s: stored %d crimes, %v residents; crimes_enriched %d, population %v", code, crimes, pop, direct, feedPop)
		}
		if (pop == 0) != (noRate && reason != "") {
			t.Errorf("%s: %v residents, rate null %v, reason %q", code, pop, noRate, reason)
		}
		if pop == 0 {
			noPop++
		}
	}
	if seen != len(want) || noPop != 3 {
		t.Errorf("%d LSOAs stored (%d without residents), the lookup gives %d (3 without)", seen, noPop, len(want))
	}
}

// checkRatesMaths recomputes the stored rates with analysis/rates from the
// stored counts and residents and the band the run reports, and checks
// that each Empirical Bayes rate lies between the raw rate and the prior.
func checkRatesMaths(t *testing.T, st *store.Store, month time.Time) {
	t.Helper()
	var prior float64
	if err := st.DB.QueryRow(`SELECT prior_rate FROM area_rate_runs WHERE layer = 'lsoa'`).Scan(&prior); err != nil {
		t.Fatal(err)
	}
	rows, err := st.DB.Query(`SELECT crimes, coalesce(population, 0), coalesce(raw_rate, 'NaN'), coalesce(eb_rate, 'NaN'), coalesce(excess_risk, 'NaN')
		FROM area_rates WHERE layer = 'lsoa' ORDER BY code`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var crimes, base, raw, eb, excess []float64
	for rows.Next() {
		var c, b, r, e, x float64
		if err := rows.Scan(&c, &b, &r, &e, &x); err != nil {
			t.Fatal(err)
		}
		crimes, base, raw, eb, excess = append(crimes, c), append(base, b), append(raw, r), append(eb, e), append(excess, x)
	}
	got, err := rates.Smooth(crimes, base, nil)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(1000*got.Prior-prior) > 1e-9 {
		t.Errorf("prior %v per 1,000, recomputed %v", prior, 1000*got.Prior)
	}
	for i := range crimes {
		if base[i] == 0 {
			continue
		}
		if math.Abs(1000*got.EB[i]-eb[i]) > 1e-9 || math.Abs(1000*got.Raw[i]-raw[i]) > 1e-9 || math.Abs(got.Excess[i]-excess[i]) > 1e-12 {
			t.Errorf("area %d: stored raw %v EB %v excess %v; recomputed %v %v %v", i, raw[i], eb[i], excess[i], 1000*got.Raw[i], 1000*got.EB[i], got.Excess[i])
		}
		if lo, hi := min(raw[i], prior), max(raw[i], prior); eb[i] < lo-1e-9 || eb[i] > hi+1e-9 {
			t.Errorf("area %d: EB %v outside [%v, %v], raw and prior", i, eb[i], lo, hi)
		}
	}
}

// checkSpatialEB recomputes the spatial Empirical Bayes rates as `analysis
// rates --band` does, from centroids taken in SQL (the mean position of the
// force's located crimes of any kind in the LSOA over the month and the
// twelve before), each LSOA's 8 nearest by them and the stored counts and
// residents; and the run's stored reach, the farthest of those neighbours.
func checkSpatialEB(t *testing.T, st *store.Store, month time.Time) {
	t.Helper()
	var reach float64
	if err := st.DB.QueryRow(`SELECT reach FROM area_rate_runs WHERE layer = 'lsoa'`).Scan(&reach); err != nil {
		t.Fatal(err)
	}
	rows, err := st.DB.Query(`SELECT r.crimes, coalesce(r.population, 0), coalesce(r.spatial_eb_rate, 'NaN'), c.x, c.y
		FROM area_rates r LEFT JOIN (SELECT lsoa_code, avg(easting) AS x, avg(northing) AS y FROM crimes_enriched
		    WHERE located AND force = 'leicestershire' AND month BETWEEN ? - INTERVAL 12 MONTH AND ? GROUP BY 1) c ON c.lsoa_code = r.code
		WHERE r.layer = 'lsoa' ORDER BY r.code`, month, month)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var crimes, base, stored, xs, ys []float64
	var idx []int
	for rows.Next() {
		var c, b, s float64
		var x, y *float64
		if err := rows.Scan(&c, &b, &s, &x, &y); err != nil {
			t.Fatal(err)
		}
		if x != nil && b > 0 {
			idx = append(idx, len(crimes))
			xs, ys = append(xs, *x), append(ys, *y)
		}
		crimes, base, stored = append(crimes, c), append(base, b), append(stored, s)
	}
	nb := make([][]int, len(crimes))
	farthest := 0.0
	for k, list := range rates.KNearest(xs, ys, 8) {
		for _, j := range list {
			nb[idx[k]] = append(nb[idx[k]], idx[j])
			farthest = max(farthest, math.Hypot(xs[j]-xs[k], ys[j]-ys[k]))
		}
	}
	if math.Abs(farthest-reach) > 1e-6 {
		t.Errorf("stored reach %v m, the farthest of the SQL centroids' 8 nearest %v m", reach, farthest)
	}
	got, err := rates.Smooth(crimes, base, nb)
	if err != nil {
		t.Fatal(err)
	}
	bad := 0
	for i := range crimes {
		want := 1000 * got.SpatialEB[i]
		if math.IsNaN(want) != math.IsNaN(stored[i]) || math.Abs(want-stored[i]) > 1e-9*max(1, want) {
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d LSOAs' spatial EB rates differ from analysis/rates on SQL centroids' 8 nearest", bad, len(crimes))
	}
}

// checkDistrictSums: each district's crimes and residents are its LSOAs'
// sums; Rutland, missing three, has no rate and says so.
func checkDistrictSums(t *testing.T, st *store.Store, month time.Time) {
	t.Helper()
	if n := count(t, st, `SELECT count(*) FROM area_rates WHERE layer = 'district'`); n != 9 {
		t.Errorf("%d districts stored, want Leicestershire's 9 (with Leicester and Rutland)", n)
	}
	bad := count(t, st, `SELECT count(*) FROM area_rates d JOIN (
		SELECT l.lad_name, sum(r.crimes) AS crimes, sum(r.population) AS pop, count(r.population) AS with_pop, count(*) AS n
		FROM area_rates r JOIN read_csv('../data/lookups/lsoa_lad.csv') l ON l.lsoa_code = r.code WHERE r.layer = 'lsoa' GROUP BY 1) s
		ON s.lad_name = d.name
		WHERE d.layer = 'district' AND (d.crimes <> s.crimes OR (s.with_pop = s.n) <> (d.population IS NOT NULL) OR (d.population IS NOT NULL AND d.population <> s.pop))`)
	if bad != 0 {
		t.Errorf("%d districts differ from the sums of their LSOAs", bad)
	}
	var reason string
	if err := st.DB.QueryRow(`SELECT reason FROM area_rates WHERE layer = 'district' AND name = 'Rutland'`).Scan(&reason); err != nil || reason == "" {
		t.Errorf("Rutland without residents for 3 LSOAs: reason %q (%v)", reason, err)
	}
}

// checkYearChange: 2021-11 against 2020-11 per LSOA, the counts straight
// from crimes_enriched and p from the exact binomial test.
func checkYearChange(t *testing.T, st *store.Store, month time.Time) {
	t.Helper()
	rows, err := st.DB.Query(`SELECT a.code, a.before, a.after, a.p,
		(SELECT count(*) FROM crimes_enriched c WHERE c.located AND c.violence AND c.force = 'leicestershire' AND c.month = ? AND c.lsoa_code = a.code)
		FROM area_changes a WHERE comparison = 'year' AND layer = 'lsoa'`, month.AddDate(-1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var code string
		var before, after, direct int64
		var p float64
		if err := rows.Scan(&code, &before, &after, &p, &direct); err != nil {
			t.Fatal(err)
		}
		n++
		if before != direct || math.Abs(p-change.BinomialTest(int(after), int(after+before), 0.5)) > 1e-12 {
			t.Errorf("%s: before %d (crimes_enriched %d), after %d, p %v", code, before, direct, after, p)
		}
	}
	if n == 0 {
		t.Error("no year-on-year change stored")
	}
}

// TestAreaChangePrev3IsMonthly: against three months, the change and the
// percent are of the monthly rate (27 crimes over three months, 3 in the
// month: 9 → 3 a month, −66.7 %), and a missing month refuses the
// comparison while the year's is made.
func TestAreaChangePrev3IsMonthly(t *testing.T) {
	rows := []areaRow{{code: "A"}, {code: "B"}}
	rows[0].crimes[0], rows[0].crimes[1], rows[0].crimes[2], rows[0].crimes[3] = 3, 9, 9, 9
	rows[1].crimes[0], rows[1].crimes[12] = 5, 4
	month := time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)
	cs, err := areaChanges("lsoa", rows, month, func(int) bool { return true }, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	a := cs[1].Areas[0]
	if cs[1].Comparison != "prev3" || a.Before != 27 || a.After != 3 || a.Change != -6 || math.Abs(float64(a.Percent)+200.0/3) > 1e-12 {
		t.Errorf("prev3 %+v", a)
	}
	if want := change.BinomialTest(3, 30, 0.25); float64(a.P) != want {
		t.Errorf("prev3 p %v, want binom.test(3, 30, 1/4) = %v", a.P, want)
	}
	if b := cs[0].Areas[1]; b.Before != 4 || b.After != 5 || b.Change != 1 || float64(b.Percent) != 25 {
		t.Errorf("year %+v", b)
	}
	cs, err = areaChanges("lsoa", rows, month, func(k int) bool { return k != 2 }, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	if cs[0].Refused != "" || cs[1].Refused == "" || cs[1].MonthsBefore != 2 || cs[1].Areas != nil || cs[1].BeforeFrom != "2020-12" {
		t.Errorf("with 2021-01 missing: year %+v, prev3 %+v", cs[0], cs[1])
	}
}

// checkAreaForecast refits analysis/forecast on the LSOA counts taken
// straight from crimes_enriched of a violence run of City of London's 18
// months 2016-01 … 2017-06 (TestForecastStored's): every stored LSOA
// forecast equal to it, and the run's forecast month and history stored.
func checkAreaForecast(t *testing.T, st *store.Store) {
	t.Helper()
	var fm time.Time
	var history int
	if err := st.DB.QueryRow(`SELECT forecast_month, forecast_history FROM area_rate_runs WHERE layer = 'lsoa'`).Scan(&fm, &history); err != nil {
		t.Fatal(err)
	}
	if fm.Format("2006-01") != "2017-07" || history != 18 {
		t.Errorf("forecast of %v from %d months, want 2017-07 from 18", fm, history)
	}
	rows, err := st.DB.Query(`SELECT r.forecast, list(coalesce(c.n, 0) ORDER BY m.month)
		FROM area_rates r CROSS JOIN (SELECT DISTINCT month FROM crimes_enriched) m
		LEFT JOIN (SELECT lsoa_code, month, count(*)::DOUBLE AS n FROM crimes_enriched
		           WHERE located AND violence AND force = 'city-of-london' GROUP BY ALL) c
		  ON c.lsoa_code = r.code AND c.month = m.month
		WHERE r.layer = 'lsoa' GROUP BY r.code, r.forecast ORDER BY r.code`)
	stored, _, want := refitForecast(t, rows, err, 18)
	if len(stored) != 6 {
		t.Fatalf("%d LSOA forecasts, want the City's 6", len(stored))
	}
	for i := range want {
		if math.Abs(stored[i]-want[i]) > 1e-9*max(1, want[i]) {
			t.Errorf("LSOA %d: stored forecast %v, refitted %v", i, stored[i], want[i])
		}
	}
}
