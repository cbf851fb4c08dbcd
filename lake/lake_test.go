package lake

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/safercity/safercity/data"
	"github.com/safercity/safercity/disclosure"
	"github.com/safercity/safercity/ingest"
	"github.com/safercity/safercity/queries"
	"github.com/safercity/safercity/store"
	"github.com/safercity/safercity/transform"
)

// sampleStore loads the bundled real sample (City of London street and
// stop and search files) and enriches it.
func sampleStore(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "t.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := ingest.Police(ctx, st, []string{"../data/police-uk"}, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	enrich(t, st, 100)
	return st
}

func enrich(t *testing.T, st *store.Store, cell float64) {
	t.Helper()
	cfg := transform.Config{CellSize: cell, Categories: data.Categories, Units: data.Units, Lookup: data.LSOALookup}
	if _, err := transform.Run(context.Background(), st, cfg, nil, nil); err != nil {
		t.Fatal(err)
	}
}

func rowCount(t *testing.T, st *store.Store, q string) int64 {
	t.Helper()
	var n int64
	if err := st.DB.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func written(res []TableResult) map[string]TableResult {
	m := map[string]TableResult{}
	for _, r := range res {
		m[r.Table] = r
	}
	return m
}

// The lake holds every row of its tables, one folder per month and force;
// a second export writes nothing; a re-enriched table is rewritten and the
// others are not; a partition gone from the store is deleted.
func TestExportIncremental(t *testing.T) {
	ctx := context.Background()
	st := sampleStore(t)
	dir := filepath.Join(t.TempDir(), "lake")
	res, err := Export(ctx, st, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"crimes_enriched", "police_stop_search"} {
		r := written(res)[table]
		months := rowCount(t, st, `SELECT count(DISTINCT (month, force)) FROM `+table)
		if int64(len(r.Written)) != months || r.Rows != rowCount(t, st, `SELECT count(*) FROM `+table) {
			t.Errorf("%s: wrote %d partitions, %d rows; the store has %d partitions", table, len(r.Written), r.Rows, months)
		}
		if _, err := os.Stat(filepath.Join(dir, table, "month=2020-01", "force=city-of-london")); err != nil {
			t.Errorf("%s: no month=2020-01/force=city-of-london partition: %v", table, err)
		}
	}
	lk, held, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer lk.Close()
	if !slices.Contains(held, "crimes_enriched") || slices.Contains(held, "police_outcomes") {
		t.Errorf("lake holds %v: want crimes_enriched, and no police_outcomes (the sample has none)", held)
	}
	var n int64
	if err := lk.DB.QueryRow(`SELECT count(*) FROM crimes_enriched WHERE month = DATE '2020-01-01' AND force = 'city-of-london'`).Scan(&n); err != nil ||
		n != rowCount(t, st, `SELECT count(*) FROM crimes_enriched WHERE month = DATE '2020-01-01' AND force = 'city-of-london'`) {
		t.Errorf("the lake's 2020-01 crimes: %d (%v)", n, err)
	}
	// The store keeps the crime ID in police_street only; the lake's
	// enriched crimes carry it, for linking outcomes.
	var ids []string
	rows, err := lk.DB.Query(`SELECT crime_id FROM crimes_enriched WHERE crime_id IS NOT NULL ORDER BY crime_id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	want, err := st.Strings(ctx, `SELECT crime_id FROM police_street WHERE crime_id IS NOT NULL ORDER BY crime_id`)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) == 0 || !slices.Equal(ids, want) {
		t.Errorf("the lake's enriched crimes carry %d crime IDs, police_street %d", len(ids), len(want))
	}

	res, err = Export(ctx, st, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if len(r.Written) != 0 || len(r.Removed) != 0 {
			t.Errorf("second export of unchanged data: %+v", r)
		}
	}

	// The enriched crimes are exported with text that the store keeps
	// outside crimes_enriched: a change there is a change of the lake's rows.
	if _, err := st.DB.Exec(`UPDATE police_street SET last_outcome = 'Under investigation' WHERE month = DATE '2020-01-01'`); err != nil {
		t.Fatal(err)
	}
	res, err = Export(ctx, st, dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := written(res)["crimes_enriched"].Written; !reflect.DeepEqual(got, []string{"month=2020-01/force=city-of-london"}) {
		t.Errorf("after 2020-01's outcomes changed, crimes_enriched partitions rewritten: %v", got)
	}

	enrich(t, st, 50) // every month of crimes_enriched changes
	if _, err := st.DB.Exec(`DELETE FROM police_stop_search WHERE month = DATE '2020-01-01'`); err != nil {
		t.Fatal(err)
	}
	res, err = Export(ctx, st, dir)
	if err != nil {
		t.Fatal(err)
	}
	w := written(res)
	if n := rowCount(t, st, `SELECT count(DISTINCT (month, force)) FROM crimes_enriched`); int64(len(w["crimes_enriched"].Written)) != n {
		t.Errorf("re-enriched: %d crimes_enriched partitions rewritten, want %d", len(w["crimes_enriched"].Written), n)
	}
	ss := w["police_stop_search"]
	if len(ss.Written) != 0 || !reflect.DeepEqual(ss.Removed, []string{"month=2020-01/force=city-of-london"}) {
		t.Errorf("stop and search after deleting 2020-01: %+v", ss)
	}
	if _, err := os.Stat(filepath.Join(dir, "police_stop_search", "month=2020-01")); !os.IsNotExist(err) {
		t.Errorf("the removed partition's folder is still there: %v", err)
	}
}

// Every named query gives the same rows on the lake as on the database,
// except those reading tables the lake does not hold, which fail saying so.
func TestQueriesOnLake(t *testing.T) {
	ctx := context.Background()
	st := sampleStore(t)
	dir := filepath.Join(t.TempDir(), "lake")
	if _, err := Export(ctx, st, dir); err != nil {
		t.Fatal(err)
	}
	lk, _, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer lk.Close()
	qs, err := queries.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	compared := 0
	for _, q := range qs {
		want, err := queries.Run(ctx, st, q, nil, disclosure.Default())
		if err != nil {
			t.Fatalf("%s on the database: %v", q.Name, err)
		}
		got, err := queries.Run(ctx, lk, q, nil, disclosure.Default())
		if err != nil {
			if onLake(q) {
				t.Errorf("%s reads only the lake's tables but does not run on it: %v", q.Name, err)
			}
			continue
		}
		if a, b := rowsOf(q, want), rowsOf(q, got); !reflect.DeepEqual(a, b) {
			t.Errorf("%s: %d rows on the database, %d on the lake; first differences:\n%v\n%v", q.Name, len(a), len(b), first(a), first(b))
		}
		compared++
	}
	if compared < len(qs)/2 || !onLake(mustLookup(t, "crime_by_month")) || onLake(mustLookup(t, "nte_nights")) {
		t.Errorf("only %d of %d queries ran on the lake", compared, len(qs))
	}
}

var tableRefs = regexp.MustCompile(`\b(?:FROM|JOIN)\s+([a-z_]+)\b`)

// onLake says whether every table a query reads is one the lake holds
// (names defined in the query's own WITH clauses aside).
func onLake(q queries.Query) bool {
	ctes := regexp.MustCompile(`(?i)\b([a-z_]+)\s+AS\s*\(`).FindAllStringSubmatch(q.SQL, -1)
	local := map[string]bool{}
	for _, m := range ctes {
		local[strings.ToLower(m[1])] = true
	}
	for _, m := range tableRefs.FindAllStringSubmatch(q.SQL, -1) {
		name := strings.ToLower(m[1])
		if !local[name] && !slices.Contains(Tables, name) {
			return false
		}
	}
	return true
}

// modeColumns are the catalogue's mode() columns (the most common location,
// outcome or type). mode() breaks a tie by the order it meets the rows, and
// the lake's files are read in another order than the store's row groups:
// such columns are compared for being present, not for their value.
var modeColumns = regexp.MustCompile(`(?i)\bmode\([^)]*\)\s+AS\s+(\w+)`)

func rowsOf(q queries.Query, r *queries.Result) []string {
	mask := map[int]bool{}
	for _, m := range modeColumns.FindAllStringSubmatch(q.SQL, -1) {
		mask[slices.Index(r.Columns, m[1])] = true
	}
	var out []string
	for _, row := range r.Rows {
		vals := slices.Clone(row)
		for i := range vals {
			if mask[i] && vals[i] != nil {
				vals[i] = "(a mode)"
			}
		}
		out = append(out, fmt.Sprint(vals...))
	}
	sort.Strings(out)
	return out
}

func first(s []string) []string { return s[:min(3, len(s))] }

func mustLookup(t *testing.T, name string) queries.Query {
	t.Helper()
	q, err := queries.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return q
}
