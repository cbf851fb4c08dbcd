package queries

import (
	"context"
	"fmt"

	"github.com/safercity/safercity/store"
)

// DefaultMinEvents is the disclosure threshold: a query result row (or map
// cell) built from partner feeds is withheld when it counts fewer events.
const DefaultMinEvents = 3

// Run runs a catalogue query with the given parameters on st. Rows whose
// Disclose column counts between 1 and minEvents−1 partner events are
// withheld and counted in Result.Withheld.
func Run(ctx context.Context, st *store.Store, q Query, params map[string]string, minEvents int) (*Result, error) {
	args, err := q.Args(params)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryReadOnly(ctx, q.SQL, args...)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", q.Name, err)
	}
	res, err := Collect(rows)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", q.Name, err)
	}
	if q.Disclose != "" {
		res.suppress(q.Disclose, minEvents)
	}
	return res, nil
}

// suppress withholds rows whose column counts fewer than min events.
func (r *Result) suppress(column string, min int) {
	col := -1
	for i, c := range r.Columns {
		if c == column {
			col = i
		}
	}
	if col < 0 {
		return
	}
	kept := r.Rows[:0]
	for _, row := range r.Rows {
		var n int64
		switch v := row[col].(type) {
		case int64:
			n = v
		case int32:
			n = int64(v)
		case float64:
			n = int64(v)
		default:
			kept = append(kept, row)
			continue
		}
		if n > 0 && n < int64(min) {
			r.Withheld++
			continue
		}
		kept = append(kept, row)
	}
	r.Rows = kept
}
