// Package xlsx writes tables as Excel workbooks for partnerships that pass
// spreadsheets around: one sheet per table with a bold header row frozen
// above typed cells — numbers as numbers, dates as dates (months shown as
// YYYY-MM) — and the notes that go with the table (what was withheld, the
// source) on a sheet of their own. It knows nothing of the database; query
// results, index scores and map attribute tables all come as a Table.
package xlsx

import (
	"fmt"
	"io"
	"math"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Kind is how a column's cells are typed and shown.
type Kind int

const (
	Text   Kind = iota
	Number      // int, int64, float64 …: a number cell
	Date        // time.Time: a date cell shown as YYYY-MM-DD
	Month       // time.Time: a date cell shown as YYYY-MM
	Time        // time.Time: a date-time cell
	Bool
)

// Column is a table's column.
type Column struct {
	Name string
	Kind Kind
}

// Table is one sheet: columns, rows of Go values (nil for an empty cell)
// and notes.
type Table struct {
	Sheet   string
	Columns []Column
	Rows    [][]any
	Notes   []string
}

// Excel's limits.
const (
	maxRows      = 1048576
	maxSheetName = 31
	maxCellText  = 32767
)

// Write writes the tables as one workbook.
func Write(w io.Writer, tables ...Table) error {
	f := excelize.NewFile()
	defer f.Close()
	var notes [][]any
	for i, t := range tables {
		if len(t.Rows)+1 > maxRows {
			return fmt.Errorf("sheet %s: %d rows is more than Excel's %d: filter the table or use csv or parquet", t.Sheet, len(t.Rows), maxRows-1)
		}
		name := sheetName(t.Sheet, i)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		if err := writeSheet(f, name, t); err != nil {
			return fmt.Errorf("sheet %s: %w", name, err)
		}
		for _, n := range t.Notes {
			notes = append(notes, []any{name, n})
		}
	}
	if len(notes) > 0 {
		if _, err := f.NewSheet("Notes"); err != nil {
			return err
		}
		if err := writeSheet(f, "Notes", Table{Columns: []Column{{"sheet", Text}, {"note", Text}}, Rows: notes}); err != nil {
			return err
		}
	}
	_, err := f.WriteTo(w)
	return err
}

func sheetName(s string, i int) string {
	if s == "" {
		s = fmt.Sprintf("Sheet%d", i+1)
	}
	for len(s) > maxSheetName {
		_, n := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-n]
	}
	return s
}

// styles are the cell styles of a workbook, by kind.
type styles struct {
	header int
	kind   map[Kind]int
}

func newStyles(f *excelize.File) (styles, error) {
	s := styles{kind: map[Kind]int{}}
	var err error
	if s.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return s, err
	}
	for k, format := range map[Kind]string{Date: "yyyy-mm-dd", Month: "yyyy-mm", Time: "yyyy-mm-dd hh:mm:ss"} {
		if s.kind[k], err = f.NewStyle(&excelize.Style{CustomNumFmt: &format}); err != nil {
			return s, err
		}
	}
	return s, nil
}

func writeSheet(f *excelize.File, name string, t Table) error {
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	widths := make([]int, len(t.Columns))
	header := make([]any, len(t.Columns))
	for j, c := range t.Columns {
		header[j] = excelize.Cell{StyleID: st.header, Value: c.Name}
		widths[j] = max(utf8.RuneCountInString(c.Name), 8)
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	for j, w := range widths {
		if err := sw.SetColWidth(j+1, j+1, float64(min(w+2, 60))); err != nil {
			return err
		}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	for i, row := range t.Rows {
		cells := make([]any, len(row))
		for j, v := range row {
			if j >= len(t.Columns) {
				return fmt.Errorf("row %d has %d values for %d columns", i+1, len(row), len(t.Columns))
			}
			if cells[j], err = cell(t.Columns[j].Kind, v, st); err != nil {
				return fmt.Errorf("row %d, column %s: %w", i+1, t.Columns[j].Name, err)
			}
		}
		ref, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(ref, cells); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// cell types one value for its column's kind.
func cell(k Kind, v any, st styles) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case time.Time:
		if k != Date && k != Month {
			k = Time
		}
		return excelize.Cell{StyleID: st.kind[k], Value: x}, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, nil // Excel has no NaN or infinity: an empty cell, as in CSV
		}
		return x, nil
	case float32, int, int8, int16, int32, int64, uint8, uint16, uint32, uint64, bool:
		return x, nil
	case string:
		if utf8.RuneCountInString(x) > maxCellText {
			return nil, fmt.Errorf("text of %d characters is more than an Excel cell holds (%d): use csv or parquet", utf8.RuneCountInString(x), maxCellText)
		}
		return x, nil
	}
	return fmt.Sprint(v), nil
}
