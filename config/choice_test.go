package config

import (
	"strings"
	"testing"

	"github.com/safercity/safercity/maps/mapfile"
)

// TestChoicesSuggestTheNearest: a mistyped setting value or map format is
// refused with the nearest valid one and the list of all.
func TestChoicesSuggestTheNearest(t *testing.T) {
	for _, c := range []struct {
		err  error
		want []string
	}{
		{notOneOf("index.weights", "pcaa", "equal", "pca", "expert"), []string{`"pcaa"`, `did you mean "pca"?`, "want equal, pca or expert"}},
		{notOneOf("index.aggregation", "xyz", "arithmetic", "geometric"), []string{`"xyz": want arithmetic or geometric`}},
		{mapfile.Check("geojsn"), []string{`did you mean "geojson"?`, "use geojson, kml"}},
	} {
		for _, w := range c.want {
			if c.err == nil || !strings.Contains(c.err.Error(), w) {
				t.Errorf("%v: want %q in it", c.err, w)
			}
		}
	}
	if strings.Contains(notOneOf("index.aggregation", "xyz", "arithmetic", "geometric").Error(), "did you mean") {
		t.Error("a value like no choice got a suggestion")
	}
}
