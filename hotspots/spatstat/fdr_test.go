package spatstat

import (
	"math"
	"testing"
)

// Expected values worked by hand with R's definition,
// pmin(1, cummin(n/i * p[o]))[ro] over p sorted in decreasing order.
func TestAdjustBH(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name    string
		p, want []float64
	}{
		{"step-up", []float64{0.01, 0.04, 0.03, 0.005}, []float64{0.02, 0.04, 0.04, 0.02}},
		{"capped at 1 and monotone", []float64{0.5, 0.9, 0.95}, []float64{0.95, 0.95, 0.95}},
		{"ties", []float64{0.02, 0.02, 0.02, 0.5}, []float64{4.0 / 3 * 0.02, 4.0 / 3 * 0.02, 4.0 / 3 * 0.02, 0.5}},
		{"NaN not counted", []float64{0.01, nan, 0.04, 0.03, 0.005}, []float64{0.02, nan, 0.04, 0.04, 0.02}},
		{"empty", []float64{}, []float64{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := AdjustBH(tc.p)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d values, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if math.IsNaN(tc.want[i]) != math.IsNaN(got[i]) || math.Abs(got[i]-tc.want[i]) > 1e-15 {
					t.Errorf("AdjustBH(%v) = %v, want %v", tc.p, got, tc.want)
					break
				}
			}
		})
	}
}
