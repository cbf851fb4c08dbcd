package maps

import (
	"fmt"
	"strconv"
)

// legendScales are the text sizes, relative to the page's, a legend is tried
// at: a legend that does not fit at full size in half the page's width is
// set smaller rather than failing the map.
var legendScales = []float64{1, 0.875, 0.75, 0.625}

// scaleBlockHeight is the height of the scale bar and north arrow, side by
// side at the foot of the panel.
const scaleBlockHeight = 64

// A legendEntry is one row of the legend.
type legendEntry struct {
	kind  entryKind
	text  string
	class int // the legend class of a swatch row
	layer int // the boundary layer of a line row
}

type entryKind int

const (
	entryHeading entryKind = iota
	entryNote
	entryGroup
	entrySwatch
	entryLine
)

// A legendPlan is the legend's entries arranged in columns at a text scale.
type legendPlan struct {
	scale   float64
	columns [][]legendEntry
	widths  []float64 // of each column
	width   float64   // of the whole panel
}

// legendEntries lists the legend's rows: title, notes (and the cell size),
// classes with their group headings and number of features, and the
// boundary layers.
func legendEntries(d *drawing) []legendEntry {
	m := d.m
	counts := make([]int, len(m.Legend.Classes))
	for _, c := range d.classes {
		counts[c]++
	}
	heading := m.Legend.Title
	if heading == "" {
		heading = "Legend"
	}
	es := []legendEntry{{kind: entryHeading, text: heading}}
	if m.CellSize > 0 {
		size := scaleLabel(m.CellSize)
		es = append(es, legendEntry{kind: entryNote, text: "Cells: " + size + " × " + size})
	}
	for _, n := range m.Legend.Notes {
		es = append(es, legendEntry{kind: entryNote, text: n})
	}
	group := ""
	for i, c := range m.Legend.Classes {
		if c.Group != group && c.Group != "" {
			es = append(es, legendEntry{kind: entryGroup, text: c.Group})
		}
		group = c.Group
		es = append(es, legendEntry{kind: entrySwatch, text: c.Label + " (" + thousands(counts[i]) + ")", class: i})
	}
	for i, l := range m.Boundaries {
		es = append(es, legendEntry{kind: entryLine, text: l.Name, layer: i})
	}
	return es
}

// planLegend chooses the largest text scale at which the legend, in as many
// columns as the frame's height needs, leaves the map at least half the
// page's width; failing that, the smallest.
func (p *page) planLegend(d *drawing, frameHeight float64) legendPlan {
	es := legendEntries(d)
	room := float64(p.width) - 3*margin*p.u
	var plan legendPlan
	for _, s := range legendScales {
		plan = p.packLegend(es, s, frameHeight-(scaleBlockHeight+gap)*p.u)
		if plan.width <= room/2 {
			break
		}
	}
	return plan
}

// packLegend fills columns of height at most h with the entries at scale s,
// keeping a group heading with the row after it.
func (p *page) packLegend(es []legendEntry, s, h float64) legendPlan {
	u := p.u
	rowH := rowHeight * u * s
	perColumn := max(2, int(h/rowH))
	plan := legendPlan{scale: s}
	var col []legendEntry
	for i, e := range es {
		full := len(col) == perColumn || e.kind == entryGroup && len(col) == perColumn-1 && i+1 < len(es)
		if full {
			plan.columns = append(plan.columns, col)
			col = nil
		}
		col = append(col, e)
	}
	plan.columns = append(plan.columns, col)
	for _, col := range plan.columns {
		w := 0.0
		for _, e := range col {
			w = max(w, p.entryWidth(e, s))
		}
		plan.widths = append(plan.widths, w)
		plan.width += w
	}
	plan.width += float64(len(plan.columns)-1) * 1.5 * gap * u
	plan.width = max(plan.width, minPanel*u)
	return plan
}

func (p *page) entryWidth(e legendEntry, s float64) float64 {
	size := textSize * p.u * s
	w := p.ts.width(e.text, size, e.kind == entryHeading || e.kind == entryGroup)
	if e.kind == entrySwatch || e.kind == entryLine {
		w += (swatchWidth + gap) * p.u * s
	}
	return w
}

// addLegend draws the planned legend with its top left at (x, y).
func (p *page) addLegend(d *drawing, plan legendPlan, drawn []bool, x, y float64) {
	u, s := p.u, plan.scale
	size := textSize * u * s
	rowH := rowHeight * u * s
	for c, col := range plan.columns {
		yy := y
		for _, e := range col {
			base := yy + rowH - descent(size)
			switch e.kind {
			case entryHeading, entryGroup:
				p.add(&label{group: "legend", at: point{x, base}, text: e.text, size: size, bold: true, color: textColor})
			case entryNote:
				p.add(&label{group: "legend", at: point{x, base}, text: e.text, size: size, color: mutedTextColor})
			case entrySwatch, entryLine:
				top := yy + (rowHeight-swatchHeight)*u*s/2
				sw := rect{point{x, top}, point{x + swatchWidth*u*s, top + swatchHeight*u*s}}
				text := e.text
				if e.kind == entrySwatch {
					p.add(&shape{group: "legend", paths: [][]point{sw.ring()}, closed: true,
						fill: d.m.Legend.Classes[e.class].Color, stroke: frameColor, strokeWidth: 0.5 * u})
				} else {
					mid := (sw.min.y + sw.max.y) / 2
					st := p.layerStyles[e.layer]
					if !drawn[e.layer] {
						st = boundaryStyle(d.m.Boundaries[e.layer], u, 0)
					}
					p.add(&shape{group: "legend", paths: [][]point{{{sw.min.x, mid}, {sw.max.x, mid}}}, stroke: st.stroke, strokeWidth: st.strokeWidth})
					if !drawn[e.layer] {
						text += " (not drawn)"
					}
				}
				p.add(&label{group: "legend", at: point{sw.max.x + gap*u*s, sw.max.y - 0.2*size}, text: text, size: size, color: textColor})
			}
			yy += rowH
		}
		x += plan.widths[c] + 1.5*gap*u
	}
}

// addScaleBarAndArrow draws, from y down in a panel from x of the given
// width, a scale bar of the longest round length that fits and, right of it,
// an arrow pointing to grid north.
func (p *page) addScaleBarAndArrow(x, width, y float64) error {
	u := p.u
	maxPixels := width - 3*swatchWidth*u
	metres := roundScaleLength(maxPixels * p.metresPerPixel)
	if metres == 0 {
		return fmt.Errorf("maps: the map spans %.3g m, too little for a scale bar in metres", p.extent.Max[0]-p.extent.Min[0])
	}
	length := metres / p.metresPerPixel
	x0 := x + 0.5*swatchWidth*u // room for the centred "0"
	base := y + lineHeight(textSize*u) + 12*u
	p.add(&label{group: "scale-bar", at: point{x0, base}, text: "0", size: textSize * u, anchor: anchorMiddle, color: textColor})
	p.add(&label{group: "scale-bar", at: point{x0 + length, base}, text: scaleLabel(metres), size: textSize * u, anchor: anchorMiddle, color: textColor})
	top, barHeight := base+gap*u/2, 8*u
	left := rect{point{x0, top}, point{x0 + length/2, top + barHeight}}
	right := rect{point{x0 + length/2, top}, point{x0 + length, top + barHeight}}
	p.add(&shape{group: "scale-bar", paths: [][]point{left.ring()}, closed: true, fill: textColor, stroke: textColor, strokeWidth: u})
	p.add(&shape{group: "scale-bar", paths: [][]point{right.ring()}, closed: true, fill: white, stroke: textColor, strokeWidth: u})
	p.addNorthArrow(x+width-swatchWidth*u/2, y)
	return nil
}

// addNorthArrow draws, from y down centred on cx, an arrow pointing to grid
// north, half dark and half light as on Ordnance Survey maps.
func (p *page) addNorthArrow(cx, y float64) {
	u := p.u
	y += lineHeight(textSize * u)
	p.add(&label{group: "north-arrow", at: point{cx, y - descent(textSize*u)}, text: "N", size: textSize * u, bold: true, anchor: anchorMiddle, color: textColor})
	tip := point{cx, y}
	base := y + 36*u
	notch := point{cx, base - 10*u}
	leftCorner, rightCorner := point{cx - 11*u, base}, point{cx + 11*u, base}
	p.add(&shape{group: "north-arrow", paths: [][]point{{tip, leftCorner, notch}}, closed: true, fill: textColor, stroke: textColor, strokeWidth: u})
	p.add(&shape{group: "north-arrow", paths: [][]point{{tip, notch, rightCorner}}, closed: true, fill: white, stroke: textColor, strokeWidth: u})
}

// roundScaleLength returns the longest length of 1, 2, 2.5 or 5 times a power
// of ten metres that is at most maxMetres, or 0 when maxMetres is under 1 m.
func roundScaleLength(maxMetres float64) float64 {
	best := 0.0
	for decade := 1.0; decade <= maxMetres; decade *= 10 {
		for _, k := range []float64{1, 2, 2.5, 5} {
			if l := k * decade; l <= maxMetres {
				best = l
			}
		}
	}
	return best
}

// scaleLabel writes a round length in metres or, from 1 km, kilometres.
func scaleLabel(metres float64) string {
	if metres < 1000 {
		return strconv.FormatFloat(metres, 'f', -1, 64) + " m"
	}
	return strconv.FormatFloat(metres/1000, 'f', -1, 64) + " km"
}

// thousands writes a count with commas between thousands, e.g. 363,189.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
