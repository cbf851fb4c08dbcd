package index

import (
	"fmt"
	"math"
	"time"
)

// Table holds the indicator values of one month: Values[i][j] is the value
// of indicator Codes[j] for unit Units[i], NaN when missing. Columns may be
// in any order; Compute matches them to the framework by code.
type Table struct {
	Period string // "YYYY-MM"
	Units  []string
	Codes  []string
	Values [][]float64
	// Peers, when set, names each unit's most similar units (see
	// MostSimilar): Compute then ranks each unit within its peer group
	// too, and Assess rates it against its group's median.
	Peers map[string][]string
}

// Observation is one cell of a Table, as a store query returns it.
type Observation struct {
	Unit  string
	Code  string
	Value float64
}

// TableFromObservations builds the table of one period from (unit, code,
// value) rows. Units and codes keep the order in which they first appear;
// cells without a row are missing (NaN). A repeated (unit, code) pair is an
// error, as it usually means a query joined two sources twice.
func TableFromObservations(period string, obs []Observation) (*Table, error) {
	if _, err := parsePeriod(period); err != nil {
		return nil, err
	}
	t := &Table{Period: period}
	unitRow := map[string]int{}
	codeCol := map[string]int{}
	for _, o := range obs {
		if _, ok := unitRow[o.Unit]; !ok {
			unitRow[o.Unit] = len(t.Units)
			t.Units = append(t.Units, o.Unit)
		}
		if _, ok := codeCol[o.Code]; !ok {
			codeCol[o.Code] = len(t.Codes)
			t.Codes = append(t.Codes, o.Code)
		}
	}
	t.Values = make([][]float64, len(t.Units))
	for i := range t.Values {
		t.Values[i] = make([]float64, len(t.Codes))
		for j := range t.Values[i] {
			t.Values[i][j] = math.NaN()
		}
	}
	seen := make(map[[2]int]bool, len(obs))
	for _, o := range obs {
		cell := [2]int{unitRow[o.Unit], codeCol[o.Code]}
		if seen[cell] {
			return nil, fmt.Errorf("index: period %s: unit %q has two values for indicator %q", period, o.Unit, o.Code)
		}
		seen[cell] = true
		t.Values[cell[0]][cell[1]] = o.Value
	}
	return t, nil
}

// aligned returns the table's values with columns in framework order, one
// row per unit in table order. Codes the framework does not know are an error
// so that a misspelt code is not silently dropped; framework indicators the
// table lacks are all missing.
func (t *Table) aligned(fw *Framework) ([][]float64, error) {
	if _, err := parsePeriod(t.Period); err != nil {
		return nil, err
	}
	if len(t.Values) != len(t.Units) {
		return nil, fmt.Errorf("index: period %s: table has %d units but %d rows of values", t.Period, len(t.Units), len(t.Values))
	}
	col := make(map[string]int, len(fw.Indicators))
	for j, ind := range fw.Indicators {
		col[ind.Code] = j
	}
	src := make([]int, len(t.Codes))
	seen := make(map[string]bool, len(t.Codes))
	for k, c := range t.Codes {
		j, ok := col[c]
		if !ok {
			return nil, fmt.Errorf("index: period %s: table column %q is not an indicator of the framework", t.Period, c)
		}
		if seen[c] {
			return nil, fmt.Errorf("index: period %s: table column %q appears twice", t.Period, c)
		}
		seen[c] = true
		src[k] = j
	}
	units := make(map[string]bool, len(t.Units))
	out := make([][]float64, len(t.Units))
	for i, row := range t.Values {
		u := t.Units[i]
		if units[u] {
			return nil, fmt.Errorf("index: period %s: unit %q appears twice", t.Period, u)
		}
		units[u] = true
		if len(row) != len(t.Codes) {
			return nil, fmt.Errorf("index: period %s: unit %q has %d values for %d columns", t.Period, u, len(row), len(t.Codes))
		}
		out[i] = make([]float64, len(fw.Indicators))
		for j := range out[i] {
			out[i][j] = math.NaN()
		}
		for k, v := range row {
			if math.IsInf(v, 0) {
				return nil, fmt.Errorf("index: period %s: unit %q has infinite value for %q", t.Period, u, t.Codes[k])
			}
			out[i][src[k]] = v
		}
	}
	return out, nil
}

// parsePeriod parses a "YYYY-MM" period.
func parsePeriod(p string) (time.Time, error) {
	t, err := time.Parse("2006-01", p)
	if err != nil {
		return time.Time{}, fmt.Errorf("index: period %q is not YYYY-MM", p)
	}
	return t, nil
}

// MonthsBetween returns the number of months from period a to period b, so
// that MonthsBetween("2024-03", "2025-03") is 12.
func MonthsBetween(a, b string) (int, error) {
	ta, err := parsePeriod(a)
	if err != nil {
		return 0, err
	}
	tb, err := parsePeriod(b)
	if err != nil {
		return 0, err
	}
	return (tb.Year()-ta.Year())*12 + int(tb.Month()-ta.Month()), nil
}
