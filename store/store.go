// Package store keeps SaferCity's data in one embedded DuckDB file: it opens
// the file, brings its schema up to date from the numbered migrations
// embedded here, and runs the transactions that replace a partition whole.
//
// It is the only package that imports the DuckDB driver, so that the rest of
// the code links and tests quickly.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/marcboeker/go-duckdb/v2"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DefaultPath is the database file used when neither --db nor SAFERCITY_DB
// names one.
const DefaultPath = "safercity.duckdb"

// DefaultMemoryLimit caps DuckDB's own memory (its buffer pool; it spills
// to disk beyond it) unless SAFERCITY_MEMORY_LIMIT says otherwise, so that a
// large load stays within a modest machine beside the Go side's batches.
const DefaultMemoryLimit = "1GB"

// StorageVersion is the DuckDB storage format new database files are
// written in. DuckDB otherwise writes the v0.10.2 format, which older
// readers can open but which lacks the newer string compression: in
// DuckDB 1.4's format a store is an eighth smaller, the transform spends
// 14% less CPU and a named query filtered by unit or LSOA reads 2 to 9
// times less. A file written before keeps its format; DuckDB older than
// 1.4 cannot open the new one.
const StorageVersion = "v1.4.0"

// Store is an open SaferCity database.
type Store struct {
	DB       *sql.DB
	Path     string
	ReadOnly bool
	// memoryLimit is what each new connection sets, since DuckDB's
	// memory_limit is global and a new connection's SET would otherwise
	// undo LimitMemory.
	memoryLimit atomic.Value // string

	functions functionCatalogue // for QueryStoreOnly (guard.go)
}

// Open opens (creating it if needed) the database file at path and applies
// any migrations it has not had yet.
func Open(ctx context.Context, path string) (*Store, error) {
	return open(ctx, path, false)
}

// OpenReadOnly opens an existing database for reading only; any statement
// that would write fails, and none can read anything but the database (no
// files, no network, no other databases). The file must exist and be up to
// date.
func OpenReadOnly(ctx context.Context, path string) (*Store, error) {
	if err := mustExist(path); err != nil {
		return nil, err
	}
	return open(ctx, path, true)
}

// OpenExisting opens an existing database for reading and writing, for
// the commands that work on loaded data: a mistyped path must not become
// a new empty database that then has "no data".
func OpenExisting(ctx context.Context, path string) (*Store, error) {
	if err := mustExist(path); err != nil {
		return nil, err
	}
	return open(ctx, path, false)
}

// ErrNoDatabase is returned by OpenReadOnly and OpenExisting for a path
// where no database file exists.
var ErrNoDatabase = errors.New("no database")

// mustExist says, when path is not a file, which database files its
// folder holds.
func mustExist(path string) error {
	fi, err := os.Stat(path)
	if err == nil && fi.Mode().IsRegular() {
		return nil
	}
	dir := filepath.Dir(path)
	found, _ := filepath.Glob(filepath.Join(dir, "*.duckdb")) // the pattern is well formed, Glob's only error
	have := "there is no .duckdb file in " + dir
	if len(found) > 0 {
		have = "database files in " + dir + ": " + strings.Join(found, ", ")
	}
	return fmt.Errorf("%w at %s (%s): check --db / SAFERCITY_DB, or load data first, e.g. `safercity ingest police data/police-uk`, which creates it", ErrNoDatabase, path, have)
}

func open(ctx context.Context, file string, readOnly bool) (*Store, error) {
	dsn := file
	if readOnly {
		dsn += "?" + url.Values{"access_mode": {"READ_ONLY"}}.Encode()
	} else {
		dsn += "?" + url.Values{"storage_compatibility_version": {StorageVersion}}.Encode()
	}
	s := &Store{Path: file, ReadOnly: readOnly}
	limit := os.Getenv("SAFERCITY_MEMORY_LIMIT")
	if limit == "" {
		limit = DefaultMemoryLimit
	}
	s.memoryLimit.Store(limit)
	c, err := duckdb.NewConnector(dsn, func(execer driver.ExecerContext) error {
		if _, err := execer.ExecContext(context.Background(), setMemoryLimit(s.memoryLimit.Load().(string)), nil); err != nil {
			return err
		}
		// Loads commit in batches of a few hundred thousand rows; with the
		// default 16MB threshold every commit would also checkpoint.
		if _, err := execer.ExecContext(context.Background(), "SET checkpoint_threshold = '1GB'", nil); err != nil {
			return err
		}
		// Timestamps are stored in UTC whatever the machine's zone.
		if _, err := execer.ExecContext(context.Background(), "SET TimeZone = 'UTC'", nil); err != nil {
			return err
		}
		if !readOnly {
			return nil
		}
		// A reader sees the store's tables and views only: no read_csv of
		// /etc/shadow, no http, no ATTACH. DuckDB lets a running database
		// turn this off but never back on, and the lock keeps it so.
		_, err := execer.ExecContext(context.Background(), "SET enable_external_access = false; SET lock_configuration = true", nil)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", file, explainLock(err))
	}
	s.DB = sql.OpenDB(c)
	if err := s.migrate(ctx); err != nil {
		s.DB.Close()
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return s, nil
}

// ErrLocked is returned by the Open functions when another process holds
// the database file (one process at a time may write it, and none may read
// while one writes).
var ErrLocked = errors.New("the database is in use by another process (a running `safercity serve`?); stop it or use its HTTP API")

// driverMessages are the DuckDB messages that mean one of the store's
// sentinels. The driver has no error type or code for these (a lock
// conflict is a plain IO error, a refused statement kind a plain parser
// error), so its message is the only way to tell; this table is the one
// place in the program that reads an error's text.
var driverMessages = []struct {
	fragment string
	sentinel error
}{
	{"Could not set lock", ErrLocked},
	{"Conflicting lock", ErrLocked},
	{"Only SELECT", ErrNotReadOnly},
}

// sentinelFor returns the sentinel a DuckDB message means, or nil.
func sentinelFor(msg string) error {
	for _, m := range driverMessages {
		if strings.Contains(msg, m.fragment) {
			return m.sentinel
		}
	}
	return nil
}

// isCatalogError reports whether DuckDB refused a statement for naming a
// table, view or column that does not exist.
func isCatalogError(err error) bool {
	var de *duckdb.Error
	return errors.As(err, &de) && de.Type == duckdb.ErrorTypeCatalog
}

// explainLock wraps DuckDB's lock conflict in ErrLocked.
func explainLock(err error) error {
	if sentinel := sentinelFor(err.Error()); errors.Is(sentinel, ErrLocked) {
		return fmt.Errorf("%w: %w", ErrLocked, err)
	}
	return err
}

// Close closes the database.
func (s *Store) Close() error { return s.DB.Close() }

// LimitMemory sets DuckDB's memory limit for the whole database (every
// connection), unless SAFERCITY_MEMORY_LIMIT chose one: a command that
// knows its working set, such as a bulk load, asks for less than
// DefaultMemoryLimit.
func (s *Store) LimitMemory(ctx context.Context, limit string) error {
	if os.Getenv("SAFERCITY_MEMORY_LIMIT") != "" {
		return nil
	}
	s.memoryLimit.Store(limit)
	_, err := s.DB.ExecContext(ctx, setMemoryLimit(limit))
	return err
}

// Alone sets the store up for a command that is the process's only work
// and spreads it over connections of its own, as ingest police and
// transform do: DuckDB on one thread, so that each connection's statements
// run on the thread that calls them rather than wait in DuckDB's task
// scheduler, and its memory limit at limit (see LimitMemory).
func (s *Store) Alone(ctx context.Context, limit string) error {
	if err := s.LimitMemory(ctx, limit); err != nil {
		return err
	}
	_, err := s.DB.ExecContext(ctx, "SET threads = 1")
	return err
}

func setMemoryLimit(limit string) string {
	return "SET memory_limit = '" + strings.ReplaceAll(limit, "'", "") + "'"
}

type migration struct {
	version int
	name    string
}

func listMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and _", e.Name())
		}
		ms = append(ms, migration{v, e.Name()})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// migrate applies, in one transaction each, the migrations the file lacks.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := listMigrations()
	if err != nil {
		return err
	}
	have := map[int]bool{}
	rows, err := s.DB.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err == nil {
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return err
			}
			have[v] = true
		}
		rows.Close()
	} else if !isCatalogError(err) { // a new file has no schema_migrations yet
		return fmt.Errorf("read schema version: %w", err)
	}
	var todo []migration
	for _, m := range ms {
		if !have[m.version] {
			todo = append(todo, m)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	if s.ReadOnly {
		return fmt.Errorf("the database schema is older than this program (missing %s); run any loading command, e.g. `safercity transform`, to upgrade it", todo[0].name)
	}
	if _, err := s.DB.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied TIMESTAMP NOT NULL)`); err != nil {
		return err
	}
	for _, m := range todo {
		body, err := migrations.ReadFile(path.Join("migrations", m.name))
		if err != nil {
			return err
		}
		err = s.Tx(ctx, func(tx *Tx) error {
			if _, err := tx.Exec(string(body)); err != nil {
				return err
			}
			_, err := tx.Exec(`INSERT INTO schema_migrations VALUES (?, ?, now()::TIMESTAMP)`, m.version, m.name)
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}

// Strings runs a query of one text column and returns its values.
func (s *Store) Strings(ctx context.Context, query string, args ...any) ([]string, error) {
	return scanStrings(s.DB.QueryContext(ctx, query, args...))
}

// Strings runs a query of one text column in the transaction.
func (tx *Tx) Strings(query string, args ...any) ([]string, error) {
	return scanStrings(tx.Query(query, args...))
}

func scanStrings(rows *sql.Rows, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Tx is one transaction on one connection.
type Tx struct {
	ctx  context.Context
	conn *sql.Conn
}

// Tx runs fn in a transaction: it commits when fn returns nil and rolls back
// otherwise, so readers see the old state or the new one, never half.
func (s *Store) Tx(ctx context.Context, fn func(*Tx) error) (err error) {
	conn, err := s.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return err
	}
	// The rollbacks run on a fresh context: the caller's may be the reason
	// for failing. A rollback that fails after fn failed is reported beside
	// fn's error; on panic there is no error to join it to, and closing the
	// connection discards the transaction anyway.
	rollback := func() error {
		_, rerr := conn.ExecContext(context.Background(), "ROLLBACK")
		return rerr
	}
	defer func() {
		if p := recover(); p != nil {
			_ = rollback()
			panic(p)
		}
		if err != nil {
			err = errors.Join(err, rollback())
			return
		}
		if _, err = conn.ExecContext(ctx, "COMMIT"); err != nil {
			// A failed COMMIT has usually ended the transaction already, so
			// this rollback's own failure would say nothing new.
			_ = rollback()
		}
	}()
	return fn(&Tx{ctx: ctx, conn: conn})
}

// Exec runs a statement and returns the rows it affected.
func (tx *Tx) Exec(query string, args ...any) (int64, error) {
	res, err := tx.conn.ExecContext(tx.ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// QueryRow runs a query expected to return at most one row.
func (tx *Tx) QueryRow(query string, args ...any) *sql.Row {
	return tx.conn.QueryRowContext(tx.ctx, query, args...)
}

// Query runs a query in the transaction.
func (tx *Tx) Query(query string, args ...any) (*sql.Rows, error) {
	return tx.conn.QueryContext(tx.ctx, query, args...)
}

// AppendArrow inserts record batches into table, matching columns by name.
// DuckDB scans the batches in place, which is several times faster than
// appending row by row.
func (tx *Tx) AppendArrow(table string, schema *arrow.Schema, recs []arrow.RecordBatch) (int64, error) {
	if len(recs) == 0 {
		return 0, nil
	}
	names := make([]string, schema.NumFields())
	for i, f := range schema.Fields() {
		names[i] = quoteIdent(f.Name)
	}
	cols := strings.Join(names, ", ")
	n, err := tx.ExecArrow(fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM batch", quoteIdent(table), cols, cols),
		ArrowView{Name: "batch", Schema: schema, Records: recs})
	if err != nil {
		return 0, fmt.Errorf("insert into %s: %w", table, err)
	}
	return n, nil
}

// ArrowView is a set of record batches a statement reads as a table.
type ArrowView struct {
	Name    string
	Schema  *arrow.Schema
	Records []arrow.RecordBatch
}

// ExecArrow runs a statement that reads the views, such as an INSERT …
// SELECT joining them with stored tables, and returns the rows it affected.
// The views exist only for the statement.
func (tx *Tx) ExecArrow(query string, views ...ArrowView) (int64, error) {
	var n int64
	err := tx.conn.Raw(func(dc any) error {
		ex := dc.(driver.ExecerContext)
		for _, v := range views {
			drop, err := registerView(tx.ctx, dc.(driver.Conn), v.Name, v.Schema, v.Records)
			if err != nil {
				return err
			}
			defer drop()
		}
		res, err := ex.ExecContext(tx.ctx, query, nil)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// AppendBuilder inserts the rows built so far in b into table (nothing when
// there are none) and leaves b empty for more.
func (tx *Tx) AppendBuilder(table string, b *array.RecordBuilder) (int64, error) {
	rec := b.NewRecordBatch()
	defer rec.Release()
	if rec.NumRows() == 0 {
		return 0, nil
	}
	return tx.AppendArrow(table, rec.Schema(), []arrow.RecordBatch{rec})
}

// QueryArrow runs a query and hands its result to fn batch by batch as Arrow
// records, which is much faster than scanning rows for large results. The
// records are valid only during the call.
func (tx *Tx) QueryArrow(query string, args []any, fn func(arrow.RecordBatch) error) error {
	return tx.conn.Raw(func(dc any) error {
		return queryArrow(tx.ctx, dc.(driver.Conn), query, args, fn)
	})
}

// WriteParquet writes a record to a Parquet file (Snappy), so that query
// results are exported without touching the store.
func WriteParquet(ctx context.Context, rec arrow.RecordBatch, path string) error {
	return writeParquet(ctx, rec, path)
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// ErrNotReadOnly is returned for a statement that could change the database.
var ErrNotReadOnly = errors.New("only one read-only statement (SELECT, WITH … SELECT, VALUES) may run here")

// QueryReadOnly runs one statement after checking, with DuckDB's own parser
// and without running anything, that it is a single SELECT: nothing run
// through it can write, whatever mode the file was opened in. (The driver's
// prepare would run all but the last of several statements, so the check
// cannot be a prepare.)
func (s *Store) QueryReadOnly(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if _, err := s.parseSelect(ctx, query); err != nil {
		return nil, err
	}
	return s.DB.QueryContext(ctx, query, args...)
}

// parseSelect checks that query is a single SELECT and returns its parse
// tree, DuckDB's json_serialize_sql statements.
func (s *Store) parseSelect(ctx context.Context, query string) ([]byte, error) {
	var failed bool
	var n int
	var msg, tree sql.NullString
	err := s.DB.QueryRowContext(ctx, `SELECT j->>'error' = 'true', coalesce(json_array_length(j->'statements'), 0), j->>'error_message', (j->'statements')::VARCHAR
		FROM (SELECT json_serialize_sql(?::VARCHAR)::JSON AS j)`, query).Scan(&failed, &n, &msg, &tree)
	if err != nil {
		return nil, err
	}
	if failed {
		if errors.Is(sentinelFor(msg.String), ErrNotReadOnly) {
			return nil, ErrNotReadOnly
		}
		return nil, fmt.Errorf("%s", msg.String)
	}
	if n != 1 {
		return nil, ErrNotReadOnly
	}
	return []byte(tree.String), nil
}
