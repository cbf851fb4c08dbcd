package queries

import (
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/safercity/safercity/disclosure"
)

// Result is a query's rows read into memory, with Go values per column.
type Result struct {
	Name    string // the query's, or "" for ad hoc SQL
	Columns []string
	Types   []string // DuckDB type names
	Rows    [][]any
	// Disclosure says what the disclosure policy withheld and rounded;
	// nil for results with no partner data.
	Disclosure *disclosure.Report
}

// Collect reads all rows. Queries here are summaries and profiles; for bulk
// exports use DuckDB's COPY instead.
func Collect(rows *sql.Rows) (*Result, error) {
	res, _, err := collect(rows, -1)
	return res, err
}

// collect reads at most limit rows (all for a negative limit) and says
// whether there were more.
func collect(rows *sql.Rows, limit int) (*Result, bool, error) {
	defer rows.Close()
	cols, err := rows.ColumnTypes()
	if err != nil {
		return nil, false, err
	}
	res := &Result{}
	for _, c := range cols {
		res.Columns = append(res.Columns, c.Name())
		res.Types = append(res.Types, c.DatabaseTypeName())
	}
	for rows.Next() {
		if len(res.Rows) == limit {
			return res, true, rows.Err()
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, false, err
		}
		for i, v := range vals {
			if t, ok := v.(time.Time); ok && res.Types[i] == "DATE" && strings.HasSuffix(res.Columns[i], "month") {
				vals[i] = Month(t)
			}
		}
		res.Rows = append(res.Rows, vals)
	}
	return res, false, rows.Err()
}

// Month is a value of a DATE column of months (named month, or ending in
// _month): people read it as YYYY-MM, and Arrow and Parquet get a DATE.
type Month time.Time

// Text renders one value as people read it: dates as YYYY-MM-DD, NULL as
// empty, floats without noise.
func Text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case Month:
		return time.Time(x).Format("2006-01")
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format("2006-01-02")
		}
		return x.Format("2006-01-02 15:04:05")
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case []byte:
		return string(x)
	}
	return fmt.Sprint(v)
}

// WriteTable writes an aligned plain-text table.
func (r *Result) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(r.Columns, "\t"))
	for _, row := range r.Rows {
		cells := make([]string, len(row))
		for i, v := range row {
			cells[i] = strings.ReplaceAll(Text(v), "\t", " ")
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.Disclosure != nil {
		_, err := fmt.Fprintf(w, "(%d rows; %s)\n", len(r.Rows), r.Disclosure)
		return err
	}
	_, err := fmt.Fprintf(w, "(%d rows)\n", len(r.Rows))
	return err
}

// WriteCSV writes RFC 4180 CSV with a header row.
func (r *Result) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(r.Columns)
	for _, row := range r.Rows {
		cells := make([]string, len(row))
		for i, v := range row {
			cells[i] = Text(v)
		}
		cw.Write(cells)
	}
	cw.Flush()
	return cw.Error()
}

// WriteJSON writes an array of objects, one per row, keys in column order.
func (r *Result) WriteJSON(w io.Writer) error {
	var b strings.Builder
	b.WriteString("[")
	for i, row := range r.Rows {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  {")
		for j, v := range row {
			if j > 0 {
				b.WriteString(", ")
			}
			k, _ := json.Marshal(r.Columns[j])
			b.Write(k)
			b.WriteString(": ")
			b.Write(jsonValue(v))
		}
		b.WriteString("}")
	}
	b.WriteString("\n]\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func jsonValue(v any) []byte {
	switch x := v.(type) {
	case time.Time, Month:
		v = Text(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return []byte("null")
		}
	case []byte:
		v = string(x)
	}
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(fmt.Sprint(v))
	}
	return b
}

// Write renders the result as format: table, csv, json, arrow or xlsx. (Parquet
// is written by DuckDB: see store.WriteParquet.)
func (r *Result) Write(w io.Writer, format string) error {
	switch format {
	case "", "table":
		return r.WriteTable(w)
	case "csv":
		return r.WriteCSV(w)
	case "json":
		return r.WriteJSON(w)
	case "arrow":
		return r.WriteArrow(w)
	case "xlsx":
		return r.WriteXLSX(w)
	}
	return fmt.Errorf("unknown format %q: use table, csv, json, arrow or xlsx", format)
}
