// Package lake owns the Parquet lake: the store's enriched crimes, outcomes,
// stop and search and hotspot cells written as hive-partitioned Parquet,
// DIR/TABLE/month=YYYY-MM/force=SLUG/data_0.parquet, which Spark, Trino,
// BigQuery or DuckDB itself read as external tables. Export rewrites only
// the partitions whose rows changed since the last export (a manifest in DIR
// keeps a fingerprint of each); Open reads a lake back as views named like
// the store's tables, so that the named queries run on it unchanged.
package lake

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/safercity/safercity/store"
)

// Tables are the tables a lake holds, each partitioned by month and force
// (police_outcomes by the outcome's month).
var Tables = []string{"crimes_enriched", "police_outcomes", "police_stop_search", "hotspot_cells"}

// ManifestFile is the lake's record of what it holds, in DIR.
const ManifestFile = "_safercity_lake.json"

// manifest maps each table's partitions ("month=YYYY-MM/force=SLUG") to the
// fingerprint of the rows written there.
type manifest struct {
	Version int                          `json:"version"`
	Tables  map[string]map[string]string `json:"tables"`
}

// TableResult says what an export did with one table's partitions.
type TableResult struct {
	Table     string   `json:"table"`
	Written   []string `json:"written"`   // new or changed partitions, rewritten
	Unchanged int      `json:"unchanged"` // partitions left as they were
	Removed   []string `json:"removed"`   // partitions no longer in the store, deleted
	Rows      int64    `json:"rows"`      // rows written
}

// ErrNoLake is returned by Open for a folder without a lake manifest.
var ErrNoLake = errors.New("not a SaferCity lake")

// Export brings the lake in dir up to date with st: it writes the
// partitions that are new or whose rows changed, deletes those the store no
// longer has, and leaves the rest untouched. Each partition is written
// beside the lake and moved into place whole; the manifest is saved after
// each table, so an interrupted export is finished by the next.
func Export(ctx context.Context, st *store.Store, dir string) ([]TableResult, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	m, err := readManifest(dir)
	if errors.Is(err, ErrNoLake) {
		m, err = &manifest{Version: 1, Tables: map[string]map[string]string{}}, nil
	}
	if err != nil {
		return nil, err
	}
	var out []TableResult
	for _, table := range Tables {
		r, err := exportTable(ctx, st, dir, table, m)
		if err != nil {
			return out, fmt.Errorf("lake %s: %w", table, err)
		}
		out = append(out, r)
		if err := writeManifest(dir, m); err != nil {
			return out, err
		}
	}
	return out, nil
}

func exportTable(ctx context.Context, st *store.Store, dir, table string, m *manifest) (TableResult, error) {
	r := TableResult{Table: table}
	now, err := fingerprints(ctx, st, table)
	if err != nil {
		return r, err
	}
	before := m.Tables[table]
	var changed []string
	for p, fp := range now {
		if before[p] == fp {
			r.Unchanged++
		} else {
			changed = append(changed, p)
		}
	}
	for p := range before {
		if _, ok := now[p]; !ok {
			r.Removed = append(r.Removed, p)
		}
	}
	sort.Strings(changed)
	sort.Strings(r.Removed)
	if r.Rows, err = writePartitions(ctx, st, dir, table, changed); err != nil {
		return r, err
	}
	r.Written = changed
	for _, p := range r.Removed {
		if err := os.RemoveAll(filepath.Join(dir, table, filepath.FromSlash(p))); err != nil {
			return r, err
		}
		os.Remove(filepath.Dir(filepath.Join(dir, table, filepath.FromSlash(p)))) // the month's folder, when now empty
	}
	m.Tables[table] = now
	return r, nil
}

// fingerprints returns each partition of a table and a fingerprint of its
// rows as exported: their count and the sum of their hashes, so that any
// changed, added or withdrawn row changes it, whatever the order of the
// rows. (The enriched crimes' LSOA names come from the boundary layer
// where the file has none, outside the table.)
func fingerprints(ctx context.Context, st *store.Store, table string) (map[string]string, error) {
	rows, err := st.DB.QueryContext(ctx, `SELECT 'month=' || strftime(month, '%Y-%m') || '/force=' || force,
		count(*)::VARCHAR || ':' || sum(hash(t))::VARCHAR FROM `+exported(table)+` t GROUP BY ALL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var p, fp string
		if err := rows.Scan(&p, &fp); err != nil {
			return nil, err
		}
		out[p] = fp
	}
	return out, rows.Err()
}

// writePartitions writes the partitions of a table with one COPY into a
// staging folder beside the lake, then swaps each into place.
func writePartitions(ctx context.Context, st *store.Store, dir, table string, parts []string) (int64, error) {
	if len(parts) == 0 {
		return 0, nil
	}
	staging := filepath.Join(dir, ".staging-"+table)
	if err := os.RemoveAll(staging); err != nil {
		return 0, err
	}
	defer os.RemoveAll(staging)
	quoted := make([]string, len(parts))
	for i, p := range parts {
		quoted[i] = "'" + strings.ReplaceAll(p, "'", "''") + "'"
	}
	var n int64
	err := st.DB.QueryRowContext(ctx, fmt.Sprintf(`COPY (
		SELECT * REPLACE (strftime(month, '%%Y-%%m') AS month) FROM %s
		WHERE 'month=' || strftime(month, '%%Y-%%m') || '/force=' || force IN (%s)
	) TO '%s' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (month, force))`,
		exported(table), strings.Join(quoted, ", "), strings.ReplaceAll(staging, "'", "''"))).Scan(&n)
	if err != nil {
		return 0, err
	}
	for _, p := range parts {
		from := filepath.Join(staging, filepath.FromSlash(p))
		to := filepath.Join(dir, table, filepath.FromSlash(p))
		if err := os.RemoveAll(to); err != nil {
			return n, err
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return n, err
		}
		if err := os.Rename(from, to); err != nil {
			return n, fmt.Errorf("partition %s: %w", p, err)
		}
	}
	return n, nil
}

// exported is what the lake writes of a store table: the table itself, but
// for enriched crimes, which the store keeps without police.uk's crime ID
// and text (police_street has them), the view crimes, which joins them
// back: lake users link crimes to outcomes by ID, and the lake has no
// police_street to join.
func exported(table string) string {
	if table != "crimes_enriched" {
		return table
	}
	return "crimes"
}

func readManifest(dir string) (*manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w (no %s: write one with safercity export lake %s)", dir, ErrNoLake, ManifestFile, dir)
	}
	if err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w (export the lake again to rewrite it)", filepath.Join(dir, ManifestFile), err)
	}
	if m.Tables == nil {
		m.Tables = map[string]map[string]string{}
	}
	return &m, nil
}

func writeManifest(dir string, m *manifest) error {
	b, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, ManifestFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, ManifestFile))
}

// Open returns a read-only in-memory database whose views, named like the
// store's tables, read the lake in dir; and the tables the lake holds rows
// of. The named queries run on it as on the store.
func Open(ctx context.Context, dir string) (*store.Store, []string, error) {
	m, err := readManifest(dir)
	if err != nil {
		return nil, nil, err
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, nil, err
	}
	var held []string
	for _, table := range Tables {
		if len(m.Tables[table]) == 0 {
			continue
		}
		glob := filepath.Join(dir, table, "*", "*", "*.parquet")
		_, err := db.ExecContext(ctx, fmt.Sprintf(`CREATE VIEW %s AS
			SELECT * REPLACE (strptime(month, '%%Y-%%m')::DATE AS month)
			FROM read_parquet('%s', hive_partitioning = true, hive_types = {'month': VARCHAR, 'force': VARCHAR})`,
			table, strings.ReplaceAll(glob, "'", "''")))
		if err != nil {
			db.Close()
			return nil, nil, fmt.Errorf("lake %s: %s: %w", dir, table, err)
		}
		held = append(held, table)
	}
	if len(m.Tables["crimes_enriched"]) > 0 {
		// The lake's enriched crimes hold the text: they are the view crimes
		// too, so that the named queries that read it run on the lake.
		if _, err := db.ExecContext(ctx, `CREATE VIEW crimes AS SELECT * FROM crimes_enriched`); err != nil {
			db.Close()
			return nil, nil, fmt.Errorf("lake %s: crimes: %w", dir, err)
		}
	}
	return &store.Store{DB: db, Path: dir, ReadOnly: true}, held, nil
}
