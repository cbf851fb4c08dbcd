package spatstat

import (
	"math"
	"testing"
)

func TestMeasureAccuracy(t *testing.T) {
	// Ten cells, the first two hot spots (a/A = 0.2).
	// Test month:     hot 6 + 4 = 10 of 20 crimes → hit rate 0.5, PAI 2.5.
	// Previous month: hot 4 + 1 = 5 of 25 crimes.
	// RRI = (10/5) / (20/25) = 2.5.
	test := []float64{6, 4, 1, 1, 2, 0, 3, 1, 1, 1}
	previous := []float64{4, 1, 5, 5, 2, 2, 2, 2, 1, 1}
	got, err := MeasureAccuracy([]int{1, 0}, test, previous)
	if err != nil {
		t.Fatal(err)
	}
	want := Accuracy{Cells: 2, Hits: 10, Total: 20, AreaShare: 0.2, HitRate: 0.5, PAI: 2.5, RRI: 2.5}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}

	got, err = MeasureAccuracy([]int{5}, test, previous)
	if err != nil {
		t.Fatal(err)
	}
	if got.PAI != 0 || got.RRI != 0 {
		t.Errorf("cell with no test crime: PAI %v, RRI %v; want 0, 0", got.PAI, got.RRI)
	}

	// No crime in the hot spots in the previous period: nothing to recapture.
	previous[0], previous[1] = 0, 0
	if got, _ := MeasureAccuracy([]int{0, 1}, test, previous); !math.IsNaN(got.RRI) || got.PAI != 2.5 {
		t.Errorf("n_{t−1} = 0: RRI %v, PAI %v; want NaN, 2.5", got.RRI, got.PAI)
	}
	if got, _ := MeasureAccuracy([]int{0, 1}, test, nil); !math.IsNaN(got.RRI) {
		t.Errorf("no previous period: RRI %v, want NaN", got.RRI)
	}
	if got, _ := MeasureAccuracy([]int{0}, make([]float64, 10), nil); !math.IsNaN(got.HitRate) || !math.IsNaN(got.PAI) {
		t.Errorf("no crime: hit rate %v, PAI %v; want NaN", got.HitRate, got.PAI)
	}
}

func TestMeasureAccuracyErrors(t *testing.T) {
	test := []float64{1, 2, 3}
	for name, call := range map[string]func() (Accuracy, error){
		"out of range": func() (Accuracy, error) { return MeasureAccuracy([]int{3}, test, nil) },
		"negative":     func() (Accuracy, error) { return MeasureAccuracy([]int{-1}, test, nil) },
		"duplicate":    func() (Accuracy, error) { return MeasureAccuracy([]int{1, 1}, test, nil) },
		"previous":     func() (Accuracy, error) { return MeasureAccuracy([]int{1}, test, []float64{1}) },
		"no cells":     func() (Accuracy, error) { return MeasureAccuracy(nil, nil, nil) },
	} {
		if _, err := call(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
