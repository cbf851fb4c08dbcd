package queries

import (
	"context"
	"fmt"
	"slices"
	"time"

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

// disclose releases the partner-event columns through the policy as fixed
// publication windows of whole months. The query gives one row per unit
// and month (a month column); each month's counts are released alone
// (withheld 1–2, others rounded) and a unit's row over the window holds
// their sums, so that no combination of windows says more than the
// monthly releases. The row also says in how many months its first
// count was released (months) and withheld (months_withheld), and the
// released count of the latest month of the result (latest_month, empty
// when withheld). A unit with no month released is left out.
func (r *Result) disclose(pol disclosure.Policy, columns []string) error {
	month, idx := r.index("month"), make([]int, len(columns))
	if month < 0 {
		return fmt.Errorf("disclose: no month column: a partner query must give one row per month, released month by month")
	}
	for k, name := range columns {
		if idx[k] = r.index(name); idx[k] < 0 {
			return fmt.Errorf("disclose: no column %q in the result", name)
		}
	}
	keyCols := r.keyColumns(append([]int{month}, idx...))
	type unit struct {
		key    []any
		counts [][]int64 // per disclose column, per month
		months []string
	}
	var units []*unit
	byKey := map[string]*unit{}
	latest := ""
	for _, row := range r.Rows {
		key := make([]any, len(keyCols))
		for i, c := range keyCols {
			key[i] = row[c]
		}
		k := fmt.Sprint(key)
		u := byKey[k]
		if u == nil {
			u = &unit{key: key, counts: make([][]int64, len(idx))}
			byKey[k] = u
			units = append(units, u)
		}
		m := monthKey(row[month])
		latest = max(latest, m)
		u.months = append(u.months, m)
		for k, i := range idx {
			n, _ := count(row[i])
			u.counts[k] = append(u.counts[k], n)
		}
	}
	rep := pol.NewReport("rows")
	out := Result{Name: r.Name, Disclosure: rep}
	for _, c := range keyCols {
		out.Columns, out.Types = append(out.Columns, r.Columns[c]), append(out.Types, r.Types[c])
	}
	for _, i := range idx {
		out.Columns, out.Types = append(out.Columns, r.Columns[i]), append(out.Types, "BIGINT")
	}
	out.Columns = append(out.Columns, "months", "months_withheld", "latest_month")
	out.Types = append(out.Types, "BIGINT", "BIGINT", "BIGINT")
	for _, u := range units {
		w := rep.Months(u.counts[0])
		if w.Months == 0 {
			continue
		}
		row := append(u.key, w.Value)
		for _, counts := range u.counts[1:] {
			row = append(row, releasedSum(pol, counts))
		}
		var last any = int64(0)
		if k := slices.Index(u.months, latest); k >= 0 {
			if c := pol.Count(u.counts[0][k]); !c.Withheld {
				last = c.Value
			} else {
				last = nil
			}
		}
		out.Rows = append(out.Rows, append(row, int64(w.Months), int64(w.Withheld), last))
	}
	*r = out
	return nil
}

// monthKey spells a month so that later months sort after earlier ones.
func monthKey(v any) string {
	if m, ok := v.(Month); ok {
		return time.Time(m).Format("2006-01")
	}
	return fmt.Sprint(v)
}

// releasedSum is the sum of a further count's released monthly values.
func releasedSum(pol disclosure.Policy, counts []int64) int64 {
	var s int64
	for _, n := range counts {
		s += pol.Count(n).Value
	}
	return s
}

// index returns the position of the named column, or -1.
func (r *Result) index(name string) int { return slices.Index(r.Columns, name) }

// keyColumns returns the positions of the columns not in except.
func (r *Result) keyColumns(except []int) []int {
	var keys []int
	for i := range r.Columns {
		if !slices.Contains(except, i) {
			keys = append(keys, i)
		}
	}
	return keys
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
