package maps

import (
	"math"
	"testing"
)

// TestForecastClass puts each bound in its own class and every class in
// the legend.
func TestForecastClass(t *testing.T) {
	keys := map[string]bool{}
	for _, c := range ForecastLegend().Classes {
		keys[c.Key] = true
	}
	for v, want := range map[float64]string{0: "0", 0.0999: "0", 0.1: "0.1", 0.99: "0.5", 1: "1", 1.5: "1", 2: "2", 40: "2", math.NaN(): ForecastNone} {
		got := ForecastClass(v)
		if got != want || !keys[got] {
			t.Errorf("%g: class %q (in legend %v), want %q", v, got, keys[got], want)
		}
	}
}
