package mapdb

import (
	"context"
	"time"

	"github.com/safercity/safercity/store"
)

// The catalogue of stored hotspots for the dashboard and the API: which
// profile-months and forces exist, and a map's hottest cells.

// Run is a stored profile-month of hotspots, over the forces it was run for.
type Run struct {
	Profile, Month, Forces string // Month is YYYY-MM; Forces comma-separated
	Crimes, Cells          int64
}

// Runs are the stored profile-months, newest first.
func Runs(ctx context.Context, st *store.Store) ([]Run, error) {
	rows, err := st.DB.QueryContext(ctx, `SELECT r.profile, strftime(r.month, '%Y-%m'), string_agg(DISTINCT r.force, ', ' ORDER BY r.force),
		sum(r.crimes)::BIGINT, (SELECT count(*) FROM hotspot_cells c WHERE c.profile = r.profile AND c.month = r.month)
		FROM hotspot_runs r GROUP BY r.profile, r.month ORDER BY r.month DESC, r.profile`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		var h Run
		if err := rows.Scan(&h.Profile, &h.Month, &h.Forces, &h.Crimes, &h.Cells); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// Forces are the forces of a stored profile-month, sorted.
func Forces(ctx context.Context, st *store.Store, profile string, month time.Time) ([]string, error) {
	return st.Strings(ctx, `SELECT force FROM hotspot_runs WHERE profile = ? AND month = ? ORDER BY force`, profile, month)
}

// Stored reports whether the hotspots of o's profile and month are stored,
// for o's force or, with none, for any.
func Stored(ctx context.Context, st *store.Store, o Options) (bool, error) {
	var n int
	err := st.DB.QueryRowContext(ctx, `SELECT count(*) FROM hotspot_runs WHERE profile = ? AND month = ? AND (? = '' OR force = ?)`,
		o.Profile, o.Month, o.Force, o.Force).Scan(&n)
	return n > 0, err
}

// Cell is a significant hotspot cell as stored.
type Cell struct {
	GridRef, Location, Trend string
	Crimes, Incidents        int64
	Z                        float64
	Bin                      int64
}

// HotCells calls fn with the hot cells (Gi* bin > 0) of o's profile, month
// and force, hottest first, until fn returns false.
func HotCells(ctx context.Context, st *store.Store, o Options, fn func(Cell) bool) error {
	rows, err := st.DB.QueryContext(ctx, `SELECT coalesce(grid_ref, ''), coalesce(location, ''), coalesce(trend, ''), crimes, coalesce(incidents, 0), coalesce(z, 0), coalesce(bin, 0)
		FROM hotspot_cells WHERE profile = ? AND month = ? AND force = ? AND bin > 0
		ORDER BY z DESC`, o.Profile, o.Month, o.Force)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c Cell
		if err := rows.Scan(&c.GridRef, &c.Location, &c.Trend, &c.Crimes, &c.Incidents, &c.Z, &c.Bin); err != nil {
			return err
		}
		if !fn(c) {
			break
		}
	}
	return rows.Err()
}
