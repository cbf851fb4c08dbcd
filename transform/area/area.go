// Package area loads layers of areas (LSOAs, wards, boroughs, …) from
// GeoJSON and finds the area that contains a point.
//
// Layers are held in British National Grid metres (EPSG:27700) whatever the
// file's coordinates were, so that points, grid cells and areas share one
// planar coordinate system.
//
// # Boundaries
//
// A point on the boundary between two areas of a layer is located in exactly
// one of them: the one containing the points immediately east of it, or,
// where the boundary runs exactly east–west, the one to its north. The same
// holds at vertices, so areas that tile a region partition it with no point
// counted twice or lost. On the outside edge of a layer the rule keeps
// points on western and southern edges and loses those on eastern and
// northern ones. This is the rule of the crossing-number test that counts an
// edge when the point is strictly west of it, at or above its lower end and
// below its upper end; it is decided the same way, bit for bit, for both
// areas that share an edge.
package area

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/paulmach/orb"

	"github.com/safercity/safercity/bng"
)

// CRS is a coordinate reference system that a layer file can be in.
type CRS int

// The coordinate reference systems Load understands.
const (
	WGS84 CRS = iota + 1 // EPSG:4326, longitude and latitude in degrees
	BNG                  // EPSG:27700, British National Grid easting and northing in metres
)

func (c CRS) String() string {
	switch c {
	case WGS84:
		return "EPSG:4326"
	case BNG:
		return "EPSG:27700"
	}
	return fmt.Sprintf("CRS(%d)", int(c))
}

// Feature is one area of a layer.
type Feature struct {
	Code     string
	Name     string
	Geometry orb.MultiPolygon // British National Grid metres
	Bound    orb.Bound
}

// Layer is a set of areas with an index for locating points. It is safe for
// concurrent use.
type Layer struct {
	features []Feature
	crs      CRS
	index    bucketIndex
}

// LoadFile loads the GeoJSON FeatureCollection in the named file; see Load.
func LoadFile(name, codeProp, nameProp string) (*Layer, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("area: %w", err)
	}
	defer f.Close()
	l, err := load(f, codeProp, nameProp)
	if err != nil {
		return nil, fmt.Errorf("area: %s: %w", name, err)
	}
	return l, nil
}

// Load reads a GeoJSON FeatureCollection of Polygon and MultiPolygon
// features. Each feature's code is its property codeProp, which must be
// present, and its name the property nameProp, which may be absent ("" to
// ignore names); string and number values are accepted.
//
// The coordinates may be WGS 84 longitude/latitude, as RFC 7946 requires, or
// British National Grid metres. A legacy "crs" member naming EPSG:4326,
// CRS84 or EPSG:27700 says which; without one, the magnitude of the
// coordinates decides. WGS 84 coordinates are projected to the British
// National Grid, and must lie in and around Great Britain, which also catches
// files with latitude and longitude swapped.
func Load(r io.Reader, codeProp, nameProp string) (*Layer, error) {
	l, err := load(r, codeProp, nameProp)
	if err != nil {
		return nil, fmt.Errorf("area: %w", err)
	}
	return l, nil
}

// featureCollection is the part of a GeoJSON FeatureCollection that load
// reads.
type featureCollection struct {
	Type string `json:"type"`
	CRS  *struct {
		Properties struct {
			Name string `json:"name"`
		} `json:"properties"`
	} `json:"crs"`
	Features []geoJSONFeature `json:"features"`
}

type geoJSONFeature struct {
	Properties map[string]json.RawMessage `json:"properties"`
	Geometry   *struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geometry"`
}

func load(r io.Reader, codeProp, nameProp string) (*Layer, error) {
	fc, err := decodeFeatureCollection(r)
	if err != nil {
		return nil, err
	}
	l := &Layer{features: make([]Feature, len(fc.Features))}
	var all orb.Bound
	for i, f := range fc.Features {
		ft := &l.features[i]
		if err := parseFeature(ft, f, codeProp, nameProp); err != nil {
			return nil, fmt.Errorf("feature %d%s: %w", i, codeSuffix(ft.Code), err)
		}
		b := ft.Geometry.Bound()
		if i == 0 {
			all = b
		} else {
			all = all.Union(b)
		}
	}
	if l.crs, err = layerCRS(fc, all); err != nil {
		return nil, err
	}
	for i := range l.features {
		ft := &l.features[i]
		if l.crs == WGS84 {
			projectToBNG(ft.Geometry)
		}
		ft.Bound = ft.Geometry.Bound()
	}
	l.index = newBucketIndex(l.features)
	return l, nil
}

// decodeFeatureCollection decodes r and checks that it is a FeatureCollection
// with at least one feature.
func decodeFeatureCollection(r io.Reader) (*featureCollection, error) {
	var fc featureCollection
	if err := json.NewDecoder(r).Decode(&fc); err != nil {
		return nil, fmt.Errorf("decode GeoJSON: %w", err)
	}
	if fc.Type != "FeatureCollection" {
		return nil, fmt.Errorf("GeoJSON type %q, want FeatureCollection", fc.Type)
	}
	if len(fc.Features) == 0 {
		return nil, fmt.Errorf("FeatureCollection has no features")
	}
	return &fc, nil
}

// codeSuffix is how an error names a feature once its code is known.
func codeSuffix(code string) string {
	if code == "" {
		return ""
	}
	return " (" + code + ")"
}

// parseFeature fills ft's code, name and geometry (still in the file's
// coordinates) from f. An error names no feature: the caller does.
func parseFeature(ft *Feature, f geoJSONFeature, codeProp, nameProp string) error {
	var err error
	if ft.Code, err = stringProperty(f.Properties, codeProp); err != nil {
		return err
	}
	if ft.Code == "" {
		return fmt.Errorf("no code in property %q", codeProp)
	}
	if nameProp != "" {
		if ft.Name, err = stringProperty(f.Properties, nameProp); err != nil {
			return err
		}
	}
	if f.Geometry == nil {
		return fmt.Errorf("no geometry")
	}
	switch f.Geometry.Type {
	case "Polygon":
		var p orb.Polygon
		err = json.Unmarshal(f.Geometry.Coordinates, &p)
		ft.Geometry = orb.MultiPolygon{p}
	case "MultiPolygon":
		err = json.Unmarshal(f.Geometry.Coordinates, &ft.Geometry)
	default:
		err = fmt.Errorf("geometry type %q, want Polygon or MultiPolygon", f.Geometry.Type)
	}
	if err != nil {
		return err
	}
	return checkRings(ft.Geometry)
}

// layerCRS is the coordinate system of a layer whose coordinates span all:
// the one the file declares, checked against the coordinates, or the one the
// coordinates' magnitude says.
func layerCRS(fc *featureCollection, all orb.Bound) (CRS, error) {
	var declared CRS
	if fc.CRS != nil {
		var err error
		if declared, err = parseCRSName(fc.CRS.Properties.Name); err != nil {
			return 0, err
		}
	}
	return detectCRS(all, declared)
}

// projectToBNG projects g's WGS 84 longitude/latitude to British National
// Grid metres in place.
func projectToBNG(g orb.MultiPolygon) {
	for _, p := range g {
		for _, r := range p {
			for j, pt := range r {
				r[j][0], r[j][1] = bng.ToBNG(pt[0], pt[1])
			}
		}
	}
}

// stringProperty returns a string or number property as text, and "" for a
// missing or null one.
func stringProperty(props map[string]json.RawMessage, key string) (string, error) {
	raw, ok := props[key]
	if !ok || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String(), nil
	}
	return "", fmt.Errorf("property %q is %s, want a string or number", key, raw)
}

// checkRings rejects polygons that the containment test cannot use. Rings
// need not be closed or oriented either way: the test does not depend on it.
func checkRings(mp orb.MultiPolygon) error {
	if len(mp) == 0 {
		return fmt.Errorf("empty geometry")
	}
	for _, p := range mp {
		if len(p) == 0 {
			return fmt.Errorf("polygon with no rings")
		}
		for _, r := range p {
			if len(r) < 3 {
				return fmt.Errorf("ring of %d positions, want at least 3", len(r))
			}
		}
	}
	return nil
}

func parseCRSName(name string) (CRS, error) {
	switch {
	case strings.HasSuffix(name, "27700"):
		return BNG, nil
	case strings.HasSuffix(name, "4326"), strings.HasSuffix(name, "CRS84"):
		return WGS84, nil
	}
	return 0, fmt.Errorf("crs %q: want EPSG:4326, CRS84 or EPSG:27700", name)
}

// Coordinate ranges for telling the systems apart. WGS 84 layers must lie in
// and around Great Britain to be projected meaningfully; the British National
// Grid range is the grid itself with a margin for offshore areas.
var (
	gbLonLat = orb.Bound{Min: orb.Point{-11, 48}, Max: orb.Point{4, 62}}
	bngRange = orb.Bound{Min: orb.Point{-100000, -100000}, Max: orb.Point{800000, 1400000}}
	degrees  = orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}
)

// detectCRS decides a layer's CRS from the bound of its coordinates and the
// CRS its file declared, if any (0 if none).
func detectCRS(b orb.Bound, declared CRS) (CRS, error) {
	crs := declared
	if crs == 0 {
		switch {
		case contains(degrees, b):
			crs = WGS84
		case contains(bngRange, b):
			crs = BNG
		default:
			return 0, fmt.Errorf("coordinates span %v: neither WGS 84 degrees nor British National Grid metres", b)
		}
	}
	switch {
	case crs == WGS84 && !contains(gbLonLat, b):
		return 0, fmt.Errorf("coordinates in WGS 84 span %v, beyond Great Britain (longitude %v…%v, latitude %v…%v): check that longitude and latitude are not swapped",
			b, gbLonLat.Min[0], gbLonLat.Max[0], gbLonLat.Min[1], gbLonLat.Max[1])
	case crs == BNG && (!contains(bngRange, b) || contains(degrees, b)):
		return 0, fmt.Errorf("coordinates in British National Grid span %v: not metres on the national grid", b)
	}
	return crs, nil
}

func contains(outer, inner orb.Bound) bool {
	return outer.Contains(inner.Min) && outer.Contains(inner.Max)
}

// SourceCRS returns the coordinate reference system of the file the layer
// was loaded from.
func (l *Layer) SourceCRS() CRS { return l.crs }

// Features returns the layer's features in file order. The slice and the
// geometries are the layer's own and must not be modified.
func (l *Layer) Features() []Feature { return l.features }

// Locate returns the feature containing p, in British National Grid metres,
// and true, or false if p is in no feature. Points on a boundary follow the
// rule in the package documentation. If features overlap, the first in file
// order wins.
func (l *Layer) Locate(p orb.Point) (Feature, bool) {
	for _, i := range l.index.candidates(p) {
		f := &l.features[i]
		if f.Bound.Min[0] <= p[0] && p[0] <= f.Bound.Max[0] &&
			f.Bound.Min[1] <= p[1] && p[1] <= f.Bound.Max[1] &&
			multiPolygonContains(f.Geometry, p) {
			return *f, true
		}
	}
	return Feature{}, false
}

// multiPolygonContains reports whether p is in mp under the package's
// boundary rule.
func multiPolygonContains(mp orb.MultiPolygon, p orb.Point) bool {
	for _, poly := range mp {
		if polygonContains(poly, p) {
			return true
		}
	}
	return false
}

// polygonContains counts the polygon's edges, holes' included, that a ray
// from p due east crosses; p is inside if the count is odd.
func polygonContains(poly orb.Polygon, p orb.Point) bool {
	in := false
	for _, r := range poly {
		a := r[len(r)-1]
		for _, b := range r {
			// Order the edge upwards so that both polygons sharing it make
			// the same floating-point decision.
			lo, hi := a, b
			if lo[1] > hi[1] {
				lo, hi = hi, lo
			}
			// Count the edge if p is at or above its lower end, below its upper
			// end (which skips east–west edges) and strictly to its left.
			if lo[1] <= p[1] && p[1] < hi[1] &&
				(hi[0]-lo[0])*(p[1]-lo[1]) > (hi[1]-lo[1])*(p[0]-lo[0]) {
				in = !in
			}
			a = b
		}
	}
	return in
}

// bucketIndex is a uniform grid of buckets over a layer, each listing the
// features whose bounds overlap it, in file order. For layers of areas of
// broadly similar size, as administrative and census layers are, a point's
// bucket holds a handful of candidates, found in constant time.
type bucketIndex struct {
	bound      orb.Bound
	inv        float64 // buckets per metre
	cols, rows int
	start      []int32 // features of bucket k are items[start[k]:start[k+1]]
	items      []int32
}

// bucketsPerFeature sets the bucket size. Lookups on the London LSOA layer
// are equally fast from 1 to 8 buckets per feature, the time going on the
// containment tests; 4 keeps candidate lists short where areas are small.
const bucketsPerFeature = 4

func newBucketIndex(features []Feature) bucketIndex {
	b := features[0].Bound
	for _, f := range features[1:] {
		b = b.Union(f.Bound)
	}
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	size := math.Sqrt(w * h / float64(bucketsPerFeature*len(features)))
	if !(size > 0) {
		size = math.Max(math.Max(w, h), 1)
	}
	x := bucketIndex{bound: b, inv: 1 / size}
	x.cols, x.rows = int(w*x.inv)+1, int(h*x.inv)+1

	x.start = make([]int32, x.cols*x.rows+1)
	each := func(f *Feature, fn func(k int)) {
		c0, r0 := x.bucket(f.Bound.Min)
		c1, r1 := x.bucket(f.Bound.Max)
		for r := r0; r <= r1; r++ {
			for c := c0; c <= c1; c++ {
				fn(r*x.cols + c)
			}
		}
	}
	for i := range features {
		each(&features[i], func(k int) { x.start[k+1]++ })
	}
	for k := 1; k < len(x.start); k++ {
		x.start[k] += x.start[k-1]
	}
	x.items = make([]int32, x.start[len(x.start)-1])
	next := append([]int32(nil), x.start[:len(x.start)-1]...)
	for i := range features {
		each(&features[i], func(k int) {
			x.items[next[k]] = int32(i)
			next[k]++
		})
	}
	return x
}

// bucket returns the column and row of the bucket holding p, which must be
// within the index's bound.
func (x *bucketIndex) bucket(p orb.Point) (col, row int) {
	col = min(int((p[0]-x.bound.Min[0])*x.inv), x.cols-1)
	row = min(int((p[1]-x.bound.Min[1])*x.inv), x.rows-1)
	return col, row
}

// candidates returns the features whose bounds may contain p.
func (x *bucketIndex) candidates(p orb.Point) []int32 {
	if !(x.bound.Min[0] <= p[0] && p[0] <= x.bound.Max[0] && x.bound.Min[1] <= p[1] && p[1] <= x.bound.Max[1]) {
		return nil
	}
	c, r := x.bucket(p)
	k := r*x.cols + c
	return x.items[x.start[k]:x.start[k+1]]
}

// LADFromLSOAName returns the local authority district named in a police.uk
// or ONS LSOA name, "<local authority> <3 digits><capital letter>": "Camden"
// for "Camden 024C", "City of London" for "City of London 001A". It returns
// "" for an empty or malformed name.
func LADFromLSOAName(name string) string {
	name = strings.TrimSpace(name)
	i := strings.LastIndexByte(name, ' ')
	if i < 0 {
		return ""
	}
	code := name[i+1:]
	if len(code) != 4 || !isDigit(code[0]) || !isDigit(code[1]) || !isDigit(code[2]) || code[3] < 'A' || code[3] > 'Z' {
		return ""
	}
	return strings.TrimSpace(name[:i])
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
