package knox

import (
	"math/rand/v2"
	"runtime"
	"testing"
)

var nrcBands = Options{Distances: []float64{0, 100, 200, 300, 400}, Days: []float64{0, 7, 14, 21, 28}, Permutations: 999, Seed: 3}

// TestObservedTable counts a hand-made set of pairs: A–B 50 m apart and 3
// days, A–C 150 m and 10 days, B–C 100 m (on the break: the upper band) and
// 7 days, D far from all.
func TestObservedTable(t *testing.T) {
	events := []Event{{0, 0, 0}, {50, 0, 3}, {150, 0, 10}, {5000, 0, 1}}
	r, err := Test(events, nrcBands)
	if err != nil {
		t.Fatal(err)
	}
	want := map[[2]int]int{{0, 0}: 1, {1, 1}: 2}
	for d, row := range r.Cells {
		for tb, c := range row {
			if c.Observed != want[[2]int{d, tb}] {
				t.Errorf("cell %d×%d: %d pairs, want %d", d, tb, c.Observed, want[[2]int{d, tb}])
			}
		}
	}
	if r.Pairs != 6 || r.Beyond != 3 {
		t.Errorf("%d pairs, %d beyond; want 6 and 3", r.Pairs, r.Beyond)
	}
	// Manhattan distance: A–C is still 150 m, nothing changes on a line.
	o := nrcBands
	o.Manhattan = true
	if m, _ := Test(events, o); m.Cells[1][1].Observed != 2 {
		t.Errorf("Manhattan: %+v", m.Cells[1])
	}
}

// burglaries returns 400 events spread over 5 km × 5 km and a year, and,
// when near is set, 120 more each within 60 m and 5 days after one of them:
// near repeats of the kind Johnson et al. (2007) report.
func burglaries(near bool) []Event {
	rng := rand.New(rand.NewPCG(11, 12))
	ev := make([]Event, 400)
	for i := range ev {
		ev[i] = Event{rng.Float64() * 5000, rng.Float64() * 5000, rng.Float64() * 365}
	}
	if near {
		for range 120 {
			e := ev[rng.IntN(400)]
			ev = append(ev, Event{e.X + (rng.Float64()-0.5)*80, e.Y + (rng.Float64()-0.5)*80, e.Day + rng.Float64()*5})
		}
	}
	return ev
}

func TestNearRepeatsFound(t *testing.T) {
	r, err := Test(burglaries(true), nrcBands)
	if err != nil {
		t.Fatal(err)
	}
	c := r.Cells[0][0]
	if c.P != 0.001 || c.Ratio < 3 {
		t.Errorf("planted near repeats at 0–100 m, 0–7 days: %+v, want p = 0.001 and a Knox ratio above 3", c)
	}
	if far := r.Cells[3][3]; far.P < 0.05 {
		t.Errorf("300–400 m, 21–28 days has no planted repeats but p = %v", far.P)
	}
}

// TestNoInteraction checks that independent places and times give no
// significant cell at 1 % out of 16, and that results do not depend on the
// number of goroutines.
func TestNoInteraction(t *testing.T) {
	ev := burglaries(false)
	r, err := Test(ev, nrcBands)
	if err != nil {
		t.Fatal(err)
	}
	for d, row := range r.Cells {
		for tb, c := range row {
			if c.P < 0.01 {
				t.Errorf("cell %d×%d: p = %v without space-time interaction", d, tb, c.P)
			}
		}
	}
	old := runtime.GOMAXPROCS(1)
	one, _ := Test(ev, nrcBands)
	runtime.GOMAXPROCS(old)
	if one.Cells[0][0] != r.Cells[0][0] || one.Cells[2][3] != r.Cells[2][3] {
		t.Error("results depend on the number of goroutines")
	}
}

func TestOptionsChecked(t *testing.T) {
	for _, o := range []Options{
		{Distances: []float64{0}, Days: []float64{0, 7}, Permutations: 9},
		{Distances: []float64{0, 100, 50}, Days: []float64{0, 7}, Permutations: 9},
		{Distances: []float64{0, 100}, Days: []float64{0, 7}, Permutations: 0},
	} {
		if _, err := Test(nil, o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}
