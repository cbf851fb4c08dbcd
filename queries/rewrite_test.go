package queries

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/safercity/safercity/data"
	"github.com/safercity/safercity/disclosure"
	"github.com/safercity/safercity/ingest"
	"github.com/safercity/safercity/internal/shareddata"
	"github.com/safercity/safercity/store"
	"github.com/safercity/safercity/transform"
)

// TestRewritesKeepResults: the queries rewritten for speed on the 36-month
// archive (issue 14) answer exactly as the SQL they replaced, which
// testdata/before keeps: same columns, types and rows in the same order,
// for the store's largest and smallest units, every month as the year-on-year's end,
// and several windows, on the sample and on 35 real months of
// Leicestershire from ../shared. DuckDB runs on one thread here, so that
// mode()'s choice among equally common values and the order of rows
// equal in the ORDER BY (which follow the order rows are read in) are the
// same on both sides.
func TestRewritesKeepResults(t *testing.T) {
	t.Run("sample", func(t *testing.T) {
		// read-write: a read-only store's settings are locked
		st, err := store.Open(context.Background(), demoFile(t))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		compareRewrites(t, st)
	})
	t.Run("leicestershire", func(t *testing.T) {
		compareRewrites(t, leicestershire(t))
	})
}

func compareRewrites(t *testing.T, st *store.Store) {
	ctx := context.Background()
	if _, err := st.DB.ExecContext(ctx, "SET threads = 1"); err != nil {
		t.Fatal(err)
	}
	before, err := filepath.Glob("testdata/before/*.sql")
	if err != nil || len(before) == 0 {
		t.Fatalf("no reference SQL in testdata/before: %v", err)
	}
	sets := rewriteParamSets(t, st)
	for _, path := range before {
		text, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		old, err := parse(string(text))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		q, err := Lookup(old.Name)
		if err != nil {
			t.Fatal(err)
		}
		if q.SQL == old.SQL {
			t.Errorf("%s: the catalogue's SQL is the reference itself", q.Name)
		}
		rows := 0
		for _, params := range sets[q.Name] {
			want, err := Run(ctx, st, old, params, disclosure.Default())
			if err != nil {
				t.Fatalf("%s %v (before): %v", q.Name, params, err)
			}
			got, err := Run(ctx, st, q, params, disclosure.Default())
			if err != nil {
				t.Fatalf("%s %v: %v", q.Name, params, err)
			}
			if d := diffResults(want, got); d != "" {
				t.Errorf("%s %v: %s", q.Name, params, d)
			}
			rows += len(want.Rows)
		}
		if rows == 0 {
			t.Errorf("%s: no rows in any of %d parameter sets: nothing compared", q.Name, len(sets[q.Name]))
		}
		t.Logf("%s: %d parameter sets, %d rows alike", q.Name, len(sets[q.Name]), rows)
	}
}

// diffResults says how two answers differ, or "" when they are the same.
func diffResults(want, got *Result) string {
	if !reflect.DeepEqual(want.Columns, got.Columns) || !reflect.DeepEqual(want.Types, got.Types) {
		return fmt.Sprintf("columns %v %v, before %v %v", got.Columns, got.Types, want.Columns, want.Types)
	}
	if len(want.Rows) != len(got.Rows) {
		return fmt.Sprintf("%d rows, before %d", len(got.Rows), len(want.Rows))
	}
	for i := range want.Rows {
		if !reflect.DeepEqual(want.Rows[i], got.Rows[i]) {
			return fmt.Sprintf("row %d: %v, before %v", i+1, got.Rows[i], want.Rows[i])
		}
	}
	return ""
}

// rewriteParamSets gives each rewritten query's parameter sets from what
// the store holds: its largest and smallest units, every month, windows
// of one month, the last three and all.
func rewriteParamSets(t *testing.T, st *store.Store) map[string][]map[string]string {
	ctx := context.Background()
	// the four largest units and the smallest
	units, err := st.Strings(ctx, `WITH u AS (SELECT unit, count(*) AS n FROM crimes_enriched WHERE unit IS NOT NULL GROUP BY unit)
		(SELECT unit FROM u ORDER BY n DESC, unit LIMIT 4) UNION (SELECT unit FROM u ORDER BY n, unit LIMIT 1)`)
	if err != nil {
		t.Fatal(err)
	}
	months, err := st.Strings(ctx, `SELECT DISTINCT strftime(month, '%Y-%m') FROM crimes_enriched ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	if len(units) == 0 || len(months) < 3 {
		t.Fatalf("the store holds %d units and %d months", len(units), len(months))
	}
	last, third := months[len(months)-1], months[len(months)-3]
	windows := [][2]string{{"2000-01", "2100-12"}, {last, last}, {third, last}, {months[0], months[0]}}
	sets := map[string][]map[string]string{}
	for _, u := range units {
		for _, m := range months {
			sets["lsoa_year_on_year"] = append(sets["lsoa_year_on_year"], map[string]string{"unit": u, "month": m})
		}
		for _, w := range windows {
			sets["outcomes_by_type"] = append(sets["outcomes_by_type"], map[string]string{"unit": u, "from": w[0], "to": w[1]})
		}
	}
	return sets
}

// leicestershire loads and enriches the 35 months of Leicestershire's
// street crime in ../shared (about 240,000 crimes, several row groups).
func leicestershire(t *testing.T) *store.Store {
	dir := shareddata.Path(t, "data", "police-uk")
	files, err := filepath.Glob(filepath.Join(dir, "*", "*-leicestershire-street.csv"))
	if err != nil || len(files) < 24 {
		t.Skipf("skipping: %d months of Leicestershire in %s, want 24 or more", len(files), dir)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "leics.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := ingest.Police(ctx, st, files, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	cfg := transform.Config{CellSize: 100, Categories: data.Categories, Units: data.Units, Lookup: data.LSOALookup}
	if _, err := transform.Run(ctx, st, cfg, nil, nil); err != nil {
		t.Fatal(err)
	}
	return st
}
