package maps

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image/color"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// svgElement is a <path> or <text> of an SVG map with the id of its group.
type svgElement struct {
	group, name string
	attrs       map[string]string
	text        string // character data; a path's is its <title>
}

// readSVG parses an SVG map with encoding/xml, failing the test if it is not
// well-formed, and returns its root attributes and its paths and texts.
func readSVG(t *testing.T, b []byte) (map[string]string, []svgElement) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	var root map[string]string
	var out []svgElement
	var groups []string
	var cur *svgElement
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			attrs := map[string]string{}
			for _, a := range tok.Attr {
				attrs[a.Name.Local] = a.Value
			}
			switch tok.Name.Local {
			case "svg":
				root = attrs
			case "g":
				groups = append(groups, attrs["id"])
			case "path", "text":
				group := ""
				if len(groups) > 0 {
					group = groups[len(groups)-1]
				}
				out = append(out, svgElement{group: group, name: tok.Name.Local, attrs: attrs})
				cur = &out[len(out)-1]
			}
		case xml.EndElement:
			switch tok.Name.Local {
			case "g":
				groups = groups[:len(groups)-1]
			case "path", "text":
				cur = nil
			}
		case xml.CharData:
			if cur != nil {
				cur.text += string(tok)
			}
		}
	}
	if root == nil {
		t.Fatal("no <svg> element")
	}
	return root, out
}

func texts(els []svgElement, group string) []string {
	var out []string
	for _, e := range els {
		if e.name == "text" && e.group == group {
			out = append(out, e.text)
		}
	}
	return out
}

func paths(els []svgElement, group string) []svgElement {
	var out []svgElement
	for _, e := range els {
		if e.name == "path" && e.group == group {
			out = append(out, e)
		}
	}
	return out
}

var svgNumbers = regexp.MustCompile(`-?[0-9.]+`)

// pathXRange returns the least and greatest x of a path's points.
func pathXRange(t *testing.T, d string) (lo, hi float64) {
	t.Helper()
	lo, hi = math.Inf(1), math.Inf(-1)
	for i, s := range svgNumbers.FindAllString(d, -1) {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	return lo, hi
}

func TestWriteSVG(t *testing.T) {
	m := testMap()
	var buf bytes.Buffer
	if err := WriteSVG(&buf, m, 0, 0); err != nil {
		t.Fatal(err)
	}
	root, els := readSVG(t, buf.Bytes())
	if root["width"] != "1200" || root["height"] != "900" || root["viewBox"] != "0 0 1200 900" {
		t.Errorf("svg size %s x %s, viewBox %q, want the default 1200 x 900", root["width"], root["height"], root["viewBox"])
	}

	want := map[string][]string{
		"title": {"Night-time economy hot spots", "Profile: nte · October 2024", "Gi* on 100 m cells"},
		"legend": {"Hot spot analysis (Gi*)", "Cells: 100 m × 100 m",
			"Hot spot - 99% confidence (1)", "Hot spot - 95% confidence (0)", "Hot spot - 90% confidence (0)",
			"Not significant (1)",
			"Cold spot - 90% confidence (0)", "Cold spot - 95% confidence (0)", "Cold spot - 99% confidence (1)",
			"LSOA (2021)"},
		"boundary-labels": {"Westminster 018A", "Camden 028B"},
		"north-arrow":     {"N"},
		"attribution": {OGLAttribution + ".", "Contains OS data © Crown copyright and database right 2024.",
			"Coordinates: British National Grid (EPSG:27700), grid north up."},
	}
	for group, w := range want {
		if got := texts(els, group); !slices.Equal(got, w) {
			t.Errorf("group %s: texts %q, want %q", group, got, w)
		}
	}

	cells := paths(els, "cells")
	classes := GiStarLegend().Classes
	wantCells := []struct{ fill, title string }{
		{hexColor(classes[0].Color), "TQ 290 810, count 14"},
		{hexColor(classes[3].Color), "TQ 291 810, count 2"},
		{hexColor(classes[6].Color), "TQ 293 810, count 0"},
	}
	if len(cells) != len(wantCells) {
		t.Fatalf("%d cells, want %d", len(cells), len(wantCells))
	}
	for i, c := range cells {
		if c.attrs["fill"] != wantCells[i].fill || c.text != wantCells[i].title {
			t.Errorf("cell %d: fill %s title %q, want %s %q", i, c.attrs["fill"], c.text, wantCells[i].fill, wantCells[i].title)
		}
	}
	if n := len(paths(els, "boundaries")); n != 1 {
		t.Errorf("%d boundary paths, want 1 for the layer", n)
	}

	// The scale bar must be true to the map: measure it against a 100 m cell.
	scale := texts(els, "scale-bar")
	if len(scale) != 2 || scale[0] != "0" {
		t.Fatalf("scale bar labels %q, want 0 and a length", scale)
	}
	metres := parseScaleLabel(t, scale[1])
	if metres != roundScaleLength(metres) {
		t.Errorf("scale bar length %s is not a round length", scale[1])
	}
	barLo, _ := pathXRange(t, paths(els, "scale-bar")[0].attrs["d"])
	_, barHi := pathXRange(t, paths(els, "scale-bar")[1].attrs["d"])
	cellLo, cellHi := pathXRange(t, cells[0].attrs["d"])
	if got := (barHi - barLo) / (cellHi - cellLo) * 100; math.Abs(got-metres) > 0.5 {
		t.Errorf("scale bar %s is %.2f m long measured against a 100 m cell", scale[1], got)
	}
	if barHi > float64(DefaultWidth-margin) {
		t.Errorf("scale bar ends at x = %.1f, beyond the right margin", barHi)
	}
}

func parseScaleLabel(t *testing.T, s string) float64 {
	t.Helper()
	unit := 1.0
	num, ok := strings.CutSuffix(s, " km")
	if ok {
		unit = 1000
	} else if num, ok = strings.CutSuffix(s, " m"); !ok {
		t.Fatalf("scale label %q is not in m or km", s)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		t.Fatalf("scale label %q: %v", s, err)
	}
	return v * unit
}

func TestWriteSVGEscapesText(t *testing.T) {
	m := testMap()
	m.Title = `Bars & clubs <"late">`
	var buf bytes.Buffer
	if err := WriteSVG(&buf, m, 0, 0); err != nil {
		t.Fatal(err)
	}
	_, els := readSVG(t, buf.Bytes())
	if got := texts(els, "title")[0]; got != m.Title {
		t.Errorf("title %q, want %q", got, m.Title)
	}
}

func hexColor(c color.NRGBA) string {
	return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B)
}

// trendMap is testMap coloured by emerging hot spot trend.
func trendMap() *Map {
	m := testMap()
	m.Legend = EmergingHotSpotLegend()
	for i, c := range []string{"new hot spot", "no pattern detected", "persistent cold spot"} {
		m.Features[i].Class = c
	}
	return m
}

func TestWriteSVGEmergingLegendFits(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSVG(&buf, trendMap(), 0, 0); err != nil {
		t.Fatal(err)
	}
	_, els := readSVG(t, buf.Bytes())
	legend := texts(els, "legend")
	if len(legend) != 1+1+3+17+1 {
		t.Fatalf("legend has %d lines %q, want heading, cell size, 3 groups, 17 patterns and the boundary layer", len(legend), legend)
	}
	if legend[2] != "Hot spot trends" || legend[3] != "New hot spot (1)" || legend[15] != "Persistent cold spot (1)" ||
		legend[21] != "No pattern detected (1)" {
		t.Errorf("legend %q", legend)
	}
}

// TestLegendNeverFailsTheMap lays out the 17-pattern legend on the pages that
// used to fail (the dashboard's 1000x760, --height 600 and less) and checks
// that every legend row lies on the page, right of the map, and that no two
// legend rows overlap.
func TestLegendNeverFailsTheMap(t *testing.T) {
	for _, size := range [][2]int{{1200, 900}, {1000, 760}, {1200, 600}, {1200, 560}, {800, 600}, {800, 450}} {
		p, err := layOut(trendMap(), size[0], size[1])
		if err != nil {
			t.Errorf("%dx%d: %v", size[0], size[1], err)
			continue
		}
		page := rect{point{0, 0}, point{float64(size[0]), float64(size[1])}}
		var boxes []rect
		for _, mk := range p.marks {
			l, ok := mk.(*label)
			if !ok || l.group != "legend" {
				continue
			}
			b := p.ts.box(l)
			if !inside(b, page) || b.overlaps(p.frame) {
				t.Errorf("%dx%d: legend row %q at %v is off the page or over the map %v", size[0], size[1], l.text, b, p.frame)
			}
			for _, o := range boxes {
				if b.overlaps(o) {
					t.Errorf("%dx%d: legend row %q overlaps another", size[0], size[1], l.text)
				}
			}
			boxes = append(boxes, b)
		}
		if len(boxes) != 23 {
			t.Errorf("%dx%d: %d legend rows, want 23", size[0], size[1], len(boxes))
		}
	}
}

func TestLayOutRejectsSmallPage(t *testing.T) {
	if _, err := layOut(testMap(), 300, 250); err == nil || !strings.Contains(err.Error(), "no room for the map") {
		t.Errorf("300x250 page: error %v, want no room for the map", err)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 363189: "363,189", 1234567: "1,234,567", -1000: "-1,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestLayOutNothingToDraw(t *testing.T) {
	_, err := layOut(&Map{Legend: GiStarLegend()}, 0, 0)
	if err == nil || !strings.Contains(err.Error(), "nothing to draw") {
		t.Errorf("error %v, want nothing to draw", err)
	}
}

func TestRoundScaleLength(t *testing.T) {
	for maxMetres, want := range map[float64]float64{
		0.5: 0, 1: 1, 1.9: 1, 2.4: 2, 2.6: 2.5, 4.9: 2.5, 5: 5, 99: 50, 100: 100,
		249: 200, 251: 250, 499: 250, 999: 500, 1000: 1000, 2600: 2500, 12000: 10000,
	} {
		if got := roundScaleLength(maxMetres); got != want {
			t.Errorf("roundScaleLength(%v) = %v, want %v", maxMetres, got, want)
		}
	}
	for metres, want := range map[float64]string{100: "100 m", 250: "250 m", 1000: "1 km", 2500: "2.5 km"} {
		if got := scaleLabel(metres); got != want {
			t.Errorf("scaleLabel(%v) = %q, want %q", metres, got, want)
		}
	}
}

func TestGiStarBinLabel(t *testing.T) {
	for _, c := range GiStarLegend().Classes {
		bin, _ := strconv.Atoi(c.Key)
		if got := GiStarBinLabel(bin); got != c.Label {
			t.Errorf("GiStarBinLabel(%d) = %q, want %q", bin, got, c.Label)
		}
	}
	if got := GiStarBinLabel(7); got != "Not significant" {
		t.Errorf("GiStarBinLabel(7) = %q, want Not significant", got)
	}
}
