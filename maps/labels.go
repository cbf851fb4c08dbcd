package maps

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/planar"
)

// minAreaPixels is the typical width, in pixels, under which a minor
// boundary layer's areas are too small to show: their outlines would grey
// the map over.
const minAreaPixels = 12

var (
	minorBoundaryColor = rgb(0xa0, 0xa0, 0xa0)
	majorBoundaryColor = rgb(0x4d, 0x4d, 0x4d)
)

// boldAreaPixels is the typical width, in pixels, from which a major
// layer's areas get bold outlines; smaller ones get thin ones, which would
// otherwise hide the cells between them.
const boldAreaPixels = 80

// boundaryStyle returns how a layer's outlines are stroked when its areas
// are typically typical pixels across.
func boundaryStyle(l BoundaryLayer, u, typical float64) shape {
	switch {
	case l.Major && typical >= boldAreaPixels:
		return shape{stroke: majorBoundaryColor, strokeWidth: 1.5 * u}
	case l.Major:
		return shape{stroke: boundaryColor, strokeWidth: 0.75 * u}
	}
	return shape{stroke: minorBoundaryColor, strokeWidth: 0.75 * u}
}

// addBoundaries draws the outlines of the layers that are major or not,
// clipped to the map, and records in drawn which it drew. A minor layer
// whose areas would typically be under minAreaPixels across is left out,
// and a note says so.
func (p *page) addBoundaries(d *drawing, major bool, drawn []bool) []string {
	var notes []string
	for i, layer := range d.m.Boundaries {
		if layer.Major != major {
			continue
		}
		var shown []orb.MultiPolygon
		var widths []float64
		for _, mp := range d.areas[i] {
			if b := mp.Bound(); b.Intersects(p.extent) {
				shown = append(shown, mp)
				widths = append(widths, math.Sqrt(planar.Area(mp))/p.metresPerPixel)
			}
		}
		if len(shown) == 0 {
			continue
		}
		slices.Sort(widths)
		typical := widths[len(widths)/2]
		if !major && typical < minAreaPixels {
			notes = append(notes, fmt.Sprintf("%s not drawn: at this scale its areas would be about %.0f px across.", layer.Name, typical))
			continue
		}
		drawn[i] = true
		st := boundaryStyle(layer, p.u, typical)
		p.layerStyles[i] = st
		s := &shape{group: "boundaries", stroke: st.stroke, strokeWidth: st.strokeWidth}
		for _, mp := range shown {
			for _, poly := range mp {
				for _, r := range poly {
					for _, ls := range clip.LineString(p.extent, orb.LineString(r)) {
						s.paths = append(s.paths, p.pixelPath(ls))
					}
				}
			}
		}
		p.add(s)
	}
	return notes
}

// A labelCandidate is a name waiting for a place on the map.
type labelCandidate struct {
	layer int // the boundary layer, or -1 for a Place
	name  string
	at    point   // the label point in pixels
	width float64 // of the area's bounding box in pixels
	area  float64 // larger areas are named first
}

// addLabels names the places, then the areas of the drawn layers that ask
// for labels, major layers first and then larger areas first, each at its
// label point or just above, below, left or right of it, wherever it
// overlaps no name already placed and stays inside the map. An area's name
// is also left out when it is wider than the area. On a cell map only areas
// holding cells are named. Notes say how many
// names were left out, per layer.
func (p *page) addLabels(d *drawing, drawn []bool) []string {
	cands := p.labelCandidates(d, drawn)
	left := make([]int, len(d.m.Boundaries)+1) // the last counts places
	var placed []rect
	pad := 2 * p.u
	for _, c := range cands {
		l := &label{group: "boundary-labels", text: c.name, size: 0.8 * textSize * p.u, anchor: anchorMiddle,
			color: mutedTextColor, halo: true}
		switch {
		case c.layer < 0:
			l.group, l.size, l.bold, l.color = "places", textSize*p.u, true, textColor
		case d.m.Boundaries[c.layer].Major:
			l.size, l.color = textSize*p.u, textColor
		}
		n := c.layer
		if n < 0 {
			n = len(d.m.Boundaries)
		}
		if c.layer >= 0 && p.ts.width(l.text, l.size, l.bold) > c.width {
			left[n]++
			continue
		}
		if b, ok := p.placeLabel(l, c.at, placed, pad); ok {
			placed = append(placed, b)
			p.add(l)
		} else {
			left[n]++
		}
	}
	var notes []string
	for i, n := range left {
		if n == 0 {
			continue
		}
		what := "Places"
		if i < len(d.m.Boundaries) {
			what = d.m.Boundaries[i].Name
		}
		notes = append(notes, fmt.Sprintf("%s: %d %s left out where %s not fit or would overlap another.", what, n, plural(n, "name", "names"), plural(n, "it would", "they would")))
	}
	return notes
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (p *page) labelCandidates(d *drawing, drawn []bool) []labelCandidate {
	var cands []labelCandidate
	for _, pl := range d.m.Places {
		if pl.Name != "" && p.extent.Contains(pl.At) {
			cands = append(cands, labelCandidate{layer: -1, name: pl.Name, at: p.toPixel(pl.At)})
		}
	}
	var areas []labelCandidate
	var holds func(orb.MultiPolygon) bool
	for i, layer := range d.m.Boundaries {
		if !layer.Labels || !drawn[i] {
			continue
		}
		if holds == nil {
			holds = p.holdsCells(d)
		}
		for j, a := range layer.Areas {
			mp := d.areas[i][j]
			at, ok := labelPoint(mp)
			if a.Name == "" || !ok || !p.extent.Contains(at) || !holds(mp) {
				continue
			}
			b := mp.Bound()
			areas = append(areas, labelCandidate{layer: i, name: a.Name, at: p.toPixel(at),
				width: (b.Max[0] - b.Min[0]) / p.metresPerPixel, area: planar.Area(mp)})
		}
	}
	slices.SortStableFunc(areas, func(a, b labelCandidate) int {
		ma, mb := d.m.Boundaries[a.layer].Major, d.m.Boundaries[b.layer].Major
		if ma != mb {
			if ma {
				return -1
			}
			return 1
		}
		return cmp.Compare(b.area, a.area)
	})
	return append(cands, areas...)
}

// holdsCells returns a test of whether an area holds the centre of a cell,
// so that a cell map names only the areas with data, not the empty
// districts around them. On an area map every area is named.
func (p *page) holdsCells(d *drawing) func(orb.MultiPolygon) bool {
	if d.m.CellSize <= 0 {
		return func(orb.MultiPolygon) bool { return true }
	}
	// One cell centre per pixel: enough to find a cell in an area.
	type px struct{ x, y int }
	centres := map[px]orb.Point{}
	for i, mp := range d.cells {
		if d.far[i] {
			continue // off the map
		}
		c := mp.Bound().Center()
		q := p.toPixel(c)
		centres[px{int(q.x), int(q.y)}] = c
	}
	return func(mp orb.MultiPolygon) bool {
		b := mp.Bound()
		lo, hi := p.toPixel(orb.Point{b.Min[0], b.Max[1]}), p.toPixel(orb.Point{b.Max[0], b.Min[1]})
		for y := int(lo.y); y <= int(hi.y); y++ {
			for x := int(lo.x); x <= int(hi.x); x++ {
				if c, ok := centres[px{x, y}]; ok && planar.MultiPolygonContains(mp, c) {
					return true
				}
			}
		}
		return false
	}
}

// placeLabel tries l's positions around at and returns the box it takes.
func (p *page) placeLabel(l *label, at point, placed []rect, pad float64) (rect, bool) {
	h := lineHeight(l.size)
	w := p.ts.width(l.text, l.size, l.bold)
	for _, off := range []point{{0, 0.35}, {0, -0.65}, {0, 1.35}, {-0.6, 0.35}, {0.6, 0.35}} {
		l.at = point{at.x + off.x*w, at.y + off.y*h}
		b := p.ts.box(l)
		b = rect{point{b.min.x - pad, b.min.y - pad}, point{b.max.x + pad, b.max.y + pad}}
		if !inside(b, p.frame) || slices.ContainsFunc(placed, b.overlaps) {
			continue
		}
		return b, true
	}
	return rect{}, false
}

func inside(r, outer rect) bool {
	return r.min.x >= outer.min.x && r.min.y >= outer.min.y && r.max.x <= outer.max.x && r.max.y <= outer.max.y
}

func (r rect) overlaps(o rect) bool {
	return r.min.x < o.max.x && o.min.x < r.max.x && r.min.y < o.max.y && o.min.y < r.max.y
}
