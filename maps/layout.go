package maps

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/planar"
)

// DefaultWidth and DefaultHeight are the size, in pixels, of SVG and PNG maps
// when none is given.
const (
	DefaultWidth  = 1200
	DefaultHeight = 900
)

// Page metrics in pixels on a page of the default size. Larger pages multiply
// them by a whole factor so that the PNG's bitmap fonts scale cleanly.
const (
	textSize     = 16 // the PNG's bitmap font is 16 px
	titleSize    = 2 * textSize
	margin       = 24
	gap          = 12
	panelWidth   = 340 // legend, scale bar and north arrow, right of the map
	swatchWidth  = 24
	swatchHeight = 16
	rowHeight    = 24
	minMapSize   = 120 // smallest map frame worth drawing
)

var (
	textColor      = rgb(0x22, 0x22, 0x22)
	mutedTextColor = rgb(0x44, 0x44, 0x44)
	boundaryColor  = rgb(0x80, 0x80, 0x80)
	frameColor     = rgb(0x99, 0x99, 0x99)
	white          = rgb(0xff, 0xff, 0xff)
)

type point struct{ x, y float64 }

type rect struct{ min, max point }

func (r rect) width() float64  { return r.max.x - r.min.x }
func (r rect) height() float64 { return r.max.y - r.min.y }

func (r rect) ring() []point {
	return []point{r.min, {r.max.x, r.min.y}, r.max, {r.min.x, r.max.y}}
}

// A page is a map laid out in pixels, y down, as marks painted in order. The
// SVG and PNG writers both render a page, so the two always match.
type page struct {
	width, height  int
	frame          rect      // where the map is drawn
	extent         orb.Bound // the British National Grid area shown in frame
	metresPerPixel float64
	marks          []mark
}

// A mark is a shape or a label. Its group names the part of the map it
// belongs to, so that SVG editors can select, say, all the cells at once.
type mark interface {
	groupName() string
}

// A shape is filled polygons, or polylines when not closed. Holes are rings
// wound opposite to their exterior, so any fill rule draws them.
type shape struct {
	group       string
	paths       [][]point
	closed      bool
	fill        color.NRGBA // no fill when transparent
	stroke      color.NRGBA // no outline when transparent
	strokeWidth float64
	tooltip     string // shown on hover in the SVG
}

type anchor int

const (
	anchorStart anchor = iota
	anchorMiddle
)

// A label is one line of text placed by its baseline.
type label struct {
	group  string
	at     point
	text   string
	size   float64
	bold   bool
	anchor anchor
	color  color.NRGBA
	halo   bool // outline in white to stay legible over the cells
}

func (s *shape) groupName() string { return s.group }
func (l *label) groupName() string { return l.group }

// toPixel converts British National Grid metres to page pixels, north up.
func (p *page) toPixel(q orb.Point) point {
	return point{
		p.frame.min.x + (q[0]-p.extent.Min[0])/p.metresPerPixel,
		p.frame.min.y + (p.extent.Max[1]-q[1])/p.metresPerPixel,
	}
}

func (p *page) add(m mark) { p.marks = append(p.marks, m) }

// layOut places everything on a map of m on a page width by height pixels,
// DefaultWidth by DefaultHeight when zero: the title block across the top,
// the map on the left, the legend, scale bar and north arrow in a panel on
// the right, and the attribution across the bottom.
func layOut(m *Map, width, height int) (*page, error) {
	if width == 0 {
		width = DefaultWidth
	}
	if height == 0 {
		height = DefaultHeight
	}
	if width < 0 || height < 0 {
		return nil, fmt.Errorf("maps: page size %dx%d is negative", width, height)
	}
	classes, err := featureClasses(m)
	if err != nil {
		return nil, err
	}
	cells, err := featurePolygons(m, nil)
	if err != nil {
		return nil, err
	}
	areas, err := boundaryPolygons(m)
	if err != nil {
		return nil, err
	}
	context, err := describe(m)
	if err != nil {
		return nil, err
	}

	u := float64(max(1, min(width/DefaultWidth, height/DefaultHeight)))
	p := &page{width: width, height: height}
	w, h := float64(width), float64(height)

	// Title block, top down.
	x0 := margin * u
	y := margin * u
	line := func(text string, size float64, bold bool, c color.NRGBA) {
		y += lineHeight(size * u)
		p.add(&label{group: "title", at: point{x0, y - descent(size*u)}, text: text, size: size * u, bold: bold, color: c})
	}
	if m.Title != "" {
		line(m.Title, titleSize, true, textColor)
	}
	for _, s := range nonEmpty(context, m.Subtitle) {
		line(s, textSize, false, mutedTextColor)
	}
	top := y + gap*u

	// Attribution, at the foot of the page.
	credits := append(append([]string{OGLAttribution + "."}, m.Attribution...),
		"Coordinates: British National Grid (EPSG:27700), grid north up.")
	y = h - margin*u - float64(len(credits))*lineHeight(textSize*u)
	bottom := y - gap*u
	for _, s := range credits {
		y += lineHeight(textSize * u)
		p.add(&label{group: "attribution", at: point{x0, y - descent(textSize*u)}, text: s, size: textSize * u, color: mutedTextColor})
	}

	panelX := w - (margin+panelWidth)*u
	p.frame = rect{point{x0, top}, point{panelX - margin*u, bottom}}
	if p.frame.width() < minMapSize*u || p.frame.height() < minMapSize*u {
		return nil, fmt.Errorf("maps: a %dx%d page leaves no room for the map", width, height)
	}
	if err := p.fit(cells, areas); err != nil {
		return nil, err
	}

	// The map: boundaries under the cells, their names over them.
	for _, layer := range areas {
		for _, mp := range layer {
			p.addBoundary(mp, u)
		}
	}
	for i, mp := range cells {
		s := &shape{group: "cells", closed: true, fill: m.Legend.Classes[classes[i]].Color,
			stroke: white, strokeWidth: 0.5 * u, tooltip: cellTooltip(&m.Features[i])}
		for _, poly := range mp {
			for _, r := range poly {
				s.paths = append(s.paths, p.pixelPath(r))
			}
		}
		p.add(s)
	}
	for i, layer := range m.Boundaries {
		if !layer.Labels {
			continue
		}
		for j, a := range layer.Areas {
			at, ok := labelPoint(areas[i][j])
			if a.Name == "" || !ok || !p.extent.Contains(at) {
				continue
			}
			p.add(&label{group: "boundary-labels", at: p.toPixel(at), text: a.Name, size: textSize * u,
				anchor: anchorMiddle, color: mutedTextColor, halo: true})
		}
	}
	p.add(&shape{group: "frame", paths: [][]point{p.frame.ring()}, closed: true, stroke: frameColor, strokeWidth: u})

	// The panel, top down from the top of the map.
	y = p.frame.min.y
	y = p.addLegend(m, classes, panelX, y, u)
	y, err = p.addScaleBar(panelX, y+2*gap*u, u)
	if err != nil {
		return nil, err
	}
	y = p.addNorthArrow(panelX, y+2*gap*u, u)
	if y > p.frame.max.y {
		return nil, fmt.Errorf("maps: the legend needs %.0f px but the map is %.0f px high; use a taller page",
			y-p.frame.min.y, p.frame.height())
	}
	return p, nil
}

// lineHeight is the distance between baselines of text of the given size.
func lineHeight(size float64) float64 { return 1.25 * size }

// descent is the room left below the baseline, within a line's height, for
// letters such as g and y.
func descent(size float64) float64 { return 0.35 * size }

// fit chooses the extent and scale: the cells (or, without cells, the
// boundaries) with a little space around them, centred in the frame.
func (p *page) fit(cells []orb.MultiPolygon, areas [][]orb.MultiPolygon) error {
	var b orb.Bound
	found := false
	extend := func(mp orb.MultiPolygon) {
		if found {
			b = b.Union(mp.Bound())
		} else {
			b, found = mp.Bound(), true
		}
	}
	for _, mp := range cells {
		extend(mp)
	}
	if !found {
		for _, layer := range areas {
			for _, mp := range layer {
				extend(mp)
			}
		}
	}
	if !found {
		return errors.New("maps: nothing to draw: the map has no features or boundaries")
	}
	b = b.Pad(0.03 * math.Max(b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]))
	s := math.Max((b.Max[0]-b.Min[0])/p.frame.width(), (b.Max[1]-b.Min[1])/p.frame.height())
	c := b.Center()
	halfW, halfH := p.frame.width()*s/2, p.frame.height()*s/2
	p.extent = orb.Bound{Min: orb.Point{c[0] - halfW, c[1] - halfH}, Max: orb.Point{c[0] + halfW, c[1] + halfH}}
	p.metresPerPixel = s
	return nil
}

func (p *page) pixelPath(ps []orb.Point) []point {
	out := make([]point, len(ps))
	for i, q := range ps {
		out[i] = p.toPixel(q)
	}
	return out
}

// addBoundary draws an area's rings as lines clipped to the map, so that
// areas reaching beyond it are not closed off along its edge.
func (p *page) addBoundary(mp orb.MultiPolygon, u float64) {
	s := &shape{group: "boundaries", stroke: boundaryColor, strokeWidth: u}
	for _, poly := range mp {
		for _, r := range poly {
			for _, ls := range clip.LineString(p.extent, orb.LineString(r)) {
				s.paths = append(s.paths, p.pixelPath(ls))
			}
		}
	}
	if len(s.paths) > 0 {
		p.add(s)
	}
}

// addLegend lists the classes with their number of cells, then the boundary
// layers, from y down, and returns the y below them.
func (p *page) addLegend(m *Map, classes []int, x, y, u float64) float64 {
	counts := make([]int, len(m.Legend.Classes))
	for _, c := range classes {
		counts[c]++
	}
	heading := m.Legend.Title
	if heading == "" {
		heading = "Legend"
	}
	y += lineHeight(textSize * u)
	p.add(&label{group: "legend", at: point{x, y - descent(textSize*u)}, text: heading, size: textSize * u, bold: true, color: textColor})
	y += gap * u / 2

	row := func(text string) (swatch rect) {
		top := y + (rowHeight-swatchHeight)*u/2
		swatch = rect{point{x, top}, point{x + swatchWidth*u, top + swatchHeight*u}}
		p.add(&label{group: "legend", at: point{swatch.max.x + gap*u, swatch.max.y - 0.2*textSize*u},
			text: text, size: textSize * u, color: textColor})
		y += rowHeight * u
		return swatch
	}
	for i, c := range m.Legend.Classes {
		sw := row(c.Label + " (" + strconv.Itoa(counts[i]) + ")")
		p.add(&shape{group: "legend", paths: [][]point{sw.ring()}, closed: true, fill: c.Color, stroke: frameColor, strokeWidth: 0.5 * u})
	}
	for _, layer := range m.Boundaries {
		sw := row(layer.Name)
		mid := (sw.min.y + sw.max.y) / 2
		p.add(&shape{group: "legend", paths: [][]point{{{sw.min.x, mid}, {sw.max.x, mid}}}, stroke: boundaryColor, strokeWidth: u})
	}
	return y
}

// addScaleBar draws, from y down, a bar of the longest round length that
// fits the panel, and returns the y below it.
func (p *page) addScaleBar(x, y, u float64) (float64, error) {
	maxPixels := (panelWidth - 2*swatchWidth) * u
	metres := roundScaleLength(maxPixels * p.metresPerPixel)
	if metres == 0 {
		return 0, fmt.Errorf("maps: the map spans %.3g m, too little for a scale bar in metres", p.extent.Max[0]-p.extent.Min[0])
	}
	length := metres / p.metresPerPixel

	y += lineHeight(textSize * u)
	base := y - descent(textSize*u)
	p.add(&label{group: "scale-bar", at: point{x, base}, text: "0", size: textSize * u, anchor: anchorMiddle, color: textColor})
	p.add(&label{group: "scale-bar", at: point{x + length, base}, text: scaleLabel(metres), size: textSize * u, anchor: anchorMiddle, color: textColor})
	y += gap * u / 2
	barHeight := 8 * u
	left := rect{point{x, y}, point{x + length/2, y + barHeight}}
	right := rect{point{x + length/2, y}, point{x + length, y + barHeight}}
	p.add(&shape{group: "scale-bar", paths: [][]point{left.ring()}, closed: true, fill: textColor, stroke: textColor, strokeWidth: u})
	p.add(&shape{group: "scale-bar", paths: [][]point{right.ring()}, closed: true, fill: white, stroke: textColor, strokeWidth: u})
	return y + barHeight, nil
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

// addNorthArrow draws, from y down, an arrow pointing to grid north, half
// dark and half light as on Ordnance Survey maps, and returns the y below it.
func (p *page) addNorthArrow(x, y, u float64) float64 {
	cx := x + swatchWidth*u/2
	y += lineHeight(textSize * u)
	p.add(&label{group: "north-arrow", at: point{cx, y - descent(textSize*u)}, text: "N", size: textSize * u, bold: true, anchor: anchorMiddle, color: textColor})
	tip := point{cx, y}
	base := y + 36*u
	notch := point{cx, base - 10*u}
	leftCorner, rightCorner := point{cx - 11*u, base}, point{cx + 11*u, base}
	p.add(&shape{group: "north-arrow", paths: [][]point{{tip, leftCorner, notch}}, closed: true, fill: textColor, stroke: textColor, strokeWidth: u})
	p.add(&shape{group: "north-arrow", paths: [][]point{{tip, notch, rightCorner}}, closed: true, fill: white, stroke: textColor, strokeWidth: u})
	return base
}

// boundaryPolygons returns each boundary layer's areas through
// rightHandPolygons.
func boundaryPolygons(m *Map) ([][]orb.MultiPolygon, error) {
	out := make([][]orb.MultiPolygon, len(m.Boundaries))
	for i, layer := range m.Boundaries {
		out[i] = make([]orb.MultiPolygon, len(layer.Areas))
		for j, a := range layer.Areas {
			mp, err := rightHandPolygons(a.Geometry, nil)
			if err != nil {
				return nil, fmt.Errorf("maps: boundary layer %q area %d (%s): %w", layer.Name, j, a.Name, err)
			}
			out[i][j] = mp
		}
	}
	return out, nil
}

// labelPoint returns the centroid of an area's largest polygon, which for a
// multipolygon such as a ward split by a river lies on land more often than
// the centroid of the whole.
func labelPoint(mp orb.MultiPolygon) (orb.Point, bool) {
	var best orb.Point
	bestArea := 0.0
	for _, poly := range mp {
		if c, a := planar.CentroidArea(poly); a > bestArea {
			best, bestArea = c, a
		}
	}
	return best, bestArea > 0
}

// cellTooltip describes a cell on hover, e.g. "TQ 301 808, count 14".
func cellTooltip(f *Feature) string {
	var parts []string
	if ref := f.gridRef(); ref != "" {
		parts = append(parts, ref)
	}
	if v, ok := f.lookup("count"); ok {
		if s, ok := formatValue(v); ok {
			parts = append(parts, "count "+s)
		}
	}
	return strings.Join(parts, ", ")
}
