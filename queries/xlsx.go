package queries

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/safercity/safercity/xlsx"
)

// Table returns the result as a spreadsheet table: cells typed from
// DuckDB's column types, months as dates shown YYYY-MM, and the
// disclosure note.
func (r *Result) Table() xlsx.Table {
	t := xlsx.Table{Sheet: r.Name}
	for j, name := range r.Columns {
		t.Columns = append(t.Columns, xlsx.Column{Name: name, Kind: xlsxKind(r.Types[j])})
	}
	for _, row := range r.Rows {
		cells := make([]any, len(row))
		for j, v := range row {
			switch x := v.(type) {
			case Month:
				cells[j] = time.Time(x)
				t.Columns[j].Kind = xlsx.Month
			case interface{ Float64() float64 }: // duckdb.Decimal
				cells[j] = x.Float64()
			case []byte:
				cells[j] = string(x)
			default:
				cells[j] = v
			}
		}
		t.Rows = append(t.Rows, cells)
	}
	if r.Disclosure != nil {
		t.Notes = append(t.Notes, r.Disclosure.String())
	}
	return t
}

func xlsxKind(duck string) xlsx.Kind {
	switch {
	case duck == "DATE":
		return xlsx.Date
	case strings.HasPrefix(duck, "TIMESTAMP"):
		return xlsx.Time
	case duck == "BOOLEAN":
		return xlsx.Bool
	case arrowType(duck).ID() != arrowType("VARCHAR").ID():
		return xlsx.Number
	}
	return xlsx.Text
}

// WriteXLSX writes the result as an Excel workbook.
func (r *Result) WriteXLSX(w io.Writer) error {
	if err := xlsx.Write(w, r.Table()); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}
