package maps

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
)

type kmlDocument struct {
	XMLName  xml.Name `xml:"http://www.opengis.net/kml/2.2 kml"`
	Document struct {
		Name   string `xml:"name"`
		Schema struct {
			ID     string `xml:"id,attr"`
			Fields []struct {
				Name string `xml:"name,attr"`
				Type string `xml:"type,attr"`
			} `xml:"SimpleField"`
		} `xml:"Schema"`
		Styles []struct {
			ID        string `xml:"id,attr"`
			LineColor string `xml:"LineStyle>color"`
			PolyColor string `xml:"PolyStyle>color"`
		} `xml:"Style"`
		Folder struct {
			Name       string `xml:"name"`
			Placemarks []struct {
				Name        string `xml:"name"`
				Description string `xml:"description"`
				StyleURL    string `xml:"styleUrl"`
				SchemaData  struct {
					URL  string `xml:"schemaUrl,attr"`
					Data []struct {
						Name  string `xml:"name,attr"`
						Value string `xml:",chardata"`
					} `xml:"SimpleData"`
				} `xml:"ExtendedData>SchemaData"`
				Polygons []kmlPolygon `xml:"Polygon"`
				Multi    []kmlPolygon `xml:"MultiGeometry>Polygon"`
			} `xml:"Placemark"`
		} `xml:"Folder"`
	} `xml:"Document"`
}

type kmlPolygon struct {
	Outer string   `xml:"outerBoundaryIs>LinearRing>coordinates"`
	Inner []string `xml:"innerBoundaryIs>LinearRing>coordinates"`
}

func TestWriteKML(t *testing.T) {
	m := testMap()
	var buf bytes.Buffer
	if err := WriteKML(&buf, m, fakeWGS84); err != nil {
		t.Fatal(err)
	}
	var doc kmlDocument
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("KML does not parse: %v\n%s", err, buf.Bytes())
	}
	if doc.Document.Name != m.Title {
		t.Errorf("document name %q, want %q", doc.Document.Name, m.Title)
	}
	if len(doc.Document.Styles) != 7 {
		t.Fatalf("%d styles, want one per Gi* bin", len(doc.Document.Styles))
	}
	// Hot spot 99% is #b2182b; KML wants alpha, blue, green, red.
	if s := doc.Document.Styles[0]; s.ID != "class-0" || s.PolyColor != "bf2b18b2" || s.LineColor != "ff2b18b2" {
		t.Errorf("hot spot style %+v, want class-0 with fill bf2b18b2 and line ff2b18b2", s)
	}
	pms := doc.Document.Folder.Placemarks
	if len(pms) != len(m.Features) {
		t.Fatalf("%d placemarks, want %d", len(pms), len(m.Features))
	}
	wantNames := []string{"TQ 290 810", "TQ 291 810", "TQ 293 810"}
	wantStyles := []string{"#class-0", "#class-3", "#class-6"}
	wantShape := [][2]int{{1, 0}, {1, 0}, {0, 2}} // plain polygons, polygons in a MultiGeometry
	for i, pm := range pms {
		if pm.Name != wantNames[i] || pm.StyleURL != wantStyles[i] {
			t.Errorf("placemark %d: name %q style %q, want %q %q", i, pm.Name, pm.StyleURL, wantNames[i], wantStyles[i])
		}
		nonNull := 0
		for _, p := range m.Features[i].Properties {
			if _, ok := formatValue(p.Value); ok {
				nonNull++
			}
		}
		if len(pm.SchemaData.Data) != nonNull || pm.SchemaData.URL != "#"+doc.Document.Schema.ID {
			t.Errorf("placemark %d: %d data of schema %q, want %d of #%s", i, len(pm.SchemaData.Data), pm.SchemaData.URL, nonNull, doc.Document.Schema.ID)
		}
		if len(pm.Polygons) != wantShape[i][0] || len(pm.Multi) != wantShape[i][1] {
			t.Errorf("placemark %d: %d polygons and %d in MultiGeometry, want %v", i, len(pm.Polygons), len(pm.Multi), wantShape[i])
		}
		for _, poly := range append(pm.Polygons, pm.Multi...) {
			if n := len(strings.Fields(poly.Outer)); n != 5 {
				t.Errorf("placemark %d: outer ring has %d positions, want 5", i, n)
			}
		}
	}
	if got := pms[1].Polygons[0].Inner; len(got) != 1 {
		t.Errorf("placemark 1 has %d inner rings, want 1", len(got))
	}
	if got := pms[0].Description; got != "Hot spot - 99% confidence" {
		t.Errorf("placemark 0 description %q, want its class label", got)
	}
	data := map[string]string{}
	for _, d := range pms[0].SchemaData.Data {
		data[d.Name] = d.Value
	}
	for k, want := range map[string]string{"count": "14", "z": "3.1", "trend": "new hot spot", "kde": "", "rank": "1"} {
		if data[k] != want {
			t.Errorf("placemark 0 data %s = %q, want %q", k, data[k], want)
		}
	}
	types := map[string]string{}
	for _, f := range doc.Document.Schema.Fields {
		types[f.Name] = f.Type
	}
	for k, want := range map[string]string{"count": "int", "z": "double", "bin": "int", "trend": "string", "night": "bool", "kde": "double"} {
		if types[k] != want {
			t.Errorf("schema field %s has type %q, want %q", k, types[k], want)
		}
	}
}
