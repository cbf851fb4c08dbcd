package queries

import (
	"bufio"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed *.sql
var files embed.FS

// Param is a typed, named parameter of a query, bound as $name.
type Param struct {
	Name        string `json:"name"`
	Type        string `json:"type"` // VARCHAR, INTEGER, DOUBLE, DATE, BOOLEAN
	Default     string `json:"default"`
	Description string `json:"description"`
	// Count marks an INTEGER used as a LIMIT: it may not be negative.
	Count bool `json:"-"`
}

// Query is a named query of the catalogue.
type Query struct {
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Params      []Param `json:"params"`
	// Disclose names the columns counting partner-feed events, released
	// through the disclosure policy: a row whose first such column is
	// withheld is left out, the other columns are withheld value by value,
	// and every released count is rounded. Police data, already
	// anonymised by police.uk, is never suppressed.
	Disclose []string `json:"disclose,omitempty"`
	SQL      string   `json:"-"`
}

var headerRE = regexp.MustCompile(`^--\s*(name|description|param|disclose):\s*(.*)$`)
var paramRE = regexp.MustCompile(`^(\w+)\s+(VARCHAR|INTEGER|DOUBLE|DATE|BOOLEAN)\s*=\s*('(?:[^']*)'|\S+)\s*(?:--\s*(.*))?$`)

// Catalogue returns the embedded queries, sorted by name.
func Catalogue() ([]Query, error) {
	names, err := fs.Glob(files, "*.sql")
	if err != nil {
		return nil, err
	}
	var qs []Query
	for _, n := range names {
		b, err := files.ReadFile(n)
		if err != nil {
			return nil, err
		}
		q, err := parse(string(b))
		if err != nil {
			return nil, fmt.Errorf("queries/%s: %w", n, err)
		}
		qs = append(qs, q)
	}
	sort.Slice(qs, func(i, j int) bool { return qs[i].Name < qs[j].Name })
	return qs, nil
}

// Lookup returns the named query.
func Lookup(name string) (Query, error) {
	qs, err := Catalogue()
	if err != nil {
		return Query{}, err
	}
	var names []string
	for _, q := range qs {
		if q.Name == name {
			return q, nil
		}
		names = append(names, q.Name)
	}
	return Query{}, fmt.Errorf("no query %q; the catalogue has %s", name, strings.Join(names, ", "))
}

// parse reads a query file: header comments (name, description, one param
// line per parameter, optional disclose), then the SQL.
func parse(text string) (Query, error) {
	var q Query
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		m := headerRE.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		v := strings.TrimSpace(m[2])
		switch m[1] {
		case "name":
			q.Name = v
		case "description":
			q.Description = strings.TrimSpace(q.Description + " " + v)
		case "disclose":
			for _, c := range strings.Split(v, ",") {
				q.Disclose = append(q.Disclose, strings.TrimSpace(c))
			}
		case "param":
			pm := paramRE.FindStringSubmatch(v)
			if pm == nil {
				return q, fmt.Errorf("param line %q: want `name TYPE = default -- description`", v)
			}
			p := Param{Name: pm[1], Type: pm[2], Default: strings.Trim(pm[3], "'"), Description: pm[4]}
			if _, err := p.value(p.Default); err != nil {
				return q, fmt.Errorf("param %s: default: %w", p.Name, err)
			}
			q.Params = append(q.Params, p)
		}
	}
	if q.Name == "" || q.Description == "" {
		return q, errors.New("header needs a \"-- name:\" line and a \"-- description:\" line")
	}
	// $name becomes DuckDB's numbered $N, bound in the order of the param
	// lines: the driver's binding of named parameters is unreliable in CTEs.
	index := map[string]int{}
	for i, p := range q.Params {
		index[p.Name] = i + 1
	}
	for _, m := range limitRE.FindAllStringSubmatch(text, -1) {
		if i, ok := index[m[1]]; ok {
			q.Params[i-1].Count = true
		}
	}
	var unknown []string
	q.SQL = placeholderRE.ReplaceAllStringFunc(text, func(m string) string {
		if strings.HasPrefix(strings.TrimSpace(m), "--") {
			return m
		}
		if n, ok := index[m[1:]]; ok {
			return fmt.Sprintf("$%d", n)
		}
		unknown = append(unknown, m)
		return m
	})
	if len(unknown) > 0 {
		return q, fmt.Errorf("SQL uses %s without a param line", strings.Join(unknown, ", "))
	}
	return q, nil
}

// limitRE finds parameters used as a LIMIT.
var limitRE = regexp.MustCompile(`(?i)\bLIMIT\s+\$([A-Za-z_]\w*)`)

// placeholderRE matches $name, and whole comment lines so they are skipped.
var placeholderRE = regexp.MustCompile(`(?m)^\s*--.*$|\$[A-Za-z_]\w*`)

// value converts a parameter's text to its Go value, or says what was
// expected.
func (p Param) value(s string) (any, error) {
	switch p.Type {
	case "VARCHAR":
		return s, nil
	case "INTEGER":
		// DuckDB's INTEGER is 32 bits: a larger value would fail inside
		// the query with the database's own message.
		n, err := strconv.ParseInt(s, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("%s must be an INTEGER from %d to %d, got %q", p.Name, math.MinInt32, math.MaxInt32, s)
		}
		if p.Count && n < 0 {
			return nil, fmt.Errorf("%s is a number of rows: give 0 or more, got %d", p.Name, n)
		}
		return n, nil
	case "DOUBLE":
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("%s must be a DOUBLE, got %q", p.Name, s)
		}
		return f, nil
	case "DATE":
		for _, layout := range []string{"2006-01-02", "2006-01"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t, nil
			}
		}
		return nil, fmt.Errorf("%s must be a DATE (YYYY-MM-DD or YYYY-MM), got %q", p.Name, s)
	case "BOOLEAN":
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, fmt.Errorf("%s must be a BOOLEAN (true or false), got %q", p.Name, s)
		}
		return b, nil
	}
	return nil, fmt.Errorf("%s: unknown type %s", p.Name, p.Type)
}

// Args returns the values given by name (defaults for the rest) in the
// order of the query's numbered placeholders. Unknown names and ill-typed values are refused; values are never
// spliced into the SQL.
func (q Query) Args(given map[string]string) ([]any, error) {
	known := map[string]Param{}
	for _, p := range q.Params {
		known[p.Name] = p
	}
	for name := range given {
		if _, ok := known[name]; !ok {
			var names []string
			for _, p := range q.Params {
				names = append(names, p.Name+" "+p.Type)
			}
			return nil, fmt.Errorf("query %s has no parameter %q (it has: %s)", q.Name, name, strings.Join(names, ", "))
		}
	}
	var args []any
	for _, p := range q.Params {
		s, ok := given[p.Name]
		if !ok {
			s = p.Default
		}
		v, err := p.value(s)
		if err != nil {
			return nil, fmt.Errorf("query %s: %w", q.Name, err)
		}
		args = append(args, v)
	}
	return args, nil
}
