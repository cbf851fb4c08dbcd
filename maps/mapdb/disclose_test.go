package mapdb

import (
	"strings"
	"testing"

	"github.com/safercity/safercity/disclosure"
	"github.com/safercity/safercity/maps"
)

// TestDisclose: a map's cells carried exact partner incidents (and a
// measure adding them to public police crimes); after the policy a cell
// with a few is gone and every other carries a rounded count, with
// measure − count equal to it.
func TestDisclose(t *testing.T) {
	cell := func(ref string, crimes, incidents int64) maps.Feature {
		return maps.Feature{Properties: []maps.Property{{Name: "grid_ref", Value: ref}, {Name: "count", Value: crimes},
			{Name: "incidents", Value: incidents}, {Name: "measure", Value: float64(crimes + incidents)}}}
	}
	m := &maps.Map{Features: []maps.Feature{cell("a", 9, 0), cell("b", 4, 2), cell("c", 6, 7), cell("d", 1, 13)}}
	disclose(disclosure.Default(), m)
	var got []string
	for _, f := range m.Features {
		count, inc, measure := property(f, "count").(int64), property(f, "incidents").(int64), property(f, "measure").(float64)
		got = append(got, property(f, "grid_ref").(string))
		if inc%5 != 0 || measure-float64(count) != float64(inc) {
			t.Errorf("%v: incidents %d, measure %v − count %d", property(f, "grid_ref"), inc, measure, count)
		}
	}
	if strings.Join(got, " ") != "a c d" {
		t.Errorf("cells %v, want a c d (b holds 2 incidents)", got)
	}
	if len(m.Attribution) != 1 || !strings.Contains(m.Attribution[0], "1 cells or areas withheld") {
		t.Errorf("attribution %q", m.Attribution)
	}
	police := &maps.Map{Features: []maps.Feature{cell("a", 9, 0)}}
	if disclose(disclosure.Default(), police); len(police.Attribution) != 0 {
		t.Errorf("a police-only map got a disclosure note: %q", police.Attribution)
	}
}
