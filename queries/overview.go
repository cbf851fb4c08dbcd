package queries

import (
	"context"

	"github.com/safercity/safercity/store"
)

// Beside the catalogue, the fixed reads the dashboard and the API make of
// the loaded data: the store's totals and the file register.

// Overview is what the store holds: current loaded files, street crimes,
// located enriched crimes, and the months of street crime (YYYY-MM, "" when
// there is none).
type Overview struct {
	Files, Crimes, Enriched int64
	FirstMonth, LastMonth   string
}

// ReadOverview reads the store's totals.
func ReadOverview(ctx context.Context, st *store.Store) (Overview, error) {
	var o Overview
	err := st.DB.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM sources WHERE status = 'loaded' AND superseded_by IS NULL),
		(SELECT count(*) FROM police_street),
		(SELECT count(*) FROM crimes_enriched WHERE located),
		(SELECT coalesce(strftime(min(month), '%Y-%m'), '') FROM police_street),
		(SELECT coalesce(strftime(max(month), '%Y-%m'), '') FROM police_street)`).Scan(&o.Files, &o.Crimes, &o.Enriched, &o.FirstMonth, &o.LastMonth)
	return o, err
}

// SourceFilter selects files of the register; "" matches any.
type SourceFilter struct {
	Kind, Force, Status, Feed string
}

// Sources are the register's files (table sources) that f selects, newest
// first, at most limit.
func Sources(ctx context.Context, st *store.Store, f SourceFilter, limit int) (*Result, error) {
	rows, err := st.QueryReadOnly(ctx, `SELECT source_id, path, size, sha256, kind, force,
		strftime(month, '%Y-%m') AS month, feed, rows_loaded, rows_quarantined,
		strftime(started, '%Y-%m-%dT%H:%M:%SZ') AS started, strftime(finished, '%Y-%m-%dT%H:%M:%SZ') AS finished,
		status, error, superseded_by
		FROM sources
		WHERE ($1 = '' OR kind = $2) AND ($3 = '' OR force = $4) AND ($5 = '' OR status = $6) AND ($7 = '' OR feed = $8)
		ORDER BY source_id DESC LIMIT $9`, f.Kind, f.Kind, f.Force, f.Force, f.Status, f.Status, f.Feed, f.Feed, limit)
	if err != nil {
		return nil, err
	}
	return Collect(rows)
}
