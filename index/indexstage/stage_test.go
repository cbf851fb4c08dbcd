package indexstage

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/safercity/safercity/data"
	"github.com/safercity/safercity/geography"
	"github.com/safercity/safercity/ingest"
	"github.com/safercity/safercity/ingest/feed"
	"github.com/safercity/safercity/store"
	"github.com/safercity/safercity/transform"
)

var november = time.Date(2020, 11, 1, 0, 0, 0, 0, time.UTC)

// demo loads the bundled police data and partner feeds and enriches them.
func demo(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "i.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := ingest.Police(ctx, st, []string{"../../data/police-uk"}, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	cfg, err := feed.Load("../../data/feeds/feeds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range cfg.Feeds {
		if _, err := ingest.Feed(ctx, st, f, ingest.FeedOptions{}); err != nil {
			t.Fatalf("feed %s: %v", f.Name, err)
		}
	}
	tc := transform.Config{CellSize: 100, Categories: data.Categories, Units: data.Units, Lookup: data.LSOALookup}
	if _, err := transform.Run(ctx, st, tc, nil, nil); err != nil {
		t.Fatal(err)
	}
	return st
}

func config() Config {
	return Config{}
}

func TestMonthlyIndex(t *testing.T) {
	st := demo(t)
	out := t.TempDir()
	res, err := Run(context.Background(), st, november, config(), out)
	if err != nil {
		t.Fatal(err)
	}
	r := res.Report.Result
	// Districts without any crime are summed up in one note naming the
	// forces to load; Leicestershire's and the City's are all present.
	var unloaded string
	for _, n := range r.Notes {
		if strings.Contains(n, "districts are not compared") {
			unloaded = n
		}
	}
	if !strings.Contains(unloaded, "Avon and Somerset, Bedfordshire") || strings.Contains(unloaded, "Leicestershire") || strings.Contains(unloaded, "City of London") {
		t.Errorf("note on districts without data: %q", unloaded)
	}
	names := map[string]bool{}
	for _, u := range r.Units {
		names[u.Unit] = true
		if u.Interval.P05 > u.Rank && u.Interval.P95 < u.Rank || u.Interval.P05 < 1 || u.Interval.P95 > len(r.Units) {
			t.Errorf("%s: rank %d, interval %+v", u.Unit, u.Rank, u.Interval)
		}
	}
	// City of London and the Leicestershire districts take part; units
	// with only City of London Police's edge crimes do not.
	for _, u := range []string{"City of London", "Leicester", "Charnwood", "Rutland"} {
		if !names[u] {
			t.Errorf("%s not scored; units: %v", u, names)
		}
	}
	for _, u := range []string{"Tower Hamlets", "Islington"} {
		if names[u] {
			t.Errorf("%s scored from a few edge crimes", u)
		}
	}
	// Three pillars, with police and partner indicators.
	if len(r.Framework.Pillars) != 3 {
		t.Errorf("pillars %v", r.Framework.Pillars)
	}
	codes := map[string]bool{}
	for _, ind := range r.Framework.Indicators {
		codes[ind.Code] = true
	}
	for _, c := range []string{"violence_per_1k_work", "harm_per_1k_res", "top5_cell_share", "positive_outcome_pct", "cyber_incidents_per_1k_businesses"} {
		if !codes[c] {
			t.Errorf("indicator %s missing: %v", c, codes)
		}
	}
	// The previous month is scored for trends.
	if res.Report.PreviousMonth == nil {
		t.Error("no previous month for trends")
	}
	var n int
	st.DB.QueryRow(`SELECT count(*) FROM index_scores WHERE month = ? AND measure = 'overall'`, november).Scan(&n)
	if n != len(r.Units) {
		t.Errorf("%d overall rows stored for %d units", n, len(r.Units))
	}
	st.DB.QueryRow(`SELECT count(*) FROM index_scores WHERE month = ? AND rag NOT IN ('GREEN', 'AMBER', 'RED', 'N/A')`, november).Scan(&n)
	if n != 0 {
		t.Errorf("%d scores with an unknown rating", n)
	}
	var html string
	st.DB.QueryRow(`SELECT html FROM index_reports WHERE month = ?`, november).Scan(&html)
	if !strings.Contains(html, "City of London") || strings.Contains(html, "http://") || strings.Contains(html, "https://") {
		t.Error("stored report lacks units or refers to the network")
	}
	for _, ext := range []string{"html", "csv", "json"} {
		if _, err := os.Stat(filepath.Join(out, "index-2020-11."+ext)); err != nil {
			t.Error(err)
		}
	}
	// Scoring again replaces the month.
	if _, err := Run(context.Background(), st, november, config(), ""); err != nil {
		t.Fatal(err)
	}
	st.DB.QueryRow(`SELECT count(*) FROM index_scores WHERE month = ? AND measure = 'overall'`, november).Scan(&n)
	if n != len(r.Units) {
		t.Errorf("after a rerun %d overall rows", n)
	}
}

// cityAndLeicester returns the November indicators of the City of London
// and Leicester as units.
func cityAndLeicester(t *testing.T, st *store.Store) *monthData {
	t.Helper()
	geo, err := geography.National()
	if err != nil {
		t.Fatal(err)
	}
	units := []geography.Unit{{Name: "City of London", Districts: []string{"City of London"}}, {Name: "Leicester", Districts: []string{"Leicester"}}}
	md, err := observations(context.Background(), st, november, units, geo)
	if err != nil {
		t.Fatal(err)
	}
	return md
}

// TestIndicatorValues checks two indicators against the store directly.
func TestIndicatorValues(t *testing.T) {
	st := demo(t)
	obs := cityAndLeicester(t, st).obs
	got := map[string]float64{}
	for _, o := range obs {
		got[o.Unit+"/"+o.Code] = o.Value
	}
	var violence, residents float64
	st.DB.QueryRow(`SELECT count(*) FROM crimes_enriched WHERE lad_name = 'Leicester' AND violence AND month = ?`, november).Scan(&violence)
	st.DB.QueryRow(`SELECT sum(residents) FROM population p WHERE area_type = 'lsoa' AND year = 2019 AND area_name LIKE 'Leicester %'`).Scan(&residents)
	if want := 1000 * violence / residents; math.Abs(got["Leicester/violence_per_1k_res"]-want) > 1e-9 {
		t.Errorf("Leicester violence per 1,000 residents = %v, want %v", got["Leicester/violence_per_1k_res"], want)
	}
	if v := got["City of London/violence_per_1k_work"]; !(v > 0 && v < got["City of London/violence_per_1k_res"]/10) {
		t.Errorf("City of London per workday population %v should be far below per resident %v", v, got["City of London/violence_per_1k_res"])
	}
}

// TestConcentration: with as many crimes as cells the generalized Gini is
// the Gini (0.9 for two cells of 20 holding 10 each); with fewer crimes
// than cells it is 0 when each crime is in a cell of its own, where the
// plain Gini would read the sparseness as concentration (38/40).
func TestConcentration(t *testing.T) {
	// 20 cells: the top 5% is one cell.
	c := make([]float64, 20)
	c[3] = 10
	c[7] = 10
	top, ggini := concentrationOf(c)
	if top != 50 || math.Abs(ggini-0.9) > 1e-12 {
		t.Errorf("top %v generalized gini %v", top, ggini)
	}
	equal := []float64{2, 2, 2, 2}
	if top, ggini := concentrationOf(equal); top != 25 || ggini != 0 {
		t.Errorf("equal cells: top %v generalized gini %v", top, ggini)
	}
	sparse := make([]float64, 40)
	sparse[5], sparse[30] = 1, 1
	if top, ggini := concentrationOf(sparse); top != 100 || math.Abs(ggini) > 1e-12 {
		t.Errorf("2 crimes in 2 of 40 cells: top %v generalized gini %v, want 100 and 0", top, ggini)
	}
	if top, ggini := concentrationOf(make([]float64, 5)); !math.IsNaN(top) || !math.IsNaN(ggini) {
		t.Errorf("no crime: %v %v, want NaN", top, ggini)
	}
}

// TestUnitsFile scores units made of several districts: a unit is scored
// when all its districts take part, and every other district with crime is
// excluded with its reason.
func TestUnitsFile(t *testing.T) {
	st := demo(t)
	// The partner indicators feed names the sample's districts, not these
	// units: without it the units have data for every pillar.
	if _, err := st.DB.Exec(`DELETE FROM indicators`); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "units.yaml")
	os.WriteFile(file, []byte(`units:
  - {name: Leicester urban area, lads: [Leicester, Oadby and Wigston, Blaby]}
  - {name: East Leicestershire and Rutland, lads: [Harborough, Melton, Rutland]}
  - {name: Square Mile, lads: [City of London]}
  - {name: City fringe, lads: [City of London Fringe]}
`), 0o644)
	if _, err := Run(context.Background(), st, november, Config{UnitSet: file}, ""); !errors.Is(err, geography.ErrUnknownName) {
		t.Fatalf("a unit naming no district: got %v, want ErrUnknownName", err)
	}
	os.WriteFile(file, []byte(`units:
  - {name: Leicester urban area, lads: [Leicester, Oadby and Wigston, Blaby]}
  - {name: East Leicestershire and Rutland, lads: [Harborough, Melton, Rutland]}
  - {name: Square Mile, lads: [City of London]}
  - {name: City fringe, lads: [Tower Hamlets, Islington]}
  - {name: Nottingham, lads: [Nottingham]}
`), 0o644)
	res, err := Run(context.Background(), st, november, Config{UnitSet: file}, "")
	if err != nil {
		t.Fatal(err)
	}
	r := res.Report.Result
	if len(r.Units) != 3 || !slices.Equal(r.Districts["Leicester urban area"], []string{"Blaby", "Leicester", "Oadby and Wigston"}) {
		t.Errorf("units %d, Leicester urban area %v", len(r.Units), r.Districts["Leicester urban area"])
	}
	why := map[string]string{}
	for _, e := range r.Excluded {
		why[e.Unit] = e.Reason
	}
	if !strings.Contains(why["City fringe"], "Tower Hamlets, which has no data from Metropolitan") {
		t.Errorf("City fringe: %q", why["City fringe"])
	}
	if why["Nottingham"] != "has no police data for 2020-11: load Nottinghamshire's data" {
		t.Errorf("Nottingham: %q", why["Nottingham"])
	}
	if !strings.Contains(why["Charnwood"], "not in any unit") {
		t.Errorf("Charnwood: %q", why["Charnwood"])
	}
}

// TestPartnerMonthMissing (code review): a monthly partner indicator
// without a value for the month took January's; only yearly indicators
// (January values only) stand for their whole year.
func TestPartnerMonthMissing(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "p.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.DB.Exec(`INSERT INTO indicators VALUES
		(1, 2, 'f', 'Leicester', DATE '2020-01-01', 'footfall', 10, 'infrastructural', 1, 'bid'),
		(1, 3, 'f', 'Leicester', DATE '2020-02-01', 'footfall', 20, 'infrastructural', 1, 'bid'),
		(1, 4, 'f', 'Leicester', DATE '2020-01-01', 'survey', 5, 'personal', 1, 'council')`); err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	march := time.Date(2020, 3, 1, 0, 0, 0, 0, time.UTC)
	if _, err := partnerValues(ctx, st, march, func(unit, code string, v float64) { got[code] = v }); err != nil {
		t.Fatal(err)
	}
	if v, ok := got["footfall"]; ok {
		t.Errorf("March footfall = %v: January's value stood in for a missing month", v)
	}
	if got["survey"] != 5 {
		t.Errorf("the yearly survey indicator for March: %v, want 5", got)
	}
}

// TestPopulationFeedLeftOut checks that population feed rows naming no
// district, and a district the feed covers only in part, are said in the
// notes instead of silently falling back to the bundled estimates.
func TestPopulationFeedLeftOut(t *testing.T) {
	st := demo(t)
	geo, err := geography.National()
	if err != nil {
		t.Fatal(err)
	}
	// The feed's Leicester differs from the bundled estimate (doubled) and
	// lacks one LSOA.
	_, err = st.DB.Exec(`UPDATE population SET residents = 2 * residents WHERE area_type = 'lsoa' AND area_name LIKE 'Leicester %';
		DELETE FROM population WHERE area_code = (
			SELECT min(area_code) FROM population WHERE area_type = 'lsoa' AND area_name LIKE 'Leicester %');
		INSERT INTO population (source_id, line, feed, area_code, area_name, area_type, year, residents) VALUES
			(0, 1, 'test', 'E01999999', 'Nowhere 001A', 'lsoa', 2019, 1500),
			(0, 2, 'test', 'E06999999', 'Leicstershire', 'lad', 2019, 700000)`)
	if err != nil {
		t.Fatal(err)
	}
	units := []geography.Unit{{Name: "Leicester", Districts: []string{"Leicester"}}}
	pop, notes, err := population(context.Background(), st, november, units, geo)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := geo.District("Leicester")
	if got := pop["Leicester"].residents; got != d.Residents {
		t.Errorf("Leicester with one LSOA missing from the feed: %v residents, want the bundled %v", got, d.Residents)
	}
	all := strings.Join(notes, "\n")
	for _, want := range []string{"Leicester (191 of 192 LSOAs)", "2 areas of the population feed were left out", "E01999999 Nowhere 001A", "E06999999 Leicstershire"} {
		if !strings.Contains(all, want) {
			t.Errorf("notes lack %q:\n%s", want, all)
		}
	}
}

// TestMistypedCodesNoted checks that a target or expert weight for a code
// that is no indicator of the month is said, with the nearest code, not
// silently ignored.
func TestMistypedCodesNoted(t *testing.T) {
	st := demo(t)
	cfg := config()
	cfg.Targets = map[string]float64{"violence_per_1k_re": 5, "violence_per_1k_res": 5}
	cfg.Weights = map[string]float64{"securty": 2}
	res, err := Run(context.Background(), st, november, cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(res.Report.Result.Notes, "\n")
	for _, want := range []string{`index.targets names "violence_per_1k_re"`, `(did you mean "violence_per_1k_res"?)`, `index.expert_weights names "securty"`, `(did you mean "security"?)`} {
		if !strings.Contains(all, want) {
			t.Errorf("notes lack %s:\n%s", want, all)
		}
	}
	if strings.Contains(all, `names "violence_per_1k_res"`) {
		t.Errorf("a known code is noted as unknown:\n%s", all)
	}
}

// TestYearOnYearOwnForce checks that the year-on-year change compares the
// crimes of the force that polices a district: a neighbour's few crimes
// there a year earlier, when the own force was not loaded, give no change
// (and a note), not a rise of thousands of per cent.
func TestYearOnYearOwnForce(t *testing.T) {
	st := demo(t)
	// A year earlier: City of London Police's own crimes of the month again
	// (no change), and three crimes in Leicester recorded by City of London
	// Police, Leicestershire's data not being loaded then.
	_, err := st.DB.Exec(`INSERT INTO crimes_enriched
		SELECT * REPLACE (CAST(month - INTERVAL 12 MONTH AS DATE) AS month) FROM crimes_enriched
			WHERE month = DATE '2020-11-01' AND lad_name = 'City of London' AND force = 'city-of-london';
		INSERT INTO crimes_enriched
		SELECT * REPLACE (CAST(month - INTERVAL 12 MONTH AS DATE) AS month, 'city-of-london' AS force) FROM crimes_enriched
			WHERE month = DATE '2020-11-01' AND lad_name = 'Leicester' LIMIT 3`)
	if err != nil {
		t.Fatal(err)
	}
	md := cityAndLeicester(t, st)
	yoy := map[string]float64{}
	for _, o := range md.obs {
		if o.Code == "crime_yoy_pct" {
			yoy[o.Unit] = o.Value
		}
	}
	if v, ok := yoy["City of London"]; !ok || v != 0 {
		t.Errorf("City of London year on year = %v (present %v), want 0: the same crimes both years", v, ok)
	}
	if v, ok := yoy["Leicester"]; ok {
		t.Errorf("Leicester year on year = %v from a neighbour's three crimes a year earlier; want none", v)
	}
	if all := strings.Join(md.notes, "\n"); !strings.Contains(all, "crime_yoy_pct not computed for 1 unit (Leicester)") {
		t.Errorf("notes do not say why Leicester has no year-on-year change:\n%s", all)
	}
}

// TestUnloadedNote checks that a district with no crime although its force
// is loaded is not told to load that force.
func TestUnloadedNote(t *testing.T) {
	geo, err := geography.National()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string][]districtCrimes{"Cornwall": {{force: "devon-and-cornwall", crimes: 3000, lsoas: 300}}}
	got := unloadedNote(geo, []string{"Isles of Scilly", "Bristol", "Bath and North East Somerset"}, seen, "2021-03")
	want := "3 districts are not compared: no crime in 2021-03 is stored for them; load the data of the forces that police them (Avon and Somerset); Isles of Scilly recorded no crime in 2021-03 although its force's data is loaded"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
