package maps

import (
	"io"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// fakeWGS84 stands in for the British National Grid to WGS 84 transformation,
// which another package provides. It keeps orientation, as the real one does,
// so tests may check ring order and rounding but not coordinate values.
func fakeWGS84(p orb.Point) orb.Point {
	return orb.Point{-2 + (p[0]-400000)/70123.4567, 49 + p[1]/111234.5678}
}

// testMap returns three cells near Soho in awkward input forms: a hot spot
// drawn clockwise and unclosed, a not-significant cell whose hole winds the
// same way as its exterior, and a cold spot in two parts.
func testMap() *Map {
	return &Map{
		Title:    "Night-time economy hot spots",
		Profile:  "nte",
		Month:    "2024-10",
		Subtitle: "Gi* on 100 m cells",
		Legend:   GiStarLegend(),
		CellSize: 100,
		Features: []Feature{
			{
				Geometry: orb.Polygon{{{529000, 181000}, {529000, 181100}, {529100, 181100}, {529100, 181000}}},
				Properties: []Property{
					{"cell_x", 529000}, {"cell_y", 181000}, {"grid_ref", "TQ 290 810"},
					{"count", 14}, {"measure", 14.5}, {"density", 1450.25}, {"z", 3.1},
					{"p", 0.0019}, {"p_fdr", 0.004}, {"bin", 3}, {"trend", "new hot spot"},
					{"night", true}, {"kde", math.NaN()}, {"note", nil}, {"rank", int64(1)},
				},
				Class: GiStarBinClass(3),
			},
			{
				Geometry: orb.Polygon{
					{{529100, 181000}, {529200, 181000}, {529200, 181100}, {529100, 181100}, {529100, 181000}},
					{{529140, 181040}, {529160, 181040}, {529160, 181060}, {529140, 181060}, {529140, 181040}},
				},
				Properties: []Property{{"grid_ref", "TQ 291 810"}, {"count", 2}, {"bin", 0}},
				Class:      GiStarBinClass(0),
			},
			{
				Geometry: orb.MultiPolygon{
					{{{529300, 181000}, {529400, 181000}, {529400, 181050}, {529300, 181050}, {529300, 181000}}},
					{{{529300, 181050}, {529400, 181050}, {529400, 181100}, {529300, 181100}, {529300, 181050}}},
				},
				Properties: []Property{{"grid_ref", "TQ 293 810"}, {"count", 0}, {"bin", -3}, {"bars & clubs", "<none>"}},
				Class:      GiStarBinClass(-3),
			},
		},
		Boundaries: []BoundaryLayer{{
			Name:   "LSOA (2021)",
			Labels: true,
			Areas: []Area{
				{Name: "Westminster 018A", Geometry: orb.Polygon{{{528900, 180900}, {529250, 180900}, {529250, 181500}, {528900, 181500}}}},
				{Name: "Camden 028B", Geometry: orb.Polygon{{{529250, 180900}, {529450, 180900}, {529450, 181500}, {529250, 181500}}}},
			},
		}},
		Attribution: []string{"Contains OS data © Crown copyright and database right 2024."},
	}
}

func TestRightHandPolygons(t *testing.T) {
	m := testMap()
	got, err := rightHandPolygons(m.Features[1].Geometry, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := orb.MultiPolygon{{
		{{529100, 181000}, {529200, 181000}, {529200, 181100}, {529100, 181100}, {529100, 181000}},
		{{529140, 181040}, {529140, 181060}, {529160, 181060}, {529160, 181040}, {529140, 181040}},
	}}
	if !got.Equal(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// The input must not be modified: the caller may write it again.
	if hole := m.Features[1].Geometry.(orb.Polygon)[1]; hole.Orientation() != orb.CCW {
		t.Error("input hole was reversed in place")
	}
}

func TestRightHandPolygonsRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		g    orb.Geometry
		want string
	}{
		{"point", orb.Point{1, 2}, "want orb.Polygon or orb.MultiPolygon"},
		{"nil", nil, "want orb.Polygon or orb.MultiPolygon"},
		{"no rings", orb.Polygon{}, "no rings"},
		{"two points", orb.Polygon{{{0, 0}, {1, 1}}}, "2 corners, want at least 3"},
		{"flat", orb.Polygon{{{0, 0}, {1, 1}, {2, 2}}}, "no area"},
		{"NaN", orb.Polygon{{{0, 0}, {1, math.NaN()}, {2, 0}}}, "not finite"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := rightHandPolygons(tc.g, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestWritersRejectBadInput(t *testing.T) {
	writers := map[string]func(*Map) error{
		"GeoJSON": func(m *Map) error { return WriteGeoJSON(io.Discard, m, WGS84, fakeWGS84) },
		"CSV":     func(m *Map) error { return WriteCSV(io.Discard, m, BNG, nil) },
		"KML":     func(m *Map) error { return WriteKML(io.Discard, m, fakeWGS84) },
		"SVG":     func(m *Map) error { return WriteSVG(io.Discard, m, 0, 0) },
		"PNG":     func(m *Map) error { return WritePNG(io.Discard, m, 0, 0) },
	}
	for _, tc := range []struct {
		name    string
		change  func(*Map)
		want    string
		writers []string
	}{
		{"unsupported value", func(m *Map) { m.Features[1].Properties[1].Value = float32(2) },
			"feature 1 (TQ 291 810): property \"count\" has unsupported type float32", []string{"GeoJSON", "CSV", "KML", "SVG", "PNG"}},
		{"duplicate property", func(m *Map) { m.Features[0].Properties[1].Name = "cell_x" },
			"property \"cell_x\" appears twice", []string{"GeoJSON", "CSV", "KML", "SVG", "PNG"}},
		{"bad geometry", func(m *Map) { m.Features[2].Geometry = orb.LineString{{0, 0}, {1, 1}} },
			"feature 2 (TQ 293 810): geometry is orb.LineString", []string{"GeoJSON", "CSV", "KML", "SVG", "PNG"}},
		{"unknown class", func(m *Map) { m.Features[2].Class = "-4" },
			"class \"-4\" is not in the legend", []string{"KML", "SVG", "PNG"}},
		{"bad month", func(m *Map) { m.Month = "Oct 2024" },
			"month \"Oct 2024\" is not YYYY-MM", []string{"KML", "SVG", "PNG"}},
		{"bad boundary", func(m *Map) { m.Boundaries[0].Areas[1].Geometry = orb.Polygon{{{0, 0}}} },
			"boundary layer \"LSOA (2021)\" area 1 (Camden 028B)", []string{"SVG", "PNG"}},
		{"WKT column", func(m *Map) { m.Features[1].Properties[1].Name = "WKT" },
			"a property is called WKT", []string{"CSV"}},
	} {
		for _, name := range tc.writers {
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				m := testMap()
				tc.change(m)
				err := writers[name](m)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("error %v, want one containing %q", err, tc.want)
				}
			})
		}
	}
}

func TestWGS84NeedsProjection(t *testing.T) {
	m := testMap()
	for name, err := range map[string]error{
		"GeoJSON": WriteGeoJSON(io.Discard, m, WGS84, nil),
		"CSV":     WriteCSV(io.Discard, m, WGS84, nil),
		"KML":     WriteKML(io.Discard, m, nil),
	} {
		if err == nil {
			t.Errorf("%s: no error without a projection", name)
		}
	}
}

func TestFormatFloat(t *testing.T) {
	for v, want := range map[float64]string{
		0:        "0",
		1450.25:  "1450.25",
		1000000:  "1000000",
		-0.0019:  "-0.0019",
		3.2e-9:   "3.2e-09",
		1e21:     "1e+21",
		529000.5: "529000.5",
		1e-7:     "1e-07",
	} {
		if got := formatFloat(v); got != want {
			t.Errorf("formatFloat(%v) = %q, want %q", v, got, want)
		}
	}
}
