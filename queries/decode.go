package queries

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/safercity/safercity/disclosure"
)

// Answer is a result as the server's API sends it (GET
// /api/queries/{name}): the command line reads it back into a Result when
// the server holds the database.
type Answer struct {
	Query      string                       `json:"query"`
	Columns    []string                     `json:"columns"`
	Types      []string                     `json:"types"`
	Rows       []map[string]json.RawMessage `json:"rows"`
	Disclosure *struct {
		Unit      string `json:"unit"`
		Withheld  int    `json:"withheld"`
		Blanked   int    `json:"blanked"`
		Rounded   int    `json:"rounded"`
		Months    int    `json:"months_withheld"`
		Threshold int    `json:"threshold"`
		Base      int    `json:"base"`
	} `json:"disclosure"`
}

// Result rebuilds the result with Go values typed as Run gives them.
func (a *Answer) Result() (*Result, error) {
	if len(a.Types) != len(a.Columns) {
		return nil, fmt.Errorf("answer of %s: %d columns, %d types", a.Query, len(a.Columns), len(a.Types))
	}
	r := &Result{Name: a.Query, Columns: a.Columns, Types: a.Types}
	for i, m := range a.Rows {
		row := make([]any, len(a.Columns))
		for j, c := range a.Columns {
			v, err := decodeValue(m[c], a.Types[j], strings.HasSuffix(c, "month"))
			if err != nil {
				return nil, fmt.Errorf("answer of %s: row %d, column %s: %w", a.Query, i+1, c, err)
			}
			row[j] = v
		}
		r.Rows = append(r.Rows, row)
	}
	if d := a.Disclosure; d != nil {
		r.Disclosure = &disclosure.Report{Policy: disclosure.Policy{Threshold: d.Threshold, Base: d.Base},
			What: d.Unit, Withheld: d.Withheld, Blanked: d.Blanked, Rounded: d.Rounded, MonthsWithheld: d.Months}
	}
	return r, nil
}

// decodeValue reads one JSON value of a column of DuckDB type duck.
func decodeValue(raw json.RawMessage, duck string, month bool) (any, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case json.Number:
		if arrowType(duck).ID() == arrowType("BIGINT").ID() {
			return x.Int64()
		}
		return x.Float64()
	case string:
		return decodeText(x, duck, month)
	}
	return v, nil
}

func decodeText(s, duck string, month bool) (any, error) {
	switch {
	case duck == "DATE" && month:
		t, err := time.Parse("2006-01", s)
		return Month(t), err
	case duck == "DATE":
		return time.Parse("2006-01-02", s)
	case strings.HasPrefix(duck, "TIMESTAMP"):
		for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t, nil
			}
		}
		return nil, fmt.Errorf("timestamp %q", s)
	}
	return s, nil
}
