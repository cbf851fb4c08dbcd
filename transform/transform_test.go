package transform

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/safercity/safercity/bng"
	"github.com/safercity/safercity/data"
	"github.com/safercity/safercity/ingest"
	"github.com/safercity/safercity/internal/shareddata"
	"github.com/safercity/safercity/store"
	"github.com/safercity/safercity/transform/grid"
)

const sample = "../data/police-uk"

func defaults() Config {
	return Config{CellSize: 100, Categories: data.Categories, Units: data.Units, Lookup: data.LSOALookup}
}

func loaded(t *testing.T, paths ...string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "t.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := ingest.Police(context.Background(), st, paths, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	return st
}

func count(t *testing.T, st *store.Store, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := st.DB.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func statuses(res []MonthResult) map[string]string {
	m := map[string]string{}
	for _, r := range res {
		m[r.Month] = r.Status
	}
	return m
}

func TestEveryLocatedCrimePlaced(t *testing.T) {
	st := loaded(t, sample)
	res, err := Run(context.Background(), st, defaults(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 12 {
		t.Fatalf("%d months", len(res))
	}
	a, err := Enriched(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	if b := count(t, st, `SELECT count(*) FROM police_street`); a != b || b == 0 {
		t.Errorf("%d enriched of %d crimes", a, b)
	}
	if n := count(t, st, `SELECT count(*) FROM crimes WHERE located AND (easting IS NULL OR cell_x IS NULL
		OR grid_ref IS NULL OR lsoa_code IS NULL OR lad_name IS NULL OR unit IS NULL)`); n != 0 {
		t.Errorf("%d located crimes lack a placement", n)
	}
	if n := count(t, st, `SELECT count(*) FROM crimes_enriched c JOIN police_street p USING (source_id, line)
		WHERE c.located <> (p.longitude IS NOT NULL)`); n != 0 {
		t.Errorf("%d crimes located differently from their file", n)
	}
	// Cells are 100 m squares holding their crime.
	if n := count(t, st, `SELECT count(*) FROM crimes_enriched WHERE located AND NOT (
		easting >= cell_x AND easting < cell_x + 100 AND northing >= cell_y AND northing < cell_y + 100 AND cell_x % 100 = 0)`); n != 0 {
		t.Errorf("%d crimes outside their cell", n)
	}
	// City of London Police crimes outside the City count towards where they
	// happened.
	if n := count(t, st, `SELECT count(*) FROM crimes_enriched WHERE force = 'city-of-london' AND unit = 'Tower Hamlets'`); n == 0 {
		t.Error("no City of London Police crime counted towards Tower Hamlets")
	}
	if n := count(t, st, `SELECT count(DISTINCT unit) FROM crimes_enriched WHERE force = 'leicestershire'`); n < 9 {
		t.Errorf("Leicestershire crimes in %d units", n)
	}
	if n := count(t, st, `SELECT count(*) FROM crimes_enriched WHERE crime_type = 'Robbery' AND NOT (violence AND acquisitive AND nte AND harm = 365)`); n != 0 {
		t.Errorf("%d robberies with wrong groups", n)
	}
}

func TestIncrementalRuns(t *testing.T) {
	ctx := context.Background()
	st := loaded(t, sample)
	if _, err := Run(ctx, st, defaults(), nil, nil); err != nil {
		t.Fatal(err)
	}
	res, err := Run(ctx, st, defaults(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for m, s := range statuses(res) {
		if s != "unchanged" {
			t.Errorf("second run: %s %s", m, s)
		}
	}
	// Republish one month: only it is recomputed.
	dir := t.TempDir()
	b, _ := os.ReadFile(filepath.Join(sample, "2020-03", "2020-03-city-of-london-street.csv"))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	lines = lines[:len(lines)-10] // the republished month has ten fewer crimes
	repub := filepath.Join(dir, "2020-03-city-of-london-street.csv")
	os.WriteFile(repub, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	if _, err := ingest.Police(ctx, st, []string{repub}, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	before := count(t, st, `SELECT count(*) FROM crimes_enriched WHERE month = DATE '2020-03-01'`)
	// An interrupted run leaves the month as it was.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Run(cancelled, st, defaults(), nil, nil); err == nil {
		t.Error("a cancelled run reported success")
	}
	if n := count(t, st, `SELECT count(*) FROM crimes_enriched WHERE month = DATE '2020-03-01'`); n != before {
		t.Errorf("interrupted run changed the month: %d rows, had %d", n, before)
	}
	res, err = Run(ctx, st, defaults(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for m, s := range statuses(res) {
		if (m == "2020-03") != (s == "computed") {
			t.Errorf("after republishing 2020-03: %s %s", m, s)
		}
	}
	if n := count(t, st, `SELECT count(*) FROM crimes_enriched WHERE month = DATE '2020-03-01'`); n != before-10 {
		t.Errorf("2020-03 has %d rows, want %d", n, before-10)
	}
	// Other settings recompute every month.
	cfg := defaults()
	cfg.CellSize = 250
	res, _ = Run(ctx, st, cfg, nil, nil)
	for m, s := range statuses(res) {
		if s != "computed" {
			t.Errorf("after a cell size change: %s %s", m, s)
		}
	}
	if n := count(t, st, `SELECT count(*) FROM crimes_enriched WHERE cell_size <> 250 OR cell_x % 250 <> 0`); n != 0 {
		t.Errorf("%d rows not on the 250 m grid", n)
	}
}

func TestUnitsFromConfiguration(t *testing.T) {
	st := loaded(t, filepath.Join(sample, "2020-11"))
	cfg := defaults()
	cfg.Units = []byte("units:\n  - name: Leicester and Leicestershire\n    lads: [Leicester, Blaby, Charnwood, Harborough, Hinckley and Bosworth, Melton, North West Leicestershire, Oadby and Wigston]\n")
	if _, err := Run(context.Background(), st, cfg, nil, nil); err != nil {
		t.Fatal(err)
	}
	if n := count(t, st, `SELECT count(DISTINCT unit) FROM crimes_enriched WHERE lad_name IN ('Leicester', 'Blaby', 'Melton')`); n != 1 {
		t.Errorf("grouped districts in %d units", n)
	}
	if n := count(t, st, `SELECT count(*) FROM crimes_enriched WHERE lad_name = 'Rutland' AND unit = 'Rutland'`); n == 0 {
		t.Error("an unlisted district is not its own unit")
	}
}

// checkLayer is the boundaries command's check of a layer.
func checkLayer(b []byte, code, name string) ([]ingest.Area, string, error) {
	l, err := areaLoad(b, code, name)
	if err != nil {
		return nil, "", err
	}
	var out []ingest.Area
	for _, f := range l.Features() {
		out = append(out, ingest.Area{Code: f.Code, Name: f.Name})
	}
	return out, l.SourceCRS().String(), nil
}

func TestBoundaryLayers(t *testing.T) {
	layer := shareddata.Path(t, "data", "boundaries", "city-of-london", "city_of_london_lsoa_2011_bng.geojson")
	st := loaded(t, filepath.Join(sample, "2020-02"))
	if _, err := ingest.Boundaries(context.Background(), st, "city", layer, "LSOA11CD", "LSOA11NM", checkLayer); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), st, defaults(), nil, nil); err != nil {
		t.Fatal(err)
	}
	located := count(t, st, `SELECT count(*) FROM crimes_enriched WHERE located`)
	if n := count(t, st, `SELECT count(*) FROM crime_areas WHERE layer = 'city'`); n != located {
		t.Errorf("%d crime_areas rows for %d located crimes (outside ones must be kept)", n, located)
	}
	inside := count(t, st, `SELECT count(*) FROM crime_areas a JOIN crimes_enriched c USING (source_id, line) WHERE a.code = c.lsoa_code`)
	outside := count(t, st, `SELECT count(*) FROM crime_areas WHERE code IS NULL`)
	cityCrimes := count(t, st, `SELECT count(*) FROM crimes_enriched WHERE lad_name = 'City of London'`)
	if outside == 0 || float64(inside) < 0.9*float64(cityCrimes) {
		t.Errorf("in the City layer: %d agree with the published LSOA of %d City crimes; %d outside", inside, cityCrimes, outside)
	}
}

// TestLSOAFromTheLayer: crimes whose file gives no LSOA (as the 2011 files
// do) are placed in the lsoa boundary layer's, and the view crimes names
// it as the layer does. Built from the sample's City crimes with their
// LSOA blanked, the published one is what the layer must give back.
func TestLSOAFromTheLayer(t *testing.T) {
	ctx := context.Background()
	st := loaded(t, filepath.Join(sample, "2020-02"))
	if _, err := ingest.Boundaries(ctx, st, "lsoa", "../data/boundaries/city_of_london_lsoa_2011.geojson", "LSOA11CD", "LSOA11NM", checkLayer); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE published AS SELECT source_id, line, lsoa_code, lsoa_name FROM police_street WHERE lsoa_name LIKE 'City of London %'`,
		`UPDATE police_street SET lsoa_code = NULL, lsoa_name = NULL WHERE lsoa_name LIKE 'City of London %'`,
	} {
		if _, err := st.DB.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Run(ctx, st, defaults(), nil, nil); err != nil {
		t.Fatal(err)
	}
	blanked := count(t, st, `SELECT count(*) FROM published`)
	same := count(t, st, `SELECT count(*) FROM crimes c JOIN published p USING (source_id, line)
		WHERE c.lsoa_code = p.lsoa_code AND c.lsoa_name = p.lsoa_name AND c.unit = 'City of London'`)
	// Published points are snapped to street points, a few just over a
	// boundary: most, not all, fall in the LSOA they were published with.
	if blanked < 500 || float64(same) < 0.9*float64(blanked) {
		t.Errorf("%d of %d crimes given back their LSOA, name and unit by the layer", same, blanked)
	}
	if n := count(t, st, `SELECT count(*) FROM crimes c JOIN published p USING (source_id, line)
		WHERE c.lsoa_code IS NOT NULL AND c.lsoa_name IS NULL`); n != 0 {
		t.Errorf("%d crimes placed in an LSOA without its name", n)
	}
	// A month republished and not yet transformed again: its enriched
	// crimes are still counted, and have no text, not the layer's name
	// beside a missing location.
	if _, err := st.DB.Exec(`DELETE FROM police_street`); err != nil {
		t.Fatal(err)
	}
	if n := count(t, st, `SELECT count(*) FROM crimes WHERE location IS NULL AND lsoa_name IS NULL AND crime_id IS NULL`); n != count(t, st, `SELECT count(*) FROM crimes_enriched`) {
		t.Errorf("%d enriched crimes without their file's rows show no text, want every one", n)
	}
}

// TestGridRefInSQL: the view crimes computes the grid reference in SQL
// (os_grid_ref, migration 0015); it must be Go's, for every cell size the
// grid allows, on the grid's edges and off it (NULL), of cells and of any
// point (at the precision of the cell size).
func TestGridRefInSQL(t *testing.T) {
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "t.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	points := [][2]float64{{0, 0}, {699999, 1299999}, {532099, 181123}, {90000, 10000}, {460000, 1210000},
		{-1, 5}, {700000, 5}, {5, 1300000}, {5, -0.5}}
	r := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		points = append(points, [2]float64{r.Float64() * 700000, r.Float64() * 1300000})
	}
	for _, size := range []float64{25, 40, 50, 100, 125, 200, 250, 500, 1000} {
		g, err := grid.New(size)
		if err != nil {
			t.Fatal(err)
		}
		precision := 1000
		for int(size)%precision != 0 {
			precision /= 10
		}
		var rows []string
		var want []string
		for _, p := range points {
			c := g.CellOf(p[0], p[1])
			ref, err := g.GridRef(c)
			if err != nil {
				ref = "" // off the lettered squares: NULL
			}
			rows = append(rows, fmt.Sprintf("(%d::BIGINT, %d::BIGINT)", c.X, c.Y))
			want = append(want, ref)
			ref, err = bng.GridRef(p[0], p[1], precision)
			if err != nil {
				ref = ""
			}
			rows = append(rows, fmt.Sprintf("(%v::DOUBLE, %v::DOUBLE)", p[0], p[1]))
			want = append(want, ref)
		}
		got, err := st.Strings(context.Background(), fmt.Sprintf(`SELECT coalesce(os_grid_ref(x, y, %v), 'NULL')
			FROM (VALUES %s) v(x, y)`, size, strings.Join(rows, ", ")))
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range want {
			if w == "" {
				w = "NULL"
			}
			if got[i] != w {
				t.Errorf("%v m, %s: SQL %q, Go %q", size, rows[i], got[i], w)
			}
		}
	}
}

// TestAloneMatchesOneGroupAtATime: with DuckDB on one thread (Alone), the
// month groups are enriched several at once on their own connections; the
// stored result is the one a group at a time gives, row for row.
func TestAloneMatchesOneGroupAtATime(t *testing.T) {
	defer func(n int64) { txRows = n }(txRows)
	txRows = 3000 // the sample's twelve months in several groups
	serial, parallel := loaded(t, sample), loaded(t, sample)
	if err := Alone(context.Background(), parallel); err != nil {
		t.Fatal(err)
	}
	var results, tables [2]string
	for i, st := range []*store.Store{serial, parallel} {
		res, err := Run(context.Background(), st, defaults(), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		results[i] = fmt.Sprintf("%+v", res)
		if err := st.DB.QueryRow(`SELECT count(*)::VARCHAR || ' rows, hash ' || sum(hash(e) % 1000003)::VARCHAR FROM crimes_enriched e`).Scan(&tables[i]); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, parallel, `SELECT count(*) FROM crimes_enriched`); n < 3*txRows {
		t.Fatalf("%d rows: too few for several groups of %d", n, txRows)
	}
	if results[0] != results[1] {
		t.Errorf("month results differ:\n%s\n%s", results[0], results[1])
	}
	if tables[0] != tables[1] {
		t.Errorf("crimes_enriched: %s one group at a time, %s several at once", tables[0], tables[1])
	}
}
