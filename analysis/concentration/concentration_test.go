package concentration

import (
	"errors"
	"math"
	"slices"
	"testing"
)

func zeros(n int) []float64 { return make([]float64, n) }

// TestGiniMatchesLorenzgini checks the examples documented in Bernasco &
// Steenbeek's R package lorenzgini (gini(x, unbiased = FALSE)).
func TestGiniMatchesLorenzgini(t *testing.T) {
	for _, tc := range []struct {
		counts            []float64
		gini, generalized float64
	}{
		{append([]float64{10, 8, 2}, zeros(7)...), 0.78, 0.78}, // 20 crimes ≥ 10 places
		{append([]float64{5, 2, 1}, zeros(7)...), 0.8, 0.75},   // 8 crimes < 10 places
		{append([]float64{10}, zeros(9)...), 0.9, 0.9},         // all in one place
		{append([]float64{10}, zeros(99)...), 0.99, 0.9},       // n/N = 10
		{[]float64{1, 0, 1, 0, 1, 0, 1, 0, 1, 0}, 0.5, 0},      // 5 crimes in 5 places: most equal possible
		{[]float64{3, 3, 3, 3}, 0, 0},
	} {
		r, err := Measure(tc.counts, nil)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(r.Gini-tc.gini) > 1e-12 || math.Abs(r.GeneralizedGini-tc.generalized) > 1e-12 {
			t.Errorf("%v: Gini %v, generalized %v; want %v, %v", tc.counts, r.Gini, r.GeneralizedGini, tc.gini, tc.generalized)
		}
	}
}

func TestTopSharesLorenzAndHalf(t *testing.T) {
	// 200 places: 2 with 30 crimes, 20 with 5, 178 with 0.5: 60+100+89 = 249.
	counts := make([]float64, 200)
	for i := range counts {
		switch {
		case i%100 == 7:
			counts[i] = 30
		case i%10 == 3:
			counts[i] = 5
		default:
			counts[i] = 0.5
		}
	}
	r, err := Measure(counts, []float64{1, 5, 10})
	if err != nil {
		t.Fatal(err)
	}
	want := []TopShare{{1, 2, 60, 60.0 / 249}, {5, 10, 100, 100.0 / 249}, {10, 20, 150, 150.0 / 249}}
	if !slices.Equal(r.Top, want) {
		t.Errorf("top shares %v, want %v", r.Top, want)
	}
	// Half of 249 is 124.5: the 2 places of 30 and 13 of 5 (60+65).
	if len(r.Half) != 15 || r.Half[0] != 7 || r.Half[1] != 107 || r.Half[2] != 3 || r.HalfShare != 0.075 {
		t.Errorf("half of crime at %v (share %v), want the 2 places of 30 then 13 of 5", r.Half, r.HalfShare)
	}
	if l := r.Lorenz; len(l) != 101 || l[0] != (LorenzPoint{0, 0}) || l[100] != (LorenzPoint{1, 1}) || math.Abs(l[90].CrimeShare-99.0/249) > 1e-12 {
		t.Errorf("Lorenz curve %v … %v … %v", l[0], l[90], l[100])
	}
}

func TestMeasureErrors(t *testing.T) {
	if _, err := Measure(zeros(5), nil); !errors.Is(err, ErrNoCrime) {
		t.Errorf("no crime: %v", err)
	}
	if _, err := Measure([]float64{1, -1}, nil); err == nil {
		t.Error("negative count accepted")
	}
	if _, err := Measure([]float64{1, 2}, []float64{0}); err == nil {
		t.Error("top 0 % accepted")
	}
}
