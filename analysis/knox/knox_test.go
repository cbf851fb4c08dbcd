package knox

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
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
	// By hand: distance bands hold A–B; A–C, B–C (N = 1, 2, 0, 0); time
	// bands A–B, A–D, B–D (1–3 days); A–C, B–C, C–D (7–10 days): M = 3, 3,
	// 0, 0; P = 6, so N_d·M_t/P is 0.5 in the first row and 1 in the second.
	for d, want := range []float64{0.5, 1, 0, 0} {
		for tb, c := range r.Cells[d] {
			if w := want * float64(min(1, 2-min(2, tb))); c.Marginal != w {
				t.Errorf("cell %d×%d: marginal expectation %v, by hand %v", d, tb, c.Marginal, w)
			}
		}
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

// bruteTable recounts a Knox table over every pair, independently of the
// package's sweep: observed counts, and the margins N_d (pairs per distance
// band, any time), M_t (pairs per time band, any distance) and P.
func bruteTable(ev []Event, o Options) (obs [][]int, nd, mt []int, pairs int) {
	in := func(breaks []float64, v float64) int {
		for k := 0; k+1 < len(breaks); k++ {
			if breaks[k] <= v && v < breaks[k+1] {
				return k
			}
		}
		return -1
	}
	obs = make([][]int, len(o.Distances)-1)
	for d := range obs {
		obs[d] = make([]int, len(o.Days)-1)
	}
	nd, mt = make([]int, len(o.Distances)-1), make([]int, len(o.Days)-1)
	for i := range ev {
		for j := i + 1; j < len(ev); j++ {
			pairs++
			dx, dy := ev[i].X-ev[j].X, ev[i].Y-ev[j].Y
			d := in(o.Distances, math.Sqrt(dx*dx+dy*dy))
			t := in(o.Days, math.Abs(ev[i].Day-ev[j].Day))
			if d >= 0 {
				nd[d]++
			}
			if t >= 0 {
				mt[t]++
			}
			if d >= 0 && t >= 0 {
				obs[d][t]++
			}
		}
	}
	return obs, nd, mt, pairs
}

// slowKnoxP is a second Monte Carlo implementation: its own shuffle of
// the days (Fisher–Yates from another generator) and a brute-force
// recount of every pair for each permutation.
func slowKnoxP(ev []Event, o Options, seed uint64) [][]float64 {
	obs, _, _, _ := bruteTable(ev, o)
	ge := make([][]int, len(obs))
	for d := range ge {
		ge[d] = make([]int, len(obs[d]))
	}
	rng := rand.New(rand.NewChaCha8([32]byte{byte(seed), 7}))
	perm := slices.Clone(ev)
	for range o.Permutations {
		for i := len(perm) - 1; i > 0; i-- {
			j := rng.IntN(i + 1)
			perm[i].Day, perm[j].Day = perm[j].Day, perm[i].Day
		}
		sim, _, _, _ := bruteTable(perm, o)
		for d := range sim {
			for t := range sim[d] {
				if sim[d][t] >= obs[d][t] {
					ge[d][t]++
				}
			}
		}
	}
	p := make([][]float64, len(obs))
	for d := range p {
		p[d] = make([]float64, len(obs[d]))
		for t := range p[d] {
			p[d][t] = float64(ge[d][t]+1) / float64(o.Permutations+1)
		}
	}
	return p
}

// TestAgainstBruteForce checks the table of 520 events with planted near
// repeats, and 400 without, against an O(n²) recount: observed counts and
// the margins' expected counts exactly, the Monte Carlo mean within its
// sampling error of the marginal expectation, and p within binomial
// tolerance of a second, independent permutation test.
func TestAgainstBruteForce(t *testing.T) {
	for _, near := range []bool{true, false} {
		ev := burglaries(near)
		o := nrcBands
		o.Permutations = 199 // the brute-force permutations are O(n²) each
		r, err := Test(ev, o)
		if err != nil {
			t.Fatal(err)
		}
		obs, nd, mt, pairs := bruteTable(ev, o)
		if r.Pairs != pairs {
			t.Fatalf("%d pairs, brute force %d", r.Pairs, pairs)
		}
		slow := slowKnoxP(ev, o, 5)
		for d, row := range r.Cells {
			for tb, c := range row {
				marginal := float64(nd[d]) * float64(mt[tb]) / float64(pairs)
				if c.Observed != obs[d][tb] || c.Marginal != marginal {
					t.Errorf("near %v cell %d×%d: observed %d, marginal %v; brute force %d, %v", near, d, tb, c.Observed, c.Marginal, obs[d][tb], marginal)
				}
				// The mean of R permutations of a count whose variance is at
				// most its mean (pairs sharing events are positively
				// correlated, so allow 3×): 5 standard errors.
				if se := math.Sqrt(3 * marginal / float64(o.Permutations)); math.Abs(c.Expected-marginal) > 5*se+1e-9 {
					t.Errorf("near %v cell %d×%d: Monte Carlo mean %v, marginal %v (se %v)", near, d, tb, c.Expected, marginal, se)
				}
				// Two estimates of the same p from R permutations each.
				p := (c.P + slow[d][tb]) / 2
				if tol := 4*math.Sqrt(2*p*(1-p)/float64(o.Permutations)) + 2.0/float64(o.Permutations); math.Abs(c.P-slow[d][tb]) > tol {
					t.Errorf("near %v cell %d×%d: p %v, second implementation %v (tolerance %v)", near, d, tb, c.P, slow[d][tb], tol)
				}
			}
		}
	}
}

// A bounded test runs fewer permutations on more close pairs, and none
// when even MinPermutations would pass the bound; the observed table is
// the same either way.
func TestMaxWork(t *testing.T) {
	events := burglaries(true)
	full, err := Test(events, nrcBands)
	if err != nil {
		t.Fatal(err)
	}
	var close int // pairs within the last distance break, at any time apart
	for i := range events {
		for j := i + 1; j < len(events); j++ {
			if math.Hypot(events[i].X-events[j].X, events[i].Y-events[j].Y) < 400 {
				close++
			}
		}
	}
	o := nrcBands
	o.MaxWork = close * 199
	bounded, err := Test(events, o)
	if err != nil {
		t.Fatal(err)
	}
	if full.Permutations != nrcBands.Permutations || bounded.Permutations != 199 {
		t.Errorf("permutations %d unbounded and %d bounded to %d pair recounts, want %d and 199", full.Permutations, bounded.Permutations, o.MaxWork, nrcBands.Permutations)
	}
	if bounded.Cells[0][0].Observed != full.Cells[0][0].Observed || bounded.Cells[0][0].P < 1.0/200 {
		t.Errorf("bounded cell %+v against %+v", bounded.Cells[0][0], full.Cells[0][0])
	}
	o.MaxWork = close * (MinPermutations - 1)
	if _, err := Test(events, o); !errors.Is(err, ErrTooManyPairs) {
		t.Errorf("below %d permutations' work: %v, want ErrTooManyPairs", MinPermutations, err)
	}
}
