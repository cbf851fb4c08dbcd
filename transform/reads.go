package transform

import (
	"context"
	"errors"
	"time"

	"github.com/safercity/safercity/internal/names"
	"github.com/safercity/safercity/store"
)

// The reads of crimes_enriched that commands and jobs make to choose what
// to work on; the stage writes the table in transform.go.

// ErrNotEnriched is returned by LatestMonth when no crime is enriched yet.
var ErrNotEnriched = errors.New("no enriched crimes: run `safercity transform` first")

// LatestMonth is the latest month with enriched crimes.
func LatestMonth(ctx context.Context, st *store.Store) (time.Time, error) {
	var m *time.Time
	if err := st.DB.QueryRowContext(ctx, `SELECT max(month) FROM crimes_enriched`).Scan(&m); err != nil {
		return time.Time{}, err
	}
	if m == nil {
		return time.Time{}, ErrNotEnriched
	}
	return m.UTC(), nil
}

// Forces are the forces with enriched crimes, sorted.
func Forces(ctx context.Context, st *store.Store) ([]string, error) {
	return st.Strings(ctx, `SELECT DISTINCT force FROM crimes_enriched ORDER BY 1`)
}

// ResolveForce returns the store's spelling of a force a user typed, or
// refuses one the store holds no enriched crimes of, with the nearest (the
// error wraps names.ErrUnknown): an unknown force must not silently mean
// "all". "" passes: every force.
func ResolveForce(ctx context.Context, st *store.Store, force string) (string, error) {
	if force == "" {
		return "", nil
	}
	forces, err := Forces(ctx, st)
	if err != nil {
		return "", err
	}
	return names.Resolve("force", force, forces)
}

// Enriched is the number of crimes enriched, located or not.
func Enriched(ctx context.Context, st *store.Store) (int64, error) {
	var n int64
	err := st.DB.QueryRowContext(ctx, `SELECT count(*) FROM crimes_enriched`).Scan(&n)
	return n, err
}
