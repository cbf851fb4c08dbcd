package maps

import (
	"cmp"
	"errors"
	"fmt"
	"image/color"
	"math"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// DefaultWidth and DefaultHeight are the size, in pixels, of SVG and PNG maps
// when none is given.
const (
	DefaultWidth  = 1200
	DefaultHeight = 900
)

// Page metrics in pixels on a page of the default size. Pages at least twice
// as large in both directions multiply them by a whole factor, for print.
const (
	textSize     = 16
	titleSize    = 2 * textSize
	margin       = 24
	gap          = 12
	minPanel     = 220 // legend, scale bar and north arrow, right of the map
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
	ts             *typesetter
	u              float64 // the factor page metrics are multiplied by
	width, height  int
	frame          rect      // where the map is drawn
	extent         orb.Bound // the British National Grid area shown in frame
	metresPerPixel float64
	layerStyles    []shape // how each drawn boundary layer is stroked
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

// A drawing is what layOut has checked and prepared from a Map.
type drawing struct {
	m       *Map
	classes []int              // each feature's legend class
	cells   []orb.MultiPolygon // the features
	areas   [][]orb.MultiPolygon
	context string // profile and month
	far     []bool // features left out of the extent, far from the rest
}

func prepare(m *Map) (*drawing, error) {
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
	d := &drawing{m: m, classes: classes, cells: cells, areas: areas, context: context}
	d.far = farFeatures(cells)
	return d, nil
}

// layOut places everything on a map of m on a page width by height pixels,
// DefaultWidth by DefaultHeight when zero: the title block across the top,
// the map on the left, the legend (in as many columns as it needs), scale bar
// and north arrow in a panel on the right, notes on what the map leaves out
// or merges under the map, and the attribution across the bottom.
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
	d, err := prepare(m)
	if err != nil {
		return nil, err
	}
	ts, err := newTypesetter()
	if err != nil {
		return nil, err
	}
	// The notes under the map are known only once it is drawn: lay it out
	// with room for as many as it may need, then with room for those it
	// had, until the room and the notes agree (a smaller frame can change
	// the notes) or the last layout that held its notes is the best.
	try := notesRoom(m)
	var best *page
	var firstErr error
	for range 4 {
		p, n, err := layOutWith(d, ts, width, height, try)
		switch {
		case err != nil && try == 0:
			if best != nil {
				return best, nil
			}
			return nil, cmp.Or(firstErr, err)
		case err != nil:
			// A small page may hold the map only without room for notes.
			firstErr, try = cmp.Or(firstErr, err), 0
		case n == try:
			return p, nil
		case n < try:
			best, try = p, n
		case best != nil:
			return best, nil
		default:
			try = n
		}
	}
	if best != nil {
		return best, nil
	}
	return nil, fmt.Errorf("maps: a %dx%d page leaves no room for the map and the notes under it; use a taller page", width, height)
}

// layOutWith lays the map out with room for notes lines of notes under it
// and returns the page and the number of notes it set.
func layOutWith(d *drawing, ts *typesetter, width, height, notes int) (*page, int, error) {
	m := d.m
	u := float64(max(1, min(width/DefaultWidth, height/DefaultHeight)))
	p := &page{width: width, height: height, ts: ts, u: u}
	top := p.addTitle(m, d.context)
	notesTop, bottom := p.addAttribution(m, notes)
	frameHeight := bottom - top
	if frameHeight < minMapSize*u {
		return nil, 0, fmt.Errorf("maps: a %dx%d page leaves no room for the map; use a taller page", width, height)
	}
	lg := p.planLegend(d, frameHeight)
	panelX := float64(width) - margin*u - lg.width
	p.frame = rect{point{margin * u, top}, point{panelX - margin*u, bottom}}
	if p.frame.width() < minMapSize*u {
		return nil, 0, fmt.Errorf("maps: a %dx%d page leaves no room for the map beside its %.0f px legend; use a wider page",
			width, height, lg.width)
	}
	if err := p.fit(d); err != nil {
		return nil, 0, err
	}
	// Minor outlines (LSOAs) under the cells, major ones (districts) and
	// all names over them.
	drawn := make([]bool, len(m.Boundaries))
	p.layerStyles = make([]shape, len(m.Boundaries))
	set := p.addBoundaries(d, false, drawn)
	set = append(set, p.addCells(d)...)
	set = append(set, p.addBoundaries(d, true, drawn)...)
	set = append(set, p.addLabels(d, drawn)...)
	set = append(set, farNote(d)...)
	p.add(&shape{group: "frame", paths: [][]point{p.frame.ring()}, closed: true, stroke: frameColor, strokeWidth: u})
	p.addNotes(set, notesTop)
	p.addLegend(d, lg, drawn, panelX, p.frame.min.y)
	if err := p.addScaleBarAndArrow(panelX, lg.width, p.frame.max.y-scaleBlockHeight*u); err != nil {
		return nil, 0, err
	}
	return p, len(set), nil
}

// addTitle sets the title, the profile and month, and the subtitle from the
// top of the page down, and returns the y below them.
func (p *page) addTitle(m *Map, context string) float64 {
	u := p.u
	y := margin * u
	line := func(text string, size float64, bold bool, c color.NRGBA) {
		y += lineHeight(size * u)
		p.add(&label{group: "title", at: point{margin * u, y - descent(size*u)}, text: text, size: size * u, bold: bold, color: c})
	}
	if m.Title != "" {
		line(m.Title, titleSize, true, textColor)
	}
	for _, s := range nonEmpty(context, m.Subtitle) {
		line(s, textSize, false, mutedTextColor)
	}
	return y + gap*u
}

// notesRoom is the number of note lines a map may need under it: one for
// merged cells, one for places, one for far features and one per boundary
// layer.
func notesRoom(m *Map) int {
	n := len(m.Boundaries) + 1 // and one for features far from the rest
	if len(m.Places) > 0 {
		n++
	}
	if m.CellSize > 0 {
		n++
	}
	return n
}

// addAttribution sets the attribution at the foot of the page, leaving room
// above it for notes lines of notes, and returns where the notes start and
// the y above them.
func (p *page) addAttribution(m *Map, notes int) (notesTop, bottom float64) {
	u := p.u
	credits := append(append([]string{OGLAttribution + "."}, m.Attribution...),
		"Coordinates: British National Grid (EPSG:27700), grid north up.")
	lh := lineHeight(textSize * u)
	y := float64(p.height) - margin*u - float64(len(credits))*lh
	for _, s := range credits {
		y += lh
		p.add(&label{group: "attribution", at: point{margin * u, y - descent(textSize*u)}, text: s, size: textSize * u, color: mutedTextColor})
	}
	notesTop = float64(p.height) - margin*u - float64(len(credits)+notes)*lh - gap*u/2
	return notesTop, notesTop - gap*u/2
}

// addNotes sets the notes under the map, from y down.
func (p *page) addNotes(notes []string, y float64) {
	for _, s := range notes {
		y += lineHeight(textSize * p.u)
		p.add(&label{group: "notes", at: point{margin * p.u, y - descent(textSize*p.u)}, text: s, size: textSize * p.u, color: textColor})
	}
}

// lineHeight is the distance between baselines of text of the given size.
func lineHeight(size float64) float64 { return 1.25 * size }

// descent is the room left below the baseline, within a line's height, for
// letters such as g and y.
func descent(size float64) float64 { return 0.35 * size }

// fit chooses the extent and scale: the cells but those far from the rest
// (or, without cells, the boundaries) with a little space around them,
// centred in the frame.
func (p *page) fit(d *drawing) error {
	var b orb.Bound
	found := false
	extend := func(mp orb.MultiPolygon) {
		if found {
			b = b.Union(mp.Bound())
		} else {
			b, found = mp.Bound(), true
		}
	}
	for i, mp := range d.cells {
		if !d.far[i] {
			extend(mp)
		}
	}
	if !found {
		for _, layer := range d.areas {
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
