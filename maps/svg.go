package maps

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"
	"strings"
)

// WriteSVG writes a map of m as an SVG image width by height pixels
// (DefaultWidth by DefaultHeight when zero), laid out as WritePNG lays out
// the same map. The cells are plotted in British National Grid metres, north
// up, filled by class; hovering over a cell shows its grid reference and
// count. Around the map are the title, profile and month, the legend with
// each class's number of cells, a scale bar, a north arrow and the
// attribution. Each part is a group (<g id="cells">, "legend", ...) for
// editing in Inkscape or Illustrator.
func WriteSVG(w io.Writer, m *Map, width, height int) error {
	p, err := layOut(m, width, height)
	if err != nil {
		return err
	}
	x := newXMLWriter(w)
	x.raw(xmlHeader)
	x.printf(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="%s">`+"\n",
		p.width, p.height, p.width, p.height, svgFontFamily)
	x.raw("<title>")
	x.text(m.Title)
	x.raw("</title>\n")
	x.printf(`<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", p.width, p.height)
	group := ""
	for _, mk := range p.marks {
		if g := mk.groupName(); g != group {
			if group != "" {
				x.raw("</g>\n")
			}
			x.printf(`<g id="%s">`+"\n", g)
			group = g
		}
		switch mk := mk.(type) {
		case *shape:
			writeSVGShape(x, mk)
		case *label:
			writeSVGLabel(x, mk)
		}
	}
	if group != "" {
		x.raw("</g>\n")
	}
	x.raw("</svg>\n")
	if err := x.flush(); err != nil {
		return fmt.Errorf("maps: writing SVG: %w", err)
	}
	return nil
}

func writeSVGShape(x *xmlWriter, s *shape) {
	var d strings.Builder
	for _, path := range s.paths {
		for i, q := range path {
			if i == 0 {
				d.WriteString("M")
			} else {
				d.WriteString(" L")
			}
			d.WriteString(svgNumber(q.x) + " " + svgNumber(q.y))
		}
		if s.closed {
			d.WriteString("Z")
		}
	}
	x.printf(`<path d="%s"%s%s`, d.String(), svgPaint("fill", s.fill), svgPaint("stroke", s.stroke))
	if s.stroke.A != 0 {
		x.printf(` stroke-width="%s" stroke-linejoin="round"`, svgNumber(s.strokeWidth))
	}
	if s.tooltip == "" {
		x.raw("/>\n")
		return
	}
	x.raw("><title>")
	x.text(s.tooltip)
	x.raw("</title></path>\n")
}

func writeSVGLabel(x *xmlWriter, l *label) {
	x.printf(`<text x="%s" y="%s" font-size="%s"%s`, svgNumber(l.at.x), svgNumber(l.at.y), svgNumber(l.size), svgPaint("fill", l.color))
	if l.bold {
		x.raw(` font-weight="bold"`)
	}
	if l.anchor == anchorMiddle {
		x.raw(` text-anchor="middle"`)
	}
	if l.halo {
		x.printf(` stroke="#ffffff" stroke-width="%s" stroke-linejoin="round" paint-order="stroke"`, svgNumber(l.size/5))
	}
	x.raw(">")
	x.text(l.text)
	x.raw("</text>\n")
}

// svgPaint returns the fill or stroke attributes for c, with an opacity
// attribute when c is translucent.
func svgPaint(attr string, c color.NRGBA) string {
	switch c.A {
	case 0:
		if attr == "fill" {
			return ` fill="none"`
		}
		return ""
	case 0xff:
		return fmt.Sprintf(` %s="#%02x%02x%02x"`, attr, c.R, c.G, c.B)
	}
	return fmt.Sprintf(` %s="#%02x%02x%02x" %s-opacity="%s"`, attr, c.R, c.G, c.B, attr, svgNumber(float64(c.A)/0xff))
}

// svgNumber writes v to 0.01 px, finer than any screen or printer resolves.
func svgNumber(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}
