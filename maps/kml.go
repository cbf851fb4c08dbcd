package maps

import (
	"fmt"
	"image/color"
	"io"
	"strings"

	"github.com/paulmach/orb"
)

// kmlFillAlpha lets imagery show through the cells in Google Earth.
const kmlFillAlpha = 0xbf

// WriteKML writes m as a KML 2.2 document in WGS 84, for Google Earth and
// other KML readers: one style per legend class (fill at 75% opacity, outline
// opaque), and one Placemark per feature named by its grid_ref property,
// described by its class label, with its properties as ExtendedData and its
// polygon from toWGS84, rounded to 7 decimal places. The properties are
// typed SchemaData (int, double, bool, string) declared by one Schema;
// NaN and nil values are left out. Boundaries are not written.
func WriteKML(w io.Writer, m *Map, toWGS84 orb.Projection) error {
	proj, err := outputProjection(WGS84, toWGS84)
	if err != nil {
		return err
	}
	classes, err := featureClasses(m)
	if err != nil {
		return err
	}
	polys, err := featurePolygons(m, proj)
	if err != nil {
		return err
	}
	context, err := describe(m)
	if err != nil {
		return err
	}
	header, _, types, err := csvColumns(m)
	if err != nil {
		return err
	}
	header, types = header[:len(header)-1], types[:len(types)-1] // no WKT

	x := newXMLWriter(w)
	x.raw(xmlHeader)
	x.raw(`<kml xmlns="http://www.opengis.net/kml/2.2">` + "\n<Document>\n")
	x.raw("<name>")
	x.text(m.Title)
	x.raw("</name>\n<description>")
	x.text(strings.Join(nonEmpty(context, m.Subtitle, OGLAttribution+"."), "\n"))
	for _, a := range m.Attribution {
		x.text("\n" + a)
	}
	x.raw("</description>\n")
	for i, c := range m.Legend.Classes {
		x.printf(`<Style id="class-%d"><LineStyle><color>%s</color><width>1</width></LineStyle>`+
			`<PolyStyle><color>%s</color></PolyStyle></Style>`+"\n",
			i, kmlColor(c.Color, 0xff), kmlColor(c.Color, kmlFillAlpha))
	}
	writeKMLSchema(x, header, types)
	x.raw("<Folder>\n<name>")
	x.text(m.Legend.Title)
	x.raw("</name>\n")
	for i := range m.Features {
		writeKMLPlacemark(x, &m.Features[i], classes[i], m.Legend.Classes[classes[i]].Label, polys[i])
	}
	x.raw("</Folder>\n</Document>\n</kml>\n")
	if err := x.flush(); err != nil {
		return fmt.Errorf("maps: writing KML: %w", err)
	}
	return nil
}

// writeKMLPlacemark writes one feature, styled by its legend class.
func writeKMLPlacemark(x *xmlWriter, f *Feature, class int, label string, mp orb.MultiPolygon) {
	x.raw("<Placemark>")
	if ref := f.gridRef(); ref != "" {
		x.raw("<name>")
		x.text(ref)
		x.raw("</name>")
	}
	x.raw("<description>")
	x.text(label)
	x.printf("</description><styleUrl>#class-%d</styleUrl>\n", class)
	if len(f.Properties) > 0 {
		x.raw(`<ExtendedData><SchemaData schemaUrl="#` + kmlSchemaID + `">`)
		for _, p := range f.Properties {
			v, ok := formatValue(p.Value)
			if !ok {
				continue // null: a typed reader would choke on ""
			}
			x.raw(`<SimpleData name="`)
			x.text(p.Name)
			x.raw(`">`)
			x.text(v)
			x.raw("</SimpleData>")
		}
		x.raw("</SchemaData></ExtendedData>\n")
	}
	writeKMLPolygons(x, mp)
	x.raw("</Placemark>\n")
}

// kmlSchemaID names the Schema that types the placemarks' data.
const kmlSchemaID = "attributes"

// writeKMLSchema declares each property's KML type, so that Google Earth,
// GDAL and QGIS read count, z and bin as numbers.
func writeKMLSchema(x *xmlWriter, names, gdalTypes []string) {
	if len(names) == 0 {
		return
	}
	x.raw(`<Schema name="` + kmlSchemaID + `" id="` + kmlSchemaID + `">`)
	for i, n := range names {
		t := "string"
		switch gdalTypes[i] {
		case "Integer64":
			t = "int"
		case "Real":
			t = "double"
		case "Integer(Boolean)":
			t = "bool"
		}
		x.raw(`<SimpleField name="`)
		x.text(n)
		x.printf(`" type="%s"/>`, t)
	}
	x.raw("</Schema>\n")
}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

func writeKMLPolygons(x *xmlWriter, mp orb.MultiPolygon) {
	if len(mp) > 1 {
		x.raw("<MultiGeometry>")
	}
	for _, poly := range mp {
		x.raw("<Polygon>")
		for j, ring := range poly {
			boundary := "innerBoundaryIs"
			if j == 0 {
				boundary = "outerBoundaryIs"
			}
			x.printf("<%s><LinearRing><coordinates>", boundary)
			for k, p := range ring {
				if k > 0 {
					x.raw(" ")
				}
				x.raw(formatFloat(p[0]) + "," + formatFloat(p[1]))
			}
			x.printf("</coordinates></LinearRing></%s>", boundary)
		}
		x.raw("</Polygon>")
	}
	if len(mp) > 1 {
		x.raw("</MultiGeometry>")
	}
	x.raw("\n")
}

// kmlColor formats c with alpha a in KML's aabbggrr order.
func kmlColor(c color.NRGBA, a uint8) string {
	return fmt.Sprintf("%02x%02x%02x%02x", a, c.B, c.G, c.R)
}

// nonEmpty returns the strings in ss that are not empty.
func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
