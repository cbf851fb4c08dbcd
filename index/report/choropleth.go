package report

import (
	"fmt"
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/safercity/safercity/geography"
	"github.com/safercity/safercity/index"
)

// The national maps: England's British National Grid extent in metres and
// the scale of the drawing.
const (
	mapMinE, mapMaxN = 82000.0, 658000.0
	mapMetresPerPx   = 1600.0
	mapWidth         = 360
	mapHeight        = 410
)

// mapColours are ColorBrewer's YlGnBu in five classes, dark for high
// (better) scores.
var mapColours = []string{"#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"}

type htmlMaps struct {
	Outlines []htmlOutline // drawn once, used by every map
	Maps     []htmlMap
	Colours  []string
	Width    int
	Height   int
	// NotDrawn names the scored units' districts that have no bundled
	// outline (Wales's), so a reader knows the maps leave them out.
	NotDrawn []string
}

type htmlOutline struct {
	ID string
	D  template.HTML // path data: digits, M, L, Z and spaces only
}

type htmlMap struct {
	Title  string
	Areas  []htmlArea
	Legend []htmlLegend
}

type htmlArea struct {
	Ref, Fill, Title string
}

type htmlLegend struct{ Fill, Text string }

// buildMaps draws the overall score and each pillar by district, from the
// bundled outlines (England only). It returns nil when the outlines cannot
// be read or the result names no districts.
func buildMaps(res *index.Result) *htmlMaps {
	outs, err := geography.Outlines()
	if err != nil || len(res.Districts) == 0 {
		return nil
	}
	m := &htmlMaps{Colours: mapColours, Width: mapWidth, Height: mapHeight}
	for i, o := range outs {
		m.Outlines = append(m.Outlines, htmlOutline{ID: "o" + strconv.Itoa(i), D: template.HTML(pathData(o.Rings))})
	}
	unitOf := map[string]int{}
	for i, u := range res.Units {
		for _, d := range res.Districts[u.Unit] {
			unitOf[d] = i
		}
	}
	excluded := map[string]string{}
	for _, e := range res.Excluded {
		for _, d := range e.Districts {
			excluded[d] = e.Reason
		}
	}
	score := func(k int, u *index.UnitResult) float64 {
		if k < 0 {
			return u.Score
		}
		return u.PillarScores[k]
	}
	for k := -1; k < len(res.Framework.Pillars); k++ {
		title := "Overall score"
		if k >= 0 {
			title = res.Framework.Pillars[k].Name
		}
		vals := make([]float64, len(res.Units))
		for i := range res.Units {
			vals[i] = score(k, &res.Units[i])
		}
		breaks := quintileBreaks(vals)
		mp := htmlMap{Title: title}
		for c := range mapColours {
			mp.Legend = append(mp.Legend, htmlLegend{mapColours[c], fmt.Sprintf("%s–%s", formatScore(breaks[c]), formatScore(breaks[c+1]))})
		}
		mp.Legend = append(mp.Legend, htmlLegend{"#d9d9d9", "excluded"}, htmlLegend{"#f7f7f7", "no police data"})
		for i, o := range outs {
			a := htmlArea{Ref: "#o" + strconv.Itoa(i), Fill: "#f7f7f7", Title: o.District + ": no police data loaded"}
			if j, ok := unitOf[o.District]; ok {
				u := &res.Units[j]
				v := score(k, u)
				a.Fill = mapColours[classOf(v, breaks)]
				a.Title = fmt.Sprintf("%s (%s): %s, rank %d", o.District, u.Unit, formatScore(v), u.Rank)
			} else if why, ok := excluded[o.District]; ok {
				a.Fill, a.Title = "#d9d9d9", o.District+": excluded — "+why
			}
			mp.Areas = append(mp.Areas, a)
		}
		m.Maps = append(m.Maps, mp)
	}
	m.NotDrawn = notDrawn(outs, res)
	return m
}

// notDrawn lists, as "District (unit)", the districts of scored units that
// have no outline.
func notDrawn(outs []geography.Outline, res *index.Result) []string {
	drawn := map[string]bool{}
	for _, o := range outs {
		drawn[o.District] = true
	}
	var out []string
	for _, u := range res.Units {
		for _, d := range res.Districts[u.Unit] {
			if !drawn[d] {
				out = append(out, fmt.Sprintf("%s (%s)", d, u.Unit))
			}
		}
	}
	slices.Sort(out)
	return out
}

// pathData draws rings as SVG path data in map pixels, one decimal.
func pathData(rings [][][2]float64) string {
	var b strings.Builder
	for _, r := range rings {
		for i, p := range r {
			cmd := " L"
			if i == 0 {
				cmd = "M"
				if b.Len() > 0 {
					cmd = " M"
				}
			}
			fmt.Fprintf(&b, "%s%.1f %.1f", cmd, (p[0]-mapMinE)/mapMetresPerPx, (mapMaxN-p[1])/mapMetresPerPx)
		}
		b.WriteString(" Z")
	}
	return b.String()
}

// quintileBreaks returns the six class limits of five classes with equal
// numbers of units: the minimum, the 20th…80th percentiles, the maximum.
func quintileBreaks(vals []float64) []float64 {
	s := slices.Clone(vals)
	slices.Sort(s)
	out := make([]float64, 6)
	for c := range out {
		out[c] = s[int(math.Round(float64(c)/5*float64(len(s)-1)))]
	}
	return out
}

func classOf(v float64, breaks []float64) int {
	for c := 1; c < len(breaks)-1; c++ {
		if v < breaks[c] {
			return c - 1
		}
	}
	return len(breaks) - 2
}
