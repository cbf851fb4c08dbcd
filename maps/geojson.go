package maps

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/paulmach/orb"
)

// WriteGeoJSON writes the features of m as a GeoJSON FeatureCollection, one
// feature per line, with properties in order and of their own JSON types.
// The collection's "name" member is the map title, which QGIS and GDAL use
// as the layer name. Boundaries are not written.
//
// With crs WGS84 the file follows RFC 7946: longitude and latitude from
// toWGS84, rounded to 7 decimal places, exterior rings counter-clockwise and
// holes clockwise, and no "crs" member.
//
// With crs BNG the coordinates are British National Grid metres as given,
// with the same ring orientation, and the collection carries the GeoJSON 2008
// member "crs": {"type": "name", "properties": {"name":
// "urn:ogc:def:crs:EPSG::27700"}}, which QGIS, ArcGIS and GDAL read to place
// the layer. toWGS84 is then unused and may be nil.
func WriteGeoJSON(w io.Writer, m *Map, crs CRS, toWGS84 orb.Projection) error {
	proj, err := outputProjection(crs, toWGS84)
	if err != nil {
		return err
	}
	polys, err := featurePolygons(m, proj)
	if err != nil {
		return err
	}

	bw := bufio.NewWriter(w)
	bw.WriteString(`{"type":"FeatureCollection"`)
	if m.Title != "" {
		name, err := marshalJSON(m.Title)
		if err != nil {
			return fmt.Errorf("maps: title: %w", err)
		}
		bw.WriteString(`,"name":`)
		bw.Write(name)
	}
	if crs == BNG {
		bw.WriteString(`,"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}}`)
	}
	bw.WriteString(`,"features":[`)
	for i := range m.Features {
		b, err := marshalFeature(polys[i], m.Features[i].Properties)
		if err != nil {
			return featureError(i, &m.Features[i], err)
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n")
		bw.Write(b)
	}
	bw.WriteString("\n]}\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("maps: writing GeoJSON: %w", err)
	}
	return nil
}

type geoJSONFeature struct {
	Type       string         `json:"type"`
	Geometry   geoJSONPolygon `json:"geometry"`
	Properties jsonProperties `json:"properties"`
}

type geoJSONPolygon struct {
	Type        string `json:"type"`
	Coordinates any    `json:"coordinates"` // orb.Polygon or orb.MultiPolygon: nested [x, y] arrays
}

func marshalFeature(mp orb.MultiPolygon, props []Property) ([]byte, error) {
	g := geoJSONPolygon{Type: "MultiPolygon", Coordinates: mp}
	if len(mp) == 1 {
		g = geoJSONPolygon{Type: "Polygon", Coordinates: mp[0]}
	}
	return marshalJSON(geoJSONFeature{Type: "Feature", Geometry: g, Properties: props})
}

// jsonProperties marshals as a JSON object that keeps the properties' order,
// which a Go map would lose.
type jsonProperties []Property

func (ps jsonProperties) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := marshalJSON(p.Name)
		if err != nil {
			return nil, err
		}
		v := p.Value
		if f, ok := v.(float64); ok {
			b.Write(k)
			b.WriteByte(':')
			b.WriteString(jsonFloat(f))
			continue
		}
		val, err := marshalJSON(v)
		if err != nil {
			return nil, fmt.Errorf("property %q: %w", p.Name, err)
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(val)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// jsonFloat writes a float property so that it reads as a float: with a
// decimal point even when whole ("3.0", not "3"), so that GDAL and QGIS type
// a column of whole measures as Real rather than Integer, and null when it
// is NaN or infinite, which JSON cannot hold.
func jsonFloat(f float64) string {
	if !isFinite(f) {
		return "null"
	}
	s := formatFloat(f)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// marshalJSON is json.Marshal without escaping <, > and &, which would make
// names such as "Bars & clubs" unreadable to anyone looking at the file.
func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
