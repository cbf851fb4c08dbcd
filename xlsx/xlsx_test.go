package xlsx

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// TestTypedCells writes a table and reads it back as Excel would: numbers
// are number cells, months date cells shown YYYY-MM, the header bold and
// frozen, notes on their own sheet.
func TestTypedCells(t *testing.T) {
	nov := time.Date(2020, 11, 1, 0, 0, 0, 0, time.UTC)
	tab := Table{Sheet: "crime_by_month", Columns: []Column{{"month", Month}, {"crime_type", Text}, {"crimes", Number}, {"harm", Number}, {"charged", Bool}},
		Rows:  [][]any{{nov, "Robbery", int64(12), 3.5, true}, {nov, "Drugs", int64(4), math.NaN(), nil}},
		Notes: []string{"2 rows withheld"}}
	var b bytes.Buffer
	if err := Write(&b, tab); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); strings.Join(got, ",") != "crime_by_month,Notes" {
		t.Fatalf("sheets %v", got)
	}
	sh := "crime_by_month"
	// A number cell has no type attribute (Unset means "n"); text is a
	// shared or inline string.
	for ref, want := range map[string][]excelize.CellType{
		"C2": {excelize.CellTypeUnset, excelize.CellTypeNumber}, "D2": {excelize.CellTypeUnset, excelize.CellTypeNumber},
		"B2": {excelize.CellTypeSharedString, excelize.CellTypeInlineString}, "E2": {excelize.CellTypeBool}} {
		typ, err := f.GetCellType(sh, ref)
		if err != nil || !slices.Contains(want, typ) {
			t.Errorf("%s: type %v (%v), want one of %v", ref, typ, err, want)
		}
	}
	for ref, want := range map[string]string{"C2": "12", "D2": "3.5"} {
		if v, _ := f.GetCellValue(sh, ref, excelize.Options{RawCellValue: true}); v != want {
			t.Errorf("%s: %q, want %s", ref, v, want)
		}
	}
	if v, _ := f.GetCellValue(sh, "A2"); v != "2020-11" {
		t.Errorf("month shown as %q, want 2020-11", v)
	}
	if v, _ := f.GetCellValue(sh, "A2", excelize.Options{RawCellValue: true}); v != "44136" {
		t.Errorf("month stored as %q, want Excel's date number 44136", v)
	}
	if v, _ := f.GetCellValue(sh, "D3"); v != "" {
		t.Errorf("NaN written as %q, want an empty cell", v)
	}
	panes, err := f.GetPanes(sh)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes %+v %v: want the header row frozen", panes, err)
	}
	style, _ := f.GetCellStyle(sh, "A1")
	if s, err := f.GetStyle(style); err != nil || s.Font == nil || !s.Font.Bold {
		t.Errorf("header style %+v %v: want bold", s, err)
	}
	if v, _ := f.GetCellValue("Notes", "B2"); v != "2 rows withheld" {
		t.Errorf("note %q", v)
	}
}

func TestTooLongText(t *testing.T) {
	tab := Table{Columns: []Column{{"x", Text}}, Rows: [][]any{{strings.Repeat("a", maxCellText+1)}}}
	if err := Write(&bytes.Buffer{}, tab); err == nil || !strings.Contains(err.Error(), "row 1, column x") {
		t.Errorf("a cell over Excel's limit: %v", err)
	}
}
