package spatstat

import (
	"testing"
)

// series turns a pattern such as "..H.HC" into z-scores and p-values: H a
// significant hot spot (z 3, p 0.003), C a significant cold spot, '.' not
// significant (z 0.3, p 0.76).
func series(pattern string) (z, p []float64) {
	for _, c := range pattern {
		switch c {
		case 'H':
			z = append(z, 3)
		case 'C':
			z = append(z, -3)
		default:
			z = append(z, 0.3)
		}
		p = append(p, twoSidedP(z[len(z)-1]))
	}
	return z, p
}

// ramp returns n significant z-scores from a by step, with their p-values.
func ramp(n int, a, step float64) (z, p []float64) {
	for t := range n {
		z = append(z, a+step*float64(t))
		p = append(p, twoSidedP(z[t]))
	}
	return z, p
}

func negate(z []float64) []float64 {
	out := make([]float64, len(z))
	for i, v := range z {
		out[i] = -v
	}
	return out
}

func TestClassifyEmerging(t *testing.T) {
	// Significant every step, no trend: MK S = 1 (Z = 0.09).
	flatZ := []float64{3, 4, 3.5, 3.2, 3.8, 3.1, 3.9, 3.3, 3.6, 3.4}
	flatP := make([]float64, len(flatZ))
	for i, z := range flatZ {
		flatP[i] = twoSidedP(z)
	}
	type tc struct {
		name      string
		z, p      []float64
		hot, cold Pattern // for z and for −z
	}
	var cases []tc
	add := func(name string, z, p []float64, hot, cold Pattern) {
		cases = append(cases, tc{name: name, z: z, p: p, hot: hot, cold: cold})
	}
	for _, c := range []struct {
		pattern   string
		hot, cold Pattern
	}{
		{".........H", NewHotSpot, NewColdSpot},
		{"......HHHH", ConsecutiveHotSpot, ConsecutiveColdSpot},
		{"HHHHHHHH.H", PersistentHotSpot, PersistentColdSpot}, // exactly 90%, constant z
		{"..H..H...H", SporadicHotSpot, SporadicColdSpot},
		{"H.H...HHHH", SporadicHotSpot, SporadicColdSpot}, // a run, but hot before it
		{"C........H", OscillatingHotSpot, OscillatingColdSpot},
		{"CC...HH.HH", OscillatingHotSpot, OscillatingColdSpot},
		{"HHHHHHHHH.", HistoricalHotSpot, HistoricalColdSpot},
		{"HHHHHHHHHC", OscillatingColdSpot, OscillatingHotSpot}, // the final step decides the family
		{"..........", NoPattern, NoPattern},
		{"H...HH....", NoPattern, NoPattern},
		{"HHHHHHHH..", NoPattern, NoPattern},         // 80% is not "mostly"
		{"H", PersistentHotSpot, PersistentColdSpot}, // one step is 100% of them
	} {
		z, p := series(c.pattern)
		add(c.pattern, z, p, c.hot, c.cold)
	}
	z, p := ramp(10, 2.2, 0.3)
	add("rising z", z, p, IntensifyingHotSpot, IntensifyingColdSpot)
	z, p = ramp(10, 5, -0.3)
	add("falling z", z, p, DiminishingHotSpot, DiminishingColdSpot)
	add("flat z", flatZ, flatP, PersistentHotSpot, PersistentColdSpot)

	for _, c := range cases {
		if got := ClassifyEmerging(c.z, c.p, MannKendallTest(c.z), DefaultAlpha); got != c.hot {
			t.Errorf("%s: %v, want %v", c.name, got, c.hot)
		}
		cz := negate(c.z)
		if got := ClassifyEmerging(cz, c.p, MannKendallTest(cz), DefaultAlpha); got != c.cold {
			t.Errorf("%s mirrored: %v, want %v", c.name, got, c.cold)
		}
	}
}

func TestClassifyEmergingAlpha(t *testing.T) {
	// p = 0.03 is significant at 0.05 but not at 0.01.
	z := []float64{0.1, 0.1, 2.17}
	p := []float64{0.9, 0.9, 0.03}
	trend := MannKendallTest(z)
	if got := ClassifyEmerging(z, p, trend, 0.05); got != NewHotSpot {
		t.Errorf("α 0.05: %v, want new hot spot", got)
	}
	if got := ClassifyEmerging(z, p, trend, 0.01); got != NoPattern {
		t.Errorf("α 0.01: %v, want no pattern", got)
	}
}

func TestPatternString(t *testing.T) {
	for p, want := range map[Pattern]string{
		NoPattern:              "no pattern",
		IntensifyingHotSpot:    "intensifying hot spot",
		HistoricalColdSpot:     "historical cold spot",
		OscillatingColdSpot:    "oscillating cold spot",
		HistoricalColdSpot + 1: "Pattern(17)",
	} {
		if got := p.String(); got != want {
			t.Errorf("Pattern(%d).String() = %q, want %q", p, got, want)
		}
	}
}

// TestEmergingHotSpots builds a year of months on a fixed, unclustered
// background: a block whose counts grow every month, and one that appears
// only in the last month; the first month has no crime at all.
func TestEmergingHotSpots(t *testing.T) {
	g := Grid{CellSize: 100, NX: 15, NY: 15}
	const months = 12
	counts := make([][]float64, months)
	for m := range counts {
		counts[m] = make([]float64, g.Len())
		if m == 0 {
			continue
		}
		for i := range counts[m] {
			col, row := g.ColRow(i)
			counts[m][i] = float64((col*7 + row*3) % 3)
			if col >= 6 && col <= 8 && row >= 6 && row <= 8 {
				counts[m][i] += float64(2 + m)
			}
			if m == months-1 && col >= 10 && col <= 12 && row >= 2 && row <= 4 {
				counts[m][i] += 12
			}
		}
	}
	got, err := EmergingHotSpots(g, counts, 150, DefaultAlpha)
	if err != nil {
		t.Fatal(err)
	}
	if c := got[g.Index(7, 7)]; c.Pattern != IntensifyingHotSpot || c.Trend.S <= 0 {
		t.Errorf("growing block: %v (trend %+v), want intensifying hot spot", c.Pattern, c.Trend)
	}
	if c := got[g.Index(11, 3)]; c.Pattern != NewHotSpot {
		t.Errorf("last-month block: %v, want new hot spot", c.Pattern)
	}
	if c := got[g.Index(0, 14)]; c.Pattern != NoPattern && c.Pattern < NewColdSpot {
		t.Errorf("far corner: %v, want no hot spot pattern", c.Pattern)
	}

	for name, call := range map[string]func() error{
		"no steps":   func() error { _, err := EmergingHotSpots(g, nil, 150, 0.05); return err },
		"short step": func() error { _, err := EmergingHotSpots(g, [][]float64{{1}}, 150, 0.05); return err },
		"alpha":      func() error { _, err := EmergingHotSpots(g, counts, 150, 0); return err },
		"band":       func() error { _, err := EmergingHotSpots(g, counts, -1, 0.05); return err },
	} {
		if err := call(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
