package serve

import (
	"strings"
	"testing"

	"github.com/safercity/safercity/internal/sampletest"
)

// TestTrendMapRenders colours the dashboard's map by emerging trend, which
// answered HTTP 500 when the 17-pattern legend did not fit the page.
func TestTrendMapRenders(t *testing.T) {
	s, st, _ := newServer(t)
	sampletest.NTEHotspots(t, st, "..")
	w := send(s, "GET", "/hotspots/nte/2020-11?class=trend", local)
	body := w.Body.String()
	if w.Code != 200 {
		t.Fatalf("trend map: HTTP %d %.500s", w.Code, body)
	}
	for _, want := range []string{"Emerging hot spot analysis", "Hot spot trends", "Cold spot trends", "No pattern detected"} {
		if !strings.Contains(body, want) {
			t.Errorf("the trend map lacks %q", want)
		}
	}
}

// The dashboard's map draws the stored area statistics too: LSOAs by
// their smoothed rate and by change.
func TestAreaStatMapsRender(t *testing.T) {
	s, st, _ := newServer(t)
	sampletest.NTEHotspots(t, st, "..")
	for class, want := range map[string]string{"ebrate": "the spatial Empirical Bayes crime rate", "change": "change against the same month last year"} {
		w := send(s, "GET", "/hotspots/nte/2020-11?force=city-of-london&class="+class+"&layer=lsoa", local)
		body := w.Body.String()
		if w.Code != 200 {
			t.Fatalf("%s map: HTTP %d %.500s", class, w.Code, body)
		}
		if !strings.Contains(body, "LSOAs coloured by "+want) || !strings.Contains(body, "<svg") {
			t.Errorf("the %s map page lacks its subtitle or map", class)
		}
	}
}
