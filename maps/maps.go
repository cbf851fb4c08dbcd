// Package maps writes hot-spot grid results as files planners can use
// directly: GeoJSON, KML and CSV to open in QGIS, ArcGIS or Google Earth, and
// SVG and PNG maps to paste into a report.
//
// A Map holds its cells and boundary areas in British National Grid metres
// (EPSG:27700). Writers that produce WGS 84 take the conversion from British
// National Grid as an orb.Projection, so that this package does not depend on
// a particular transformation.
package maps

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"time"

	"github.com/paulmach/orb"
)

// A Map is one profile's hot-spot result for one month, ready to be written.
type Map struct {
	Title    string // e.g. "Night-time economy hot spots"
	Profile  string // profile name, e.g. "nte" or "violence"
	Month    string // YYYY-MM, e.g. "2024-10"; may be empty
	Subtitle string // e.g. the method and its parameters

	Features []Feature

	// CellSize is the side, in metres, of the square grid cells the
	// features are; 0 when they are areas of a boundary layer. The legend
	// states it, and SVG and PNG maps merge cells that would be drawn under
	// 2 px into display blocks, saying so under the map.
	CellSize float64

	// Legend colours the features by their Class in the KML, SVG and PNG
	// output. GiStarLegend and EmergingHotSpotLegend are the usual ones.
	Legend Legend

	// Boundaries are drawn with the cells in the SVG and PNG maps: minor
	// layers under them, major layers over them.
	Boundaries []BoundaryLayer

	// Places are names printed over the SVG and PNG maps before any area
	// name, such as the forces on a map of several.
	Places []Place

	// Attribution lines are printed below the statement of the Open
	// Government Licence, which is always printed; add one for each other
	// source, such as the boundaries.
	Attribution []string
}

// A Feature is one grid cell: its polygon, the values to export with it, and
// the class that colours it.
//
// When present, the property grid_ref names the cell (the KML placemark name
// and the SVG tooltip) and the property count is added to the SVG tooltip.
type Feature struct {
	// Geometry is an orb.Polygon or orb.MultiPolygon in British National
	// Grid metres. Rings need not be closed or oriented; the writers close
	// them and apply the right-hand rule.
	Geometry orb.Geometry

	// Properties are written in this order. A Value is a string, bool, int,
	// int64, float64 or nil; a float64 NaN or infinity, which JSON cannot
	// hold, is written as null (GeoJSON) or as an empty value (KML, CSV).
	Properties []Property

	// Class is the Key of a Legend class, e.g. GiStarBinClass(3) or
	// "new hot spot".
	Class string
}

// A Property is one named value of a Feature.
type Property struct {
	Name  string
	Value any
}

// A Legend is the colour key of a map.
type Legend struct {
	Title   string
	Classes []Class  // in the order they are listed
	Notes   []string // lines under the title, e.g. what a feature is
}

// A Class is one legend entry: features whose Class equals Key are drawn in
// Color and described by Label.
type Class struct {
	Key   string
	Label string
	Color color.NRGBA
	// Group heads a run of classes in the SVG and PNG legend, e.g. "Hot
	// spot trends"; "" for none.
	Group string
	// Rank decides which class a display block shows when cells too small
	// to draw are merged: the highest.
	Rank int
}

// A BoundaryLayer is a set of named areas, such as LSOAs or wards, drawn as
// grey lines for orientation.
type BoundaryLayer struct {
	Name   string // shown in the legend, e.g. "LSOA boundaries"
	Areas  []Area
	Labels bool // print the areas' names where they fit
	// Major layers, such as districts, are drawn darker and always; other
	// layers are left out, saying so, when their areas would be too small
	// to read at the map's scale.
	Major bool
}

// A Place is a name printed at a point given in British National Grid
// metres.
type Place struct {
	Name string
	At   orb.Point
}

// An Area is one boundary polygon.
type Area struct {
	Name     string
	Geometry orb.Geometry // orb.Polygon or orb.MultiPolygon in British National Grid metres
}

// A CRS selects the coordinate reference system of a GeoJSON or CSV file.
type CRS int

const (
	// WGS84 is longitude and latitude in degrees (EPSG:4326), as RFC 7946
	// GeoJSON requires.
	WGS84 CRS = 4326
	// BNG is British National Grid eastings and northings in metres
	// (EPSG:27700).
	BNG CRS = 27700
)

// String returns the EPSG code, e.g. "EPSG:27700".
func (c CRS) String() string {
	return "EPSG:" + strconv.Itoa(int(c))
}

// OGLAttribution is the statement the Open Government Licence v3.0 asks for;
// police.uk data is published under it.
const OGLAttribution = "Contains public sector information licensed under the Open Government Licence v3.0"

// wgs84Decimals is the number of decimal places kept in WGS 84 output: 1e-7
// degrees is about 1 cm, far finer than a grid cell, and RFC 7946 advises
// against spurious precision.
const wgs84Decimals = 7

// outputProjection returns the projection from British National Grid to crs,
// rounding WGS 84 coordinates to wgs84Decimals. It returns nil for BNG, whose
// coordinates are written as given.
func outputProjection(crs CRS, toWGS84 orb.Projection) (orb.Projection, error) {
	switch crs {
	case BNG:
		return nil, nil
	case WGS84:
		if toWGS84 == nil {
			return nil, errors.New("maps: WGS 84 output needs a projection from British National Grid")
		}
		scale := math.Pow10(wgs84Decimals)
		return func(p orb.Point) orb.Point {
			q := toWGS84(p)
			return orb.Point{math.Round(q[0]*scale) / scale, math.Round(q[1]*scale) / scale}
		}, nil
	}
	return nil, fmt.Errorf("maps: unsupported CRS %v", crs)
}

// rightHandPolygons returns a copy of g as a MultiPolygon with every point
// passed through proj (when not nil), every ring closed, exterior rings
// counter-clockwise and holes clockwise: the right-hand rule of RFC 7946,
// which KML and most renderers also expect.
func rightHandPolygons(g orb.Geometry, proj orb.Projection) (orb.MultiPolygon, error) {
	var in orb.MultiPolygon
	switch g := g.(type) {
	case orb.Polygon:
		in = orb.MultiPolygon{g}
	case orb.MultiPolygon:
		in = g
	default:
		return nil, fmt.Errorf("geometry is %T, want orb.Polygon or orb.MultiPolygon", g)
	}
	if len(in) == 0 {
		return nil, errors.New("empty multipolygon")
	}
	out := make(orb.MultiPolygon, len(in))
	for i, poly := range in {
		if len(poly) == 0 {
			return nil, fmt.Errorf("polygon %d has no rings", i)
		}
		out[i] = make(orb.Polygon, len(poly))
		for j, ring := range poly {
			r, err := closedRing(ring, proj)
			if err != nil {
				return nil, fmt.Errorf("polygon %d ring %d: %w", i, j, err)
			}
			want := orb.CCW
			if j > 0 {
				want = orb.CW
			}
			switch r.Orientation() {
			case 0:
				return nil, fmt.Errorf("polygon %d ring %d has no area", i, j)
			case want:
			default:
				r.Reverse()
			}
			out[i][j] = r
		}
	}
	return out, nil
}

// closedRing returns a projected copy of r whose last point repeats its first.
func closedRing(r orb.Ring, proj orb.Projection) (orb.Ring, error) {
	out := make(orb.Ring, 0, len(r)+1)
	for _, p := range r {
		if proj != nil {
			p = proj(p)
		}
		if !isFinite(p[0]) || !isFinite(p[1]) {
			return nil, fmt.Errorf("point %v is not finite", p)
		}
		out = append(out, p)
	}
	if len(out) == 1 || len(out) > 1 && out[0] != out[len(out)-1] {
		out = append(out, out[0])
	}
	if len(out) < 4 {
		return nil, fmt.Errorf("ring has %d corners, want at least 3", max(len(out)-1, 0))
	}
	return out, nil
}

func isFinite(v float64) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0)
}

// checkProperties reports a property without a name, a name used twice, or a
// value of a type the writers cannot represent.
func checkProperties(props []Property) error {
	seen := make(map[string]bool, len(props))
	for _, p := range props {
		if p.Name == "" {
			return errors.New("property with empty name")
		}
		if seen[p.Name] {
			return fmt.Errorf("property %q appears twice", p.Name)
		}
		seen[p.Name] = true
		switch p.Value.(type) {
		case nil, string, bool, int, int64, float64:
		default:
			return fmt.Errorf("property %q has unsupported type %T", p.Name, p.Value)
		}
	}
	return nil
}

// lookup returns the value of the property called name.
func (f *Feature) lookup(name string) (any, bool) {
	for _, p := range f.Properties {
		if p.Name == name {
			return p.Value, true
		}
	}
	return nil, false
}

// gridRef returns the cell's grid reference, or "" when it has none.
func (f *Feature) gridRef() string {
	v, _ := f.lookup("grid_ref")
	s, _ := formatValue(v)
	return s
}

// featureError wraps err with the feature's position and grid reference so
// that a planner can find the offending cell.
func featureError(i int, f *Feature, err error) error {
	if ref := f.gridRef(); ref != "" {
		return fmt.Errorf("maps: feature %d (%s): %w", i, ref, err)
	}
	return fmt.Errorf("maps: feature %d: %w", i, err)
}

// featurePolygons checks every feature's properties and returns its geometry
// through rightHandPolygons.
func featurePolygons(m *Map, proj orb.Projection) ([]orb.MultiPolygon, error) {
	out := make([]orb.MultiPolygon, len(m.Features))
	for i := range m.Features {
		f := &m.Features[i]
		if err := checkProperties(f.Properties); err != nil {
			return nil, featureError(i, f, err)
		}
		mp, err := rightHandPolygons(f.Geometry, proj)
		if err != nil {
			return nil, featureError(i, f, err)
		}
		out[i] = mp
	}
	return out, nil
}

// featureClasses returns, for each feature, the index of its class in the
// legend.
func featureClasses(m *Map) ([]int, error) {
	index := make(map[string]int, len(m.Legend.Classes))
	for i, c := range m.Legend.Classes {
		if _, dup := index[c.Key]; dup {
			return nil, fmt.Errorf("maps: legend class %q appears twice", c.Key)
		}
		index[c.Key] = i
	}
	out := make([]int, len(m.Features))
	for i := range m.Features {
		f := &m.Features[i]
		c, ok := index[f.Class]
		if !ok {
			return nil, featureError(i, f, fmt.Errorf("class %q is not in the legend", f.Class))
		}
		out[i] = c
	}
	return out, nil
}

// formatValue returns a property value as text for KML and CSV. It reports
// false for nil and for floats JSON cannot hold, which are written empty.
func formatValue(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case bool:
		return strconv.FormatBool(v), true
	case int:
		return strconv.Itoa(v), true
	case int64:
		return strconv.FormatInt(v, 10), true
	case float64:
		if !isFinite(v) {
			return "", false
		}
		return formatFloat(v), true
	}
	return "", false
}

// formatFloat formats v as encoding/json does, so that the same value reads
// the same in every output: plain decimals, exponent only when very small or
// very large.
func formatFloat(v float64) string {
	if a := math.Abs(v); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// describe returns the line under a map's title, e.g.
// "Profile: nte · October 2024".
func describe(m *Map) (string, error) {
	var s string
	if m.Profile != "" {
		s = "Profile: " + m.Profile
	}
	if m.Month != "" {
		t, err := time.Parse("2006-01", m.Month)
		if err != nil {
			return "", fmt.Errorf("maps: month %q is not YYYY-MM", m.Month)
		}
		if s != "" {
			s += " · "
		}
		s += t.Format("January 2006")
	}
	return s, nil
}
