package maps

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"github.com/paulmach/orb"
)

// readCollection is a decoded FeatureCollection with its properties left as
// written, so that tests can tell 14 from 14.0.
type readCollection struct {
	Type     string          `json:"type"`
	Name     string          `json:"name"`
	CRS      json.RawMessage `json:"crs"`
	Features []struct {
		Type     string `json:"type"`
		Geometry struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		} `json:"geometry"`
		Properties json.RawMessage `json:"properties"`
	} `json:"features"`
}

func writeAndReadGeoJSON(t *testing.T, m *Map, crs CRS, proj orb.Projection) (readCollection, map[string]json.RawMessage) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteGeoJSON(&buf, m, crs, proj); err != nil {
		t.Fatal(err)
	}
	var fc readCollection
	if err := json.Unmarshal(buf.Bytes(), &fc); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, buf.Bytes())
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &members); err != nil {
		t.Fatal(err)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != len(m.Features) {
		t.Fatalf("got %s of %d features, want FeatureCollection of %d", fc.Type, len(fc.Features), len(m.Features))
	}
	return fc, members
}

// polygonsOf decodes a feature's coordinates as a MultiPolygon.
func polygonsOf(t *testing.T, geomType string, coords json.RawMessage) orb.MultiPolygon {
	t.Helper()
	switch geomType {
	case "Polygon":
		var p orb.Polygon
		if err := json.Unmarshal(coords, &p); err != nil {
			t.Fatal(err)
		}
		return orb.MultiPolygon{p}
	case "MultiPolygon":
		var mp orb.MultiPolygon
		if err := json.Unmarshal(coords, &mp); err != nil {
			t.Fatal(err)
		}
		return mp
	}
	t.Fatalf("geometry type %q, want Polygon or MultiPolygon", geomType)
	return nil
}

// orderedProperties decodes a JSON object into its keys in order and its
// values as written.
func orderedProperties(t *testing.T, raw json.RawMessage) ([]string, map[string]any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	values := map[string]any{}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		values[k.(string)] = v
	}
	return keys, values
}

func TestWriteGeoJSONWGS84(t *testing.T) {
	m := testMap()
	fc, members := writeAndReadGeoJSON(t, m, WGS84, fakeWGS84)
	if _, ok := members["crs"]; ok {
		t.Error("RFC 7946 output has a crs member")
	}
	if fc.Name != m.Title {
		t.Errorf("name %q, want %q", fc.Name, m.Title)
	}
	wantTypes := []string{"Polygon", "Polygon", "MultiPolygon"}
	for i, f := range fc.Features {
		if f.Geometry.Type != wantTypes[i] {
			t.Errorf("feature %d: geometry %s, want %s", i, f.Geometry.Type, wantTypes[i])
		}
		mp := polygonsOf(t, f.Geometry.Type, f.Geometry.Coordinates)
		for j, poly := range mp {
			for k, r := range poly {
				if !r.Closed() {
					t.Errorf("feature %d polygon %d ring %d is not closed: %v", i, j, k, r)
				}
				want := orb.CW
				if k == 0 {
					want = orb.CCW
				}
				if got := r.Orientation(); got != want {
					t.Errorf("feature %d polygon %d ring %d: orientation %d, want %d", i, j, k, got, want)
				}
				for _, p := range r {
					for _, v := range p {
						if math.Round(v*1e7)/1e7 != v {
							t.Errorf("feature %d: coordinate %v has more than 7 decimals", i, v)
						}
					}
				}
			}
		}
	}
	if n := len(polygonsOf(t, "Polygon", fc.Features[1].Geometry.Coordinates)[0]); n != 2 {
		t.Errorf("feature 1 has %d rings, want exterior and hole", n)
	}
}

func TestWriteGeoJSONProperties(t *testing.T) {
	m := testMap()
	m.Features[0].Properties = append(m.Features[0].Properties, Property{"whole", 3.0})
	fc, _ := writeAndReadGeoJSON(t, m, WGS84, fakeWGS84)
	keys, values := orderedProperties(t, fc.Features[0].Properties)
	var wantKeys []string
	for _, p := range m.Features[0].Properties {
		wantKeys = append(wantKeys, p.Name)
	}
	if !reflect.DeepEqual(keys, wantKeys) {
		t.Errorf("property order %v, want %v", keys, wantKeys)
	}
	want := map[string]any{
		"cell_x": json.Number("529000"), "cell_y": json.Number("181000"), "grid_ref": "TQ 290 810",
		"count": json.Number("14"), "measure": json.Number("14.5"), "density": json.Number("1450.25"),
		"z": json.Number("3.1"), "p": json.Number("0.0019"), "p_fdr": json.Number("0.004"),
		"bin": json.Number("3"), "trend": "new hot spot", "night": true, "kde": nil, "note": nil,
		"rank": json.Number("1"), "whole": json.Number("3.0"), // a float stays a float for GDAL
	}
	if !reflect.DeepEqual(values, want) {
		t.Errorf("properties\n got %v\nwant %v", values, want)
	}
	if raw := fc.Features[2].Properties; !bytes.Contains(raw, []byte(`"bars & clubs":"<none>"`)) {
		t.Errorf("properties %s: & < > escaped", raw)
	}
	_, values = orderedProperties(t, fc.Features[2].Properties)
	if got := values["bars & clubs"]; got != "<none>" {
		t.Errorf(`"bars & clubs" = %v, want "<none>"`, got)
	}
}

func TestWriteGeoJSONBNG(t *testing.T) {
	m := testMap()
	fc, members := writeAndReadGeoJSON(t, m, BNG, nil)
	const wantCRS = `{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}}`
	if got := string(members["crs"]); got != wantCRS {
		t.Errorf("crs %s, want %s", got, wantCRS)
	}
	want := []orb.MultiPolygon{
		// The clockwise, unclosed input reversed and closed.
		{{{{529000, 181000}, {529100, 181000}, {529100, 181100}, {529000, 181100}, {529000, 181000}}}},
		{{
			{{529100, 181000}, {529200, 181000}, {529200, 181100}, {529100, 181100}, {529100, 181000}},
			{{529140, 181040}, {529140, 181060}, {529160, 181060}, {529160, 181040}, {529140, 181040}},
		}},
		{
			{{{529300, 181000}, {529400, 181000}, {529400, 181050}, {529300, 181050}, {529300, 181000}}},
			{{{529300, 181050}, {529400, 181050}, {529400, 181100}, {529300, 181100}, {529300, 181050}}},
		},
	}
	for i, f := range fc.Features {
		if got := polygonsOf(t, f.Geometry.Type, f.Geometry.Coordinates); !got.Equal(want[i]) {
			t.Errorf("feature %d: got %v, want %v", i, got, want[i])
		}
	}
	// BNG output is the WGS 84 output's properties unchanged.
	wgs, _ := writeAndReadGeoJSON(t, m, WGS84, fakeWGS84)
	for i := range fc.Features {
		if !bytes.Equal(fc.Features[i].Properties, wgs.Features[i].Properties) {
			t.Errorf("feature %d: BNG properties %s differ from WGS 84 %s", i, fc.Features[i].Properties, wgs.Features[i].Properties)
		}
	}
}

func TestWriteGeoJSONEmpty(t *testing.T) {
	fc, _ := writeAndReadGeoJSON(t, &Map{}, WGS84, fakeWGS84)
	if fc.Features == nil {
		t.Error(`empty map: "features" is not an array`)
	}
}
