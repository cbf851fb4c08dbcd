package queries

import (
	"context"
	"fmt"

	"github.com/safercity/safercity/disclosure"
	"github.com/safercity/safercity/store"
)

// Run runs a catalogue query with the given parameters on st. The
// partner-event columns the query declares are released through pol (see
// package disclosure); what was withheld or rounded is in
// Result.Disclosure.
//
// A name given for a parameter such as unit, force or lsoa must be one the
// store holds: an unknown one is refused with the nearest suggestion (the
// error wraps names.ErrUnknown) rather than answered with no rows.
func Run(ctx context.Context, st *store.Store, q Query, params map[string]string, pol disclosure.Policy) (*Result, error) {
	params, err := q.checkNames(ctx, st, params)
	if err != nil {
		return nil, err
	}
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
	res.Name = q.Name
	if len(q.Disclose) > 0 {
		if err := res.disclose(pol, q.Disclose); err != nil {
			return nil, fmt.Errorf("query %s: %w", q.Name, err)
		}
	}
	return res, nil
}

// disclose releases the partner-event columns through the policy: a row
// whose first column is withheld is left out; a withheld value of another
// column becomes NULL; every released count is rounded.
func (r *Result) disclose(pol disclosure.Policy, columns []string) error {
	idx := make([]int, len(columns))
	for k, name := range columns {
		idx[k] = -1
		for i, c := range r.Columns {
			if c == name {
				idx[k] = i
			}
		}
		if idx[k] < 0 {
			return fmt.Errorf("disclose: no column %q in the result", name)
		}
	}
	rep := pol.NewReport("rows")
	kept := r.Rows[:0]
	for _, row := range r.Rows {
		n, ok := count(row[idx[0]])
		if ok && rep.Release(n).Withheld {
			continue
		}
		for k, i := range idx {
			n, ok := count(row[i])
			if !ok {
				continue
			}
			var c disclosure.Count
			if k == 0 {
				c = pol.Count(n) // recorded above
			} else {
				c = rep.ReleaseValue(n)
			}
			row[i] = c.Value
			if c.Withheld {
				row[i] = nil
			}
		}
		kept = append(kept, row)
	}
	r.Rows = kept
	r.Disclosure = rep
	return nil
}

// count reads a count column's value; NULLs and other types are not counts.
func count(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int32:
		return int64(x), true
	case float64:
		return int64(x), true
	}
	return 0, false
}
