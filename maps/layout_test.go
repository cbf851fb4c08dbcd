package maps

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// crowdedMap is a map of 60 areas stacked as strips 40 m high, whose names
// fit their width but not their height, so that most would overlap. Its
// feature is an area (no CellSize), so every strip asks for its name.
func crowdedMap() *Map {
	m := testMap()
	m.CellSize = 0
	var areas []Area
	for i := range 60 {
		y := 180000 + float64(i)*40
		areas = append(areas, Area{
			Name:     fmt.Sprintf("District %d", i),
			Geometry: orb.Polygon{{{520000, y}, {538000, y}, {538000, y + 40}, {520000, y + 40}}},
		})
	}
	m.Boundaries = []BoundaryLayer{{Name: "District boundaries", Areas: areas, Labels: true, Major: true}}
	m.Features[0].Geometry = orb.Polygon{{{520000, 180000}, {538000, 180000}, {538000, 182400}, {520000, 182400}}}
	return m
}

// TestLabelsNeverOverlap places crowded names and checks that no two placed
// names overlap, each lies inside the map, and the names left out are
// counted in a note under the map.
func TestLabelsNeverOverlap(t *testing.T) {
	p, err := layOut(crowdedMap(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var boxes []rect
	var note string
	for _, mk := range p.marks {
		l, ok := mk.(*label)
		if !ok {
			continue
		}
		if l.group == "notes" && strings.Contains(l.text, "District boundaries") {
			note = l.text
		}
		if l.group != "boundary-labels" {
			continue
		}
		b := p.ts.box(l)
		if !inside(b, p.frame) {
			t.Errorf("name %q at %v is outside the map %v", l.text, b, p.frame)
		}
		for _, o := range boxes {
			if b.overlaps(o) {
				t.Errorf("name %q overlaps another", l.text)
			}
		}
		boxes = append(boxes, b)
	}
	if len(boxes) == 0 || len(boxes) == 60 {
		t.Fatalf("%d of 60 crowded names placed, want some but not all", len(boxes))
	}
	if want := fmt.Sprintf("District boundaries: %d names left out", 60-len(boxes)); !strings.HasPrefix(note, want) {
		t.Errorf("note %q, want it to start %q", note, want)
	}
}

// TestSmallCellsDrawnAsBlocks spreads 100 m cells over 600 km: each must be
// drawn at least 2 px wide, as a block, and a note must say so.
func TestSmallCellsDrawnAsBlocks(t *testing.T) {
	m := testMap()
	m.Boundaries = nil
	m.Features = nil
	for i := range 200 {
		x, y := 100000+float64(i)*3000, 100000+float64(i%7)*80000
		m.Features = append(m.Features, Feature{
			Geometry: orb.Polygon{{{x, y}, {x + 100, y}, {x + 100, y + 100}, {x, y + 100}}},
			Class:    GiStarBinClass(i%7 - 3),
		})
	}
	p, err := layOut(m, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	cells, noted := 0, false
	for _, mk := range p.marks {
		switch mk := mk.(type) {
		case *shape:
			if mk.group != "cells" {
				continue
			}
			cells++
			r := pixelBounds(mk.paths)
			if r.Dx() < minCellPixels || r.Dy() < minCellPixels {
				t.Errorf("a cell drawn %dx%d px", r.Dx(), r.Dy())
			}
		case *label:
			noted = noted || mk.group == "notes" && strings.HasPrefix(mk.text, "Each square shows")
		}
	}
	if cells != 200 || !noted {
		t.Errorf("%d blocks drawn (want one per cell, far apart), note %v", cells, noted)
	}
	if k := blockFactor(100 / p.metresPerPixel); float64(k)*100/p.metresPerPixel < minCellPixels {
		t.Errorf("block factor %d leaves blocks under %d px", k, minCellPixels)
	}
}

// TestProportionalFont checks that the maps are set in a proportional font,
// not a monospace one: "iiii" is much narrower than "MMMM".
func TestProportionalFont(t *testing.T) {
	ts, err := newTypesetter()
	if err != nil {
		t.Fatal(err)
	}
	if i, m := ts.width("iiii", textSize, false), ts.width("MMMM", textSize, false); i > 0.5*m {
		t.Errorf("iiii is %.1f px and MMMM %.1f px: a monospace font", i, m)
	}
}

// TestPalettesColourBlindSafe simulates protanopia and deuteranopia
// (Machado, Oliveira & Fernandes 2009, severity 1) and checks that any two
// Gi* bins, and hot against cold trends, stay apart by a CIE76 ΔE of at
// least 10 for those readers.
func TestPalettesColourBlindSafe(t *testing.T) {
	cvd := map[string][3][3]float64{
		"protanopia":   {{0.152286, 1.052583, -0.204868}, {0.114503, 0.786281, 0.099216}, {-0.003882, -0.048116, 1.051998}},
		"deuteranopia": {{0.367322, 0.860646, -0.227968}, {0.280085, 0.672501, 0.047413}, {-0.011820, 0.042940, 0.968881}},
	}
	gi := GiStarLegend().Classes
	trend := EmergingHotSpotLegend().Classes
	for name, mat := range cvd {
		for i := range gi {
			for j := i + 1; j < len(gi); j++ {
				if d := deltaE(simulate(gi[i].Color, mat), simulate(gi[j].Color, mat)); d < 10 {
					t.Errorf("%s: %q and %q are %.1f ΔE apart", name, gi[i].Label, gi[j].Label, d)
				}
			}
		}
		// A hot trend against a cold trend of like lightness: the darkest.
		hot, cold := trend[2].Color, trend[10].Color
		if d := deltaE(simulate(hot, mat), simulate(cold, mat)); d < 10 {
			t.Errorf("%s: intensifying hot and cold spots are %.1f ΔE apart", name, d)
		}
	}
}

// simulate returns c as seen with the colour-vision deficiency mat, in
// linear RGB.
func simulate(c interface{ RGBA() (r, g, b, a uint32) }, mat [3][3]float64) [3]float64 {
	r, g, b, _ := c.RGBA()
	in := [3]float64{linear(float64(r) / 0xffff), linear(float64(g) / 0xffff), linear(float64(b) / 0xffff)}
	var out [3]float64
	for i := range 3 {
		for j := range 3 {
			out[i] += mat[i][j] * in[j]
		}
		out[i] = math.Min(1, math.Max(0, out[i]))
	}
	return out
}

func linear(v float64) float64 {
	if v <= 0.04045 {
		return v / 12.92
	}
	return math.Pow((v+0.055)/1.055, 2.4)
}

// deltaE is the CIE76 distance between two linear-RGB colours, through XYZ
// (D65) and CIELAB.
func deltaE(a, b [3]float64) float64 {
	la, lb := lab(a), lab(b)
	return math.Sqrt(sq(la[0]-lb[0]) + sq(la[1]-lb[1]) + sq(la[2]-lb[2]))
}

func lab(c [3]float64) [3]float64 {
	x := (0.4124*c[0] + 0.3576*c[1] + 0.1805*c[2]) / 0.95047
	y := 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
	z := (0.0193*c[0] + 0.1192*c[1] + 0.9505*c[2]) / 1.08883
	f := func(t float64) float64 {
		if t > 0.008856 {
			return math.Cbrt(t)
		}
		return 7.787*t + 16.0/116
	}
	return [3]float64{116*f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))}
}

func sq(v float64) float64 { return v * v }

// TestExtentIsTheCells puts the cells in a boundary layer a hundred times
// larger: the map shows the cells (the study area), not the boundaries.
func TestExtentIsTheCells(t *testing.T) {
	m := testMap()
	m.Boundaries = append(m.Boundaries, BoundaryLayer{Name: "England", Areas: []Area{{Name: "England",
		Geometry: orb.Polygon{{{100000, 0}, {650000, 0}, {650000, 650000}, {100000, 650000}}}}}})
	p, err := layOut(m, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	cells := orb.Bound{Min: orb.Point{529000, 181000}, Max: orb.Point{529400, 181100}}
	e := p.extent
	if !e.Contains(cells.Min) || !e.Contains(cells.Max) {
		t.Fatalf("extent %v does not hold the cells %v", e, cells)
	}
	// Padded by 3% of the longer side and widened to the frame's shape.
	if w := e.Max[0] - e.Min[0]; w > 1.1*(cells.Max[0]-cells.Min[0]) {
		t.Errorf("extent %.0f m wide for 400 m of cells", w)
	}
}

// TestCellMapNamesOnlyAreasWithCells adds an area between the cells that
// holds none: a cell map must not name it, as it named empty districts
// across England.
func TestCellMapNamesOnlyAreasWithCells(t *testing.T) {
	m := testMap()
	m.Boundaries[0].Areas = append(m.Boundaries[0].Areas, Area{Name: "Empty",
		Geometry: orb.Polygon{{{529200, 181000}, {529300, 181000}, {529300, 181100}, {529200, 181100}}}})
	p, err := layOut(m, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, mk := range p.marks {
		if l, ok := mk.(*label); ok && l.group == "boundary-labels" {
			names = append(names, l.text)
		}
	}
	if len(names) != 2 || slices.Contains(names, "Empty") {
		t.Errorf("names %q, want the two areas holding cells and not Empty", names)
	}
}

// TestFarCellsLeftOutOfExtent gives a county's 400 cells three strays 250 km
// away, as a force's study area has when it records crimes elsewhere: the
// map shows the county, and a note counts the strays.
func TestFarCellsLeftOutOfExtent(t *testing.T) {
	m := testMap()
	m.Boundaries, m.Features = nil, nil
	cell := func(x, y float64, class int) Feature {
		return Feature{Geometry: orb.Polygon{{{x, y}, {x + 100, y}, {x + 100, y + 100}, {x, y + 100}}}, Class: GiStarBinClass(class)}
	}
	for i := range 400 {
		m.Features = append(m.Features, cell(550000+float64(i%20)*1500, 150000+float64(i/20)*1500, 0))
	}
	for i := range 3 {
		m.Features = append(m.Features, cell(330000, 300000+float64(i)*5000, 3))
	}
	p, err := layOut(m, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if p.extent.Contains(orb.Point{330050, 300050}) || !p.extent.Contains(orb.Point{550050, 150050}) || !p.extent.Contains(orb.Point{578550, 178550}) {
		t.Errorf("extent %v: want the county's cells and not the strays", p.extent)
	}
	var notes []string
	for _, mk := range p.marks {
		if l, ok := mk.(*label); ok && l.group == "notes" {
			notes = append(notes, l.text)
		}
	}
	if !slices.ContainsFunc(notes, func(n string) bool {
		return strings.HasPrefix(n, "3 features lie off the map") && strings.Contains(n, "(3 of them hot or cold)")
	}) {
		t.Errorf("notes %q: want the 3 strays counted", notes)
	}
	// A compact study area loses nothing.
	m.Features = m.Features[:400]
	if far := farFeatures(featuresOf(t, m)); slices.Contains(far, true) {
		t.Error("a compact study area had features marked far")
	}
}

// TestFarFeaturesSpareATown spreads 4,000 cells normally around a centre, as
// a town's crime thins out into its suburbs: at most 1% may be called far.
func TestFarFeaturesSpareATown(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var cells []orb.MultiPolygon
	for range 4000 {
		x, y := 100*math.Round(r.NormFloat64()*30), 100*math.Round(r.NormFloat64()*30)
		cells = append(cells, orb.MultiPolygon{{{{x, y}, {x + 100, y}, {x + 100, y + 100}, {x, y + 100}, {x, y}}}})
	}
	n := 0
	for _, f := range farFeatures(cells) {
		if f {
			n++
		}
	}
	if n > 40 {
		t.Errorf("%d of 4000 cells of a town called far", n)
	}
}

func featuresOf(t *testing.T, m *Map) []orb.MultiPolygon {
	t.Helper()
	ps, err := featurePolygons(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}
