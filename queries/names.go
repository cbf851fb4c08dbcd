package queries

import (
	"context"
	"fmt"
	"sort"

	"github.com/safercity/safercity/internal/names"
	"github.com/safercity/safercity/store"
)

// choice is where the values of a named parameter come from: the store,
// or a fixed list.
type choice struct {
	kind  string
	sql   string
	fixed []string
}

// choices are the parameters whose values are names: a value given for
// one must be a name the store holds (or "" where that means all).
var choices = map[string]choice{
	"unit":       {kind: "unit", sql: `SELECT DISTINCT unit FROM crimes_enriched WHERE unit IS NOT NULL`},
	"force":      {kind: "force", sql: `SELECT force FROM police_street UNION SELECT force FROM police_stop_search UNION SELECT force FROM police_outcomes`},
	"lsoa":       {kind: "LSOA", sql: `SELECT DISTINCT lsoa_code FROM crimes_enriched WHERE lsoa_code IS NOT NULL`},
	"category":   {kind: "incident category", sql: `SELECT DISTINCT category FROM incidents`},
	"group":      {kind: "crime group", fixed: []string{"violence", "acquisitive", "asb", "nte", "weapons"}},
	"profile":    {kind: "hotspot profile", sql: `SELECT DISTINCT profile FROM hotspot_runs`},
	"layer":      {kind: "area layer of the area statistics", fixed: []string{"lsoa", "district"}},
	"comparison": {kind: "change comparison", fixed: []string{"year", "prev3"}},
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
	vals, err := st.Strings(ctx, c.sql)
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
		if v == "" {
			continue // all
		}
		known, isName, err := Choices(ctx, st, k)
		if err != nil || !isName {
			if err != nil {
				return nil, err
			}
			continue
		}
		if out[k], err = names.Resolve(choices[k].kind, v, known); err != nil {
			return nil, fmt.Errorf("query %s: --param %s: %w", q.Name, k, err)
		}
	}
	return out, nil
}
