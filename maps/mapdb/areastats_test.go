package mapdb

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/safercity/safercity/hotspots"
	"github.com/safercity/safercity/internal/sampletest"
	"github.com/safercity/safercity/internal/storetest"
	"github.com/safercity/safercity/maps"
)

// TestAreaStatClasses draws the sample's City of London LSOAs by each
// stored area statistic, with the ONS population loaded: every stored LSOA
// is drawn once, rate classes follow the stored rates (a higher rate never
// in a lower class), excess risk and change take the class of the stored
// figures, and a cell layer is refused.
func TestAreaStatClasses(t *testing.T) {
	st := hotspotStore(t)
	storetest.Feeds(t, st, "../..", "ons-population-2019")
	p := hotspots.Profile{Name: "nte", Groups: []string{"nte"}, Measure: "count"}
	if _, err := hotspots.Run(context.Background(), st, hotspots.Options{Profile: p, Month: month, Force: "city-of-london"}); err != nil {
		t.Fatal(err)
	}
	for _, class := range []string{"rate", "ebrate", "excess", "change"} {
		m, err := Load(context.Background(), st, Options{Profile: "nte", Month: sampletest.Month, Layer: "lsoa", Class: class})
		if err != nil {
			t.Fatal(class, err)
		}
		if len(m.Features) != 6 {
			t.Fatalf("%s: %d features, want the City's 6 LSOAs", class, len(m.Features))
		}
		rank := map[string]int{}
		for _, c := range m.Legend.Classes {
			rank[c.Key] = c.Rank
		}
		type pt struct {
			v    float64
			rank int
		}
		var pts []pt
		for _, f := range m.Features {
			r, ok := rank[f.Class]
			if !ok {
				t.Fatalf("%s: class %q not in the legend", class, f.Class)
			}
			switch class {
			case "excess":
				if want := maps.ExcessClass(prop(f, "excess_risk").(float64)); f.Class != want {
					t.Errorf("excess: class %q, want %q", f.Class, want)
				}
			case "change":
				if want := maps.ChangeClass(prop(f, "change").(float64), prop(f, "beyond_noise").(bool)); f.Class != want || prop(f, "comparison") != "prev3" {
					t.Errorf("change: class %q, want %q (comparison %v; the sample has no 2019-11)", f.Class, want, prop(f, "comparison"))
				}
			default:
				v := prop(f, "raw_rate").(float64)
				if class == "ebrate" {
					v = prop(f, "spatial_eb_rate").(float64)
				}
				if math.IsNaN(v) {
					t.Fatalf("%s: %s has no rate though the population is loaded", class, prop(f, "code"))
				}
				pts = append(pts, pt{v, r})
			}
		}
		slices.SortFunc(pts, func(a, b pt) int { return int(math.Copysign(1, a.v-b.v)) })
		for i := 1; i < len(pts); i++ {
			if pts[i].rank < pts[i-1].rank {
				t.Errorf("%s: rate %v in a lower class than %v", class, pts[i].v, pts[i-1].v)
			}
		}
	}
	if _, err := Load(context.Background(), st, Options{Profile: "nte", Month: month, Class: "rate"}); err == nil {
		t.Error("a rate map of cells was drawn")
	}
	_, err := Load(context.Background(), st, Options{Profile: "nte", Month: month, Layer: "lsoa", Class: "rate", Force: "leicestershire"})
	if err == nil || errors.Is(err, context.Canceled) {
		t.Errorf("rates of a force not run: %v", err)
	}
}

func prop(f maps.Feature, name string) any {
	for _, p := range f.Properties {
		if p.Name == name {
			return p.Value
		}
	}
	return nil
}
