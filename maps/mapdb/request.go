package mapdb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/safercity/safercity/internal/names"
	"github.com/safercity/safercity/store"
	"github.com/safercity/safercity/transform"
)

// ErrNoEnriched is returned by LatestMonth when no crimes are enriched.
var ErrNoEnriched = errors.New("no enriched crimes: run `safercity transform` first")

// LatestMonth is the latest month with enriched crimes: a map's month
// when none is given.
func LatestMonth(ctx context.Context, st *store.Store) (time.Time, error) {
	var m *time.Time
	if err := st.DB.QueryRowContext(ctx, `SELECT max(month) FROM crimes_enriched`).Scan(&m); err != nil {
		return time.Time{}, err
	}
	if m == nil {
		return time.Time{}, ErrNoEnriched
	}
	return m.UTC(), nil
}

// ResolveNames replaces o's Force and Profile by the store's spelling of
// them, or refuses a force the store holds no crimes of, or a profile it
// holds no hotspots of, with the nearest (the error wraps
// names.ErrUnknown). An empty Force passes: every force.
func ResolveNames(ctx context.Context, st *store.Store, o *Options) error {
	var err error
	if o.Force, err = transform.ResolveForce(ctx, st, o.Force); err != nil {
		return fmt.Errorf("force: %w", err)
	}
	profiles, err := st.Strings(ctx, `SELECT DISTINCT profile FROM hotspot_runs ORDER BY 1`)
	if err != nil {
		return err
	}
	if o.Profile, err = names.Resolve("profile", o.Profile, profiles); err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	return nil
}
