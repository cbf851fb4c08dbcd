package store

import (
	"context"

	"errors"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMigrationsAppliedOnceAndRecorded(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.duckdb")
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := listMigrations()
	var n int
	st.DB.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n)
	if n != len(ms) {
		t.Errorf("%d migrations recorded, %d embedded", n, len(ms))
	}
	if _, err := st.DB.Exec(`INSERT INTO sources (source_id, path, status) VALUES (1, 'x', 'loaded')`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer st.Close()
	st.DB.QueryRow(`SELECT count(*) FROM sources`).Scan(&n)
	if n != 1 {
		t.Errorf("reopening lost or re-created data: %d sources", n)
	}
}

func TestReadOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.duckdb")
	if _, err := OpenReadOnly(ctx, path); err == nil || !strings.Contains(err.Error(), "no database") {
		t.Errorf("read-only open of a missing file: %v", err)
	}
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.DB.Exec(`DELETE FROM sources`); err == nil {
		t.Error("a read-only store accepted a write")
	}
	for _, q := range []string{
		`DELETE FROM sources`,
		`DROP TABLE sources`,
		`SELECT 1; DELETE FROM sources`,
		`COPY sources TO '/tmp/x.csv'`,
		`ATTACH 'x.duckdb'`,
	} {
		if _, err := ro.QueryReadOnly(ctx, q); !errors.Is(err, ErrNotReadOnly) {
			t.Errorf("%q: err = %v, want ErrNotReadOnly", q, err)
		}
	}
	rows, err := ro.QueryReadOnly(ctx, `WITH x AS (SELECT 41 AS v) SELECT v + 1 FROM x`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var v int
	if !rows.Next() || rows.Scan(&v) != nil || v != 42 {
		t.Errorf("select returned %d", v)
	}
}

func TestTxRollsBackOnError(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "s.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	boom := errors.New("boom")
	err = st.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`INSERT INTO sources (source_id, path, status) VALUES (1, 'x', 'loaded')`); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	var n int
	st.DB.QueryRow(`SELECT count(*) FROM sources`).Scan(&n)
	if n != 0 {
		t.Errorf("a failed transaction left %d rows", n)
	}
}

func TestAppendArrowLeavesNoViews(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "s.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var before int
	if err := st.DB.QueryRow(`SELECT count(*) FROM duckdb_views() WHERE NOT internal`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	schema := arrow.NewSchema([]arrow.Field{{Name: "source_id", Type: arrow.PrimitiveTypes.Int64}, {Name: "path", Type: arrow.BinaryTypes.String},
		{Name: "status", Type: arrow.BinaryTypes.String}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for i := int64(1); i <= 3; i++ {
		b.Field(0).(*array.Int64Builder).Append(i)
		b.Field(1).(*array.StringBuilder).Append("x")
		b.Field(2).(*array.StringBuilder).Append("loaded")
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	err = st.Tx(ctx, func(tx *Tx) error {
		n, err := tx.AppendArrow("sources", schema, []arrow.RecordBatch{rec})
		if n != 3 {
			t.Errorf("inserted %d rows", n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var views int
	st.DB.QueryRow(`SELECT count(*) FROM duckdb_views() WHERE NOT internal`).Scan(&views)
	if views != before {
		t.Errorf("%d views left in the catalogue", views-before)
	}
}

// TestReadOnlyHasNoExternalAccess: `safercity sql` must read the store's
// tables only, never a file of the machine it runs on.
func TestReadOnlyHasNoExternalAccess(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "s.duckdb")
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	secret := filepath.Join(dir, "secret.csv")
	if err := os.WriteFile(secret, []byte("user,hash\nroot,x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	var n int
	if err := ro.DB.QueryRow(`SELECT count(*) FROM sources`).Scan(&n); err != nil {
		t.Fatalf("the store's own tables: %v", err)
	}
	for _, q := range []string{
		"SELECT * FROM read_csv('" + secret + "')",
		"SELECT * FROM '" + secret + "'",
		"SELECT * FROM read_text('/etc/passwd')",
		"SELECT * FROM glob('/etc/*')",
	} {
		rows, err := ro.QueryReadOnly(ctx, q)
		if err == nil {
			rows.Close()
			t.Errorf("%s: read outside the store", q)
		}
	}
	if _, err := ro.DB.Exec(`SET enable_external_access = true`); err == nil {
		t.Error("a reader could turn external access back on")
	}
}

// TestOpenExistingNeverCreates: a mistyped --db must not leave a new file.
func TestOpenExistingNeverCreates(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := Open(ctx, filepath.Join(dir, "safercity.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	typo := filepath.Join(dir, "safercty.duckdb")
	for name, open := range map[string]func(context.Context, string) (*Store, error){"OpenExisting": OpenExisting, "OpenReadOnly": OpenReadOnly} {
		_, err := open(ctx, typo)
		if !errors.Is(err, ErrNoDatabase) || !strings.Contains(err.Error(), "safercity.duckdb") {
			t.Errorf("%s(%s): %v, want ErrNoDatabase naming the file that exists", name, typo, err)
		}
		if _, serr := os.Stat(typo); serr == nil {
			t.Fatalf("%s created %s", name, typo)
		}
	}
}

// LimitMemory applies to every connection of the database, and gives way
// to SAFERCITY_MEMORY_LIMIT.
func TestLimitMemory(t *testing.T) {
	ctx := context.Background()
	limitOf := func(st *Store) string {
		t.Helper()
		var got string
		if err := st.DB.QueryRow(`SELECT current_setting('memory_limit')`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		return got
	}
	for _, env := range []string{"", "300MB"} {
		t.Setenv("SAFERCITY_MEMORY_LIMIT", env)
		st, err := Open(ctx, filepath.Join(t.TempDir(), "s.duckdb"))
		if err != nil {
			t.Fatal(err)
		}
		st.DB.SetMaxIdleConns(4)
		before := limitOf(st)
		if err := st.LimitMemory(ctx, "256MB"); err != nil {
			t.Fatal(err)
		}
		// Another connection sees the same setting.
		c1, _ := st.DB.Conn(ctx)
		c2, _ := st.DB.Conn(ctx)
		var got string
		if err := c2.QueryRowContext(ctx, `SELECT current_setting('memory_limit')`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		c1.Close()
		c2.Close()
		want := "244.1 MiB" // DuckDB shows 256 MB in MiB
		if env != "" {
			want = before
		}
		if got != want {
			t.Errorf("SAFERCITY_MEMORY_LIMIT=%q: memory_limit %q after LimitMemory (was %q), want %q", env, got, before, want)
		}
		st.Close()
	}
}

// A new database file is written in StorageVersion's format.
func TestNewFilesInStorageVersion(t *testing.T) {
	st, err := Open(context.Background(), filepath.Join(t.TempDir(), "s.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var tags string
	if err := st.DB.QueryRow(`SELECT tags['storage_version'] FROM duckdb_databases() WHERE NOT internal`).Scan(&tags); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tags, StorageVersion) {
		t.Errorf("storage version %q, want %s", tags, StorageVersion)
	}
}
