package queries

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/safercity/safercity/internal/names"
	"github.com/safercity/safercity/store"
)

// choice is where the values of a named parameter come from: a column of
// some of the store's tables, or a fixed list.
type choice struct {
	kind   string
	column string
	tables []string
	fixed  []string
}

// choices are the parameters whose values are names: a value given for
// one must be a name the store holds (or "" where that means all).
var choices = map[string]choice{
	"unit":       {kind: "unit", column: "unit", tables: []string{"crimes_enriched"}},
	"force":      {kind: "force", column: "force", tables: []string{"police_street", "police_stop_search", "police_outcomes"}},
	"lsoa":       {kind: "LSOA", column: "lsoa_code", tables: []string{"crimes_enriched"}},
	"category":   {kind: "incident category", column: "category", tables: []string{"incidents"}},
	"group":      {kind: "crime group", fixed: []string{"violence", "acquisitive", "asb", "nte", "weapons"}},
	"profile":    {kind: "hotspot profile", column: "profile", tables: []string{"hotspot_runs"}},
	"layer":      {kind: "area layer of the area statistics", fixed: []string{"lsoa", "district"}},
	"comparison": {kind: "change comparison", fixed: []string{"year", "prev3"}},
}

// listSQL gives every name the store holds.
func (c choice) listSQL() string {
	var parts []string
	for _, t := range c.tables {
		parts = append(parts, fmt.Sprintf("SELECT DISTINCT %s FROM %s WHERE %[1]s IS NOT NULL", c.column, t))
	}
	return strings.Join(parts, " UNION ")
}

// probeSQL gives a row when the store holds the name bound to every
// placeholder. It stops at the first row found, where listing the names
// reads the whole column (a third of a second on 17M crimes), so a name
// spelt as stored costs next to nothing.
func (c choice) probeSQL() string {
	var parts []string
	for _, t := range c.tables {
		parts = append(parts, fmt.Sprintf("SELECT %s FROM %s WHERE %[1]s = $1", c.column, t))
	}
	return strings.Join(parts, " UNION ALL ") + " LIMIT 1"
}

// Choices returns the names a parameter may take, sorted, and whether the
// parameter is a name at all.
func Choices(ctx context.Context, st *store.Store, param string) ([]string, bool, error) {
	c, ok := choices[param]
	if !ok {
		return nil, false, nil
	}
	if c.fixed != nil {
		return c.fixed, true, nil
	}
	vals, err := st.Strings(ctx, c.listSQL())
	if err != nil {
		return nil, true, fmt.Errorf("list the %s names: %w", c.kind, err)
	}
	sort.Strings(vals)
	return vals, true, nil
}

// checkNames refuses a given name the store does not hold, suggesting the
// nearest (the error wraps names.ErrUnknown). It returns the parameters
// with names resolved to the store's spelling (e.g. "city of london").
func (q Query) checkNames(ctx context.Context, st *store.Store, given map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(given))
	for k, v := range given {
		out[k] = v
		c, isName := choices[k]
		if v == "" || !isName {
			continue // all, or not a name
		}
		if c.fixed == nil {
			found, err := st.Strings(ctx, c.probeSQL(), v)
			if err != nil {
				return nil, fmt.Errorf("look for the %s %q: %w", c.kind, v, err)
			}
			if len(found) > 0 {
				continue // as stored
			}
		}
		known, _, err := Choices(ctx, st, k)
		if err != nil {
			return nil, err
		}
		if out[k], err = names.Resolve(c.kind, v, known); err != nil {
			return nil, fmt.Errorf("query %s: --param %s: %w", q.Name, k, err)
		}
	}
	return out, nil
}
