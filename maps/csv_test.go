package maps

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
)

func TestWriteCSVBNG(t *testing.T) {
	m := testMap()
	var buf bytes.Buffer
	if err := WriteCSV(&buf, m, BNG, nil); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := []string{"cell_x", "cell_y", "grid_ref", "count", "measure", "density", "z", "p", "p_fdr",
		"bin", "trend", "night", "kde", "note", "rank", "bars & clubs", "WKT"}
	if !reflect.DeepEqual(rows[0], wantHeader) {
		t.Errorf("header %q, want %q", rows[0], wantHeader)
	}
	want := [][]string{
		{"529000", "181000", "TQ 290 810", "14", "14.5", "1450.25", "3.1", "0.0019", "0.004", "3", "new hot spot", "true", "", "", "1", "",
			"POLYGON((529000 181000,529100 181000,529100 181100,529000 181100,529000 181000))"},
		{"", "", "TQ 291 810", "2", "", "", "", "", "", "0", "", "", "", "", "", "",
			"POLYGON((529100 181000,529200 181000,529200 181100,529100 181100,529100 181000)," +
				"(529140 181040,529140 181060,529160 181060,529160 181040,529140 181040))"},
		{"", "", "TQ 293 810", "0", "", "", "", "", "", "-3", "", "", "", "", "", "<none>",
			"MULTIPOLYGON(((529300 181000,529400 181000,529400 181050,529300 181050,529300 181000))," +
				"((529300 181050,529400 181050,529400 181100,529300 181100,529300 181050)))"},
	}
	if !reflect.DeepEqual(rows[1:], want) {
		t.Errorf("rows\n got %q\nwant %q", rows[1:], want)
	}
}

func TestWriteCSVWGS84(t *testing.T) {
	m := testMap()
	var buf bytes.Buffer
	if err := WriteCSV(&buf, m, WGS84, fakeWGS84); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range rows[1:] {
		g, err := wkt.Unmarshal(row[len(row)-1])
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		want, err := rightHandPolygons(m.Features[i].Geometry, func(p orb.Point) orb.Point {
			return orb.Round(fakeWGS84(p), 1e7).(orb.Point)
		})
		if err != nil {
			t.Fatal(err)
		}
		var got orb.MultiPolygon
		switch g := g.(type) {
		case orb.Polygon:
			got = orb.MultiPolygon{g}
		case orb.MultiPolygon:
			got = g
		}
		if !got.Equal(want) {
			t.Errorf("row %d: WKT %v, want %v", i, got, want)
		}
	}
}

func TestWriteCSVT(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSVT(&buf, testMap()); err != nil {
		t.Fatal(err)
	}
	// Columns as in TestWriteCSVBNG; "note" holds only nil, "kde" only NaN.
	want := "Integer64,Integer64,String,Integer64,Real,Real,Real,Real,Real,Integer64,String,Integer(Boolean),Real,String,Integer64,String,WKT\n"
	if buf.String() != want {
		t.Errorf("csvt\n got %q\nwant %q", buf.String(), want)
	}
	buf.Reset()
	if err := WritePRJ(&buf, BNG); err != nil || !strings.HasPrefix(buf.String(), `PROJCS["British_National_Grid"`) {
		t.Errorf("BNG prj %q, %v", buf.String(), err)
	}
}
