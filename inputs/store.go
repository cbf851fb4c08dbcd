package inputs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"time"

	"github.com/safercity/safercity/store"
)

// A Result is one stored result of a downstream stage.
type Result struct {
	Stage string    // hotspots | index
	Key   string    // the hotspot profile; "" for the index
	Month time.Time // first of the month, UTC
}

func (r Result) String() string {
	if r.Key == "" {
		return r.Month.Format("2006-01")
	}
	return r.Key + " " + r.Month.Format("2006-01")
}

// Recorded returns the inputs recorded for a stage's results.
func Recorded(ctx context.Context, st *store.Store, stage string) (map[Result]Parts, error) {
	rows, err := st.DB.QueryContext(ctx, `SELECT key, month, inputs FROM result_inputs WHERE stage = ?`, stage)
	if err != nil {
		return nil, fmt.Errorf("result inputs: %w", err)
	}
	defer rows.Close()
	out := map[Result]Parts{}
	for rows.Next() {
		r := Result{Stage: stage}
		var text string
		if err := rows.Scan(&r.Key, &r.Month, &text); err != nil {
			return nil, fmt.Errorf("result inputs: %w", err)
		}
		r.Month = r.Month.UTC()
		out[r] = Parse(text)
	}
	return out, rows.Err()
}

// Record stores the inputs a result was computed from, replacing what was
// recorded before.
func Record(ctx context.Context, st *store.Store, r Result, p Parts) error {
	_, err := st.DB.ExecContext(ctx, `INSERT OR REPLACE INTO result_inputs VALUES (?, ?, ?, ?, ?)`,
		r.Stage, r.Key, r.Month, p.String(), time.Now().UTC())
	if err != nil {
		return fmt.Errorf("result inputs of %s %s: %w", r.Stage, r, err)
	}
	return nil
}

// Forget removes what was recorded of a result, so that the stage computes
// it again.
func Forget(ctx context.Context, st *store.Store, r Result) error {
	_, err := st.DB.ExecContext(ctx, `DELETE FROM result_inputs WHERE stage = ? AND key = ? AND month = ?`, r.Stage, r.Key, r.Month)
	if err != nil {
		return fmt.Errorf("result inputs of %s %s: %w", r.Stage, r, err)
	}
	return nil
}

// AddEnriched adds an "enriched YYYY-MM" part for each month from..to that
// the transform stage has computed: its month fingerprint, which changes
// when the month's street files are republished or enriched with other
// settings.
func AddEnriched(ctx context.Context, st *store.Store, p Parts, from, to time.Time) error {
	rows, err := st.DB.QueryContext(ctx, `SELECT month, fingerprint FROM transform_state WHERE month BETWEEN ? AND ?`, from, to)
	if err != nil {
		return fmt.Errorf("transform state: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m time.Time
		var fp string
		if err := rows.Scan(&m, &fp); err != nil {
			return fmt.Errorf("transform state: %w", err)
		}
		p["enriched "+m.UTC().Format("2006-01")] = fp
	}
	return rows.Err()
}

// AddFeeds adds a "feed KIND" part for each partner-feed kind given: the
// files of that kind stored now, so that loading, replacing or withdrawing
// one changes it. A kind with no files has no part.
func AddFeeds(ctx context.Context, st *store.Store, p Parts, kinds ...string) error {
	for _, k := range kinds {
		var ids *string
		err := st.DB.QueryRowContext(ctx, `SELECT string_agg(source_id::VARCHAR, ',' ORDER BY source_id) FROM sources
			WHERE kind = ? AND status <> 'refused' AND superseded_by IS NULL`, k).Scan(&ids)
		if err != nil {
			return fmt.Errorf("feed sources: %w", err)
		}
		if ids != nil {
			p["feed "+k] = *ids
		}
	}
	return nil
}

// AddSettings adds a "settings" part: a hash of v as fmt's %+v prints it
// (maps in key order), so any change of a setting changes it.
func AddSettings(p Parts, v any) {
	h := sha256.Sum256([]byte(fmt.Sprintf("%+v", v)))
	p["settings"] = hex.EncodeToString(h[:8])
}

// A Task is a result to compute now and why.
type Task struct {
	Result
	Inputs Parts  // as they stand now; Record them with the result
	Reason string // see Reason
}

// Plan returns the results among want whose inputs (as now gives them)
// differ from those recorded, or that are not stored or have no record, in
// month order; stored says which results the stage's tables hold.
func Plan(want []Result, stored map[Result]bool, recorded map[Result]Parts, now func(Result) (Parts, error)) ([]Task, error) {
	var out []Task
	for _, r := range want {
		p, err := now(r)
		if err != nil {
			return nil, err
		}
		before, ok := recorded[r]
		if why := Reason(stored[r], ok, before, p); why != "" {
			out = append(out, Task{Result: r, Inputs: p, Reason: why})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Month.Before(out[j].Month) })
	return out, nil
}
