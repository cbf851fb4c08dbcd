package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStoreOnlyOnAWritableConnection: the server holds the database
// read-write with file access on (its jobs need both), so a statement sent
// to its SQL route must be refused what a read-only connection refuses,
// before anything runs.
func TestStoreOnlyOnAWritableConnection(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret.csv")
	if err := os.WriteFile(secret, []byte("a,b\n1,2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SAFERCITY_TEST_SECRET", "s3cret")
	st, err := Open(ctx, filepath.Join(dir, "s.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.DB.Exec(`CREATE SEQUENCE guard_seq; INSERT INTO sources (source_id, path, status) VALUES (1, 'x', 'loaded')`); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"SELECT * FROM read_csv('" + secret + "')",
		"SELECT * FROM '" + secret + "'",
		"SELECT (SELECT count(*) FROM '" + secret + "') AS n FROM sources",
		"WITH x AS (SELECT 1) SELECT * FROM x, \"" + secret + "\"",
		"SELECT * FROM (WITH sources2 AS (SELECT 1) SELECT 1), sources2",
		"SELECT * FROM read_text('/etc/hostname')",
		"SELECT * FROM glob('/etc/*')",
		"SELECT * FROM range(3)",
		"SELECT * FROM duckdb_settings()",
		"SELECT getenv('SAFERCITY_TEST_SECRET')",
		"SELECT nextval('guard_seq')",
		"SELECT setseed(0.5)",
		"SELECT * FROM system.main.duckdb_tables",
		"SELECT * FROM temp.main.x",
		"SELECT st_point(1, 2)",
		"SELECT st_union_agg(x) OVER () FROM sources",
		"DESCRIBE '" + secret + "'",
		"SHOW TABLES",
	} {
		rows, err := st.QueryStoreOnly(ctx, q)
		if err == nil {
			rows.Close()
			t.Errorf("%s: ran on the writable connection", q)
		} else if !errors.Is(err, ErrOutsideStore) {
			t.Errorf("%s: %v, want ErrOutsideStore", q, err)
		}
	}
	for _, q := range []string{`DELETE FROM sources`, `SELECT 1; DELETE FROM sources`, `COPY sources TO '/tmp/x.csv'`, `ATTACH 'x.duckdb'`} {
		if _, err := st.QueryStoreOnly(ctx, q); !errors.Is(err, ErrNotReadOnly) {
			t.Errorf("%q: err = %v, want ErrNotReadOnly", q, err)
		}
	}
	var v int64
	if err := st.DB.QueryRow(`SELECT currval('guard_seq')`).Scan(&v); err == nil {
		t.Errorf("the sequence moved to %d", v)
	}
	// What analysts write: CTEs (nested, recursive), joins, subqueries,
	// window functions, operators, casts, lists (and unnest), structs, PIVOT,
	// VALUES.
	for q, want := range map[string]int64{
		`WITH x AS (SELECT 41 AS v) SELECT v + 1 FROM x`:                                                               42,
		`WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT sum(n) FROM r`:             15,
		`SELECT count(*) FILTER (WHERE path LIKE 'x%' AND status IN ('loaded')) FROM main.sources s`:                   1,
		`SELECT row_number() OVER (ORDER BY source_id) + len([x * 2 FOR x IN [1, 2]]) FROM sources`:                    3,
		`SELECT sum(source_id) OVER w + lag(source_id, 1, 0) OVER w FROM sources WINDOW w AS (ORDER BY path)`:          1,
		`SELECT CASE WHEN coalesce(NULL, 1) BETWEEN 0 AND 2 THEN {'a': 7}.a END::BIGINT`:                               7,
		`SELECT count(*) FROM (VALUES (1), (2)) t(v) JOIN (SELECT source_id FROM sources) s ON s.source_id = v`:        1,
		`SELECT max(CAST(strftime(DATE '2021-03-01', '%m') AS INT)) FROM sources WHERE EXISTS (SELECT 1 FROM sources)`: 3,
		`SELECT "loaded" FROM sources PIVOT (count(*) FOR status IN ('loaded'))`:                                       1,
		`SELECT sum(v) FROM (SELECT unnest([source_id, 2]) AS v FROM sources)`:                                         3,
		`SELECT sum(v) FROM (SELECT UNLIST([1, 2, 4]) AS v)`:                                                           7,
	} {
		rows, err := st.QueryStoreOnly(ctx, q)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		var got int64
		if !rows.Next() || rows.Scan(&got) != nil || got != want {
			t.Errorf("%s = %d, want %d (%v)", q, got, want, rows.Err())
		}
		rows.Close()
	}
	if _, err := st.QueryStoreOnly(ctx, `SELECT * FROM sourcse`); err == nil || !errors.Is(err, ErrOutsideStore) {
		t.Errorf("a mistyped table: %v", err)
	} else if want := `did you mean "sources"?`; !strings.Contains(err.Error(), want) {
		t.Errorf("a mistyped table: %v, want %s", err, want)
	}
}

// BenchmarkStatementGuard is what QueryStoreOnly's check of the parse tree
// and catalogue adds to a statement, beside QueryReadOnly's parse alone.
func BenchmarkStatementGuard(b *testing.B) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(b.TempDir(), "b.duckdb"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	const q = `WITH m AS (SELECT kind, count(*) AS n FROM sources GROUP BY ALL) SELECT kind, n, row_number() OVER (ORDER BY n DESC) FROM m WHERE kind IN ('street', 'outcomes')`
	for name, run := range map[string]func(context.Context, string, ...any) (*sql.Rows, error){
		"QueryReadOnly": st.QueryReadOnly,
		"QueryStoreOnly": func(ctx context.Context, q string, _ ...any) (*sql.Rows, error) {
			return st.QueryStoreOnly(ctx, q)
		},
	} {
		b.Run(name, func(b *testing.B) {
			for range b.N {
				rows, err := run(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				rows.Close()
			}
		})
	}
}
