package spatstat

import (
	"math"
	"testing"
)

func TestMannKendallTest(t *testing.T) {
	for _, tc := range []struct {
		name string
		x    []float64
		want MannKendall
	}{
		{
			// 45 increasing pairs; Var = 10·9·25/18.
			name: "1..10",
			x:    []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
			want: MannKendall{S: 45, VarS: 125, Z: 44 / math.Sqrt(125), P: 8.303070332644999e-05},
		},
		{
			name: "10..1",
			x:    []float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1},
			want: MannKendall{S: -45, VarS: 125, Z: -44 / math.Sqrt(125), P: 8.303070332644999e-05},
		},
		{
			// Pairs: five increasing, the tied pair 0. One tie group of 2:
			// Var = (4·3·13 − 2·1·9)/18 = 138/18.
			name: "ties",
			x:    []float64{1, 2, 2, 3},
			want: MannKendall{S: 5, VarS: 138.0 / 18, Z: 4 / math.Sqrt(138.0/18), P: 0.1485617748918687},
		},
		{
			// Pairs +, +, −: S = 1, which the continuity correction makes Z = 0.
			name: "continuity correction",
			x:    []float64{1, 3, 2},
			want: MannKendall{S: 1, VarS: 3 * 2 * 11 / 18.0, Z: 0, P: 1},
		},
		{
			name: "constant",
			x:    []float64{4, 4, 4, 4, 4},
			want: MannKendall{S: 0, VarS: 0, Z: 0, P: 1},
		},
		{
			name: "single value",
			x:    []float64{4},
			want: MannKendall{P: 1},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := MannKendallTest(tc.x)
			if got.S != tc.want.S || math.Abs(got.VarS-tc.want.VarS) > 1e-12 ||
				math.Abs(got.Z-tc.want.Z) > 1e-12 || math.Abs(got.P-tc.want.P) > 1e-12 {
				t.Errorf("MannKendallTest(%v) = %+v, want %+v", tc.x, got, tc.want)
			}
		})
	}
}
