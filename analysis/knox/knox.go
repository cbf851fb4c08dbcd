// Package knox runs the Knox test for space–time clustering over distance
// × time bands with Monte Carlo p-values, as the Near Repeat Calculator
// (Ratcliffe) and its open ports do: it says whether, after one crime,
// others follow nearby sooner than chance — repeat and near-repeat
// victimisation.
//
// Sources: Knox (1964) "The detection of space–time interactions", Applied
// Statistics 13(1):25–30; Johnson et al. (2007) "Space–time patterns of
// risk: a cross national assessment of residential burglary
// victimization", J Quant Criminol 23:201–219 (near repeats to about 200 m
// and two weeks); the R package NearRepeat (Steenbeek,
// wsteenbeek/NearRepeat), whose conventions are kept: every pair of events
// is counted in the band of its distance and of its time apart, bands are
// closed on the left and open on the right ([0, 100) m, [100, 200) m, …),
// the null distribution permutes the times over the events, the Knox ratio
// is observed over the mean of the permutations and p = (#{simulated ≥
// observed} + 1)/(R + 1).
//
// Times need a resolution finer than the time bands: police.uk street
// crimes carry only a month and a snapped location, so the test is meant
// for partner incidents with timestamps; on monthly data every pair in the
// same month has time apart 0.
package knox

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
)

// An Event is an incident at planar coordinates in metres and a time in
// days (fractions allowed) from any origin.
type Event struct{ X, Y, Day float64 }

// Options sets the bands and the simulation.
type Options struct {
	// Distances are the distance band breaks in metres, increasing from 0,
	// e.g. 0, 100, 200, 300, 400: bands [0, 100), …, [300, 400).
	Distances []float64
	// Days are the time band breaks in days, e.g. 0, 7, 14, 21, 28.
	Days []float64
	// Manhattan measures distance as |dx| + |dy| (the NearRepeat default,
	// a rough street distance) instead of straight lines.
	Manhattan bool
	// Permutations is the number of Monte Carlo permutations (999 as the
	// Near Repeat Calculator); Seed makes them reproducible.
	Permutations int
	Seed         uint64
	// MaxWork, when above 0, bounds the close pairs times permutations the
	// test recounts: with more close pairs, fewer permutations are run
	// (Result.Permutations says how many), and with too many for
	// MinPermutations, Test returns ErrTooManyPairs.
	MaxWork int
}

// MinPermutations is the fewest permutations a bounded test runs: a p
// value can then still reach 0.01.
const MinPermutations = 99

// ErrTooManyPairs is returned when even MinPermutations would exceed
// Options.MaxWork.
var ErrTooManyPairs = errors.New("knox: too many close pairs for the work allowed")

// A Cell is one distance × time band of the table.
type Cell struct {
	Observed int
	// Expected is the mean count over the permutations.
	Expected float64
	// Marginal is the count expected exactly under the null that the
	// permutations sample: the pairs in the distance band times the share
	// of all pairs in the time band, N_d·M_t/P (Knox 1964's expectation
	// from the table's margins). Expected estimates it.
	Marginal float64
	// Ratio is Observed/Expected, the Knox ratio: 1.5 means 50 % more pairs
	// this close in space and time than chance gives. NaN for 0/0.
	Ratio float64
	P     float64 // (#{simulated ≥ observed} + 1)/(R + 1)
}

// Result is the Knox table: Cells[d][t] for distance band d and time band
// t. Pairs at or beyond the last distance or time break are in no cell and
// are counted in Beyond.
type Result struct {
	Events       int
	Permutations int // run: Options.Permutations, or fewer under MaxWork
	Pairs        int // n(n−1)/2
	Beyond       int
	Cells        [][]Cell
}

// Test runs the Knox test on events.
func Test(events []Event, o Options) (Result, error) {
	if err := o.check(); err != nil {
		return Result{}, err
	}
	for i, e := range events {
		for _, v := range []float64{e.X, e.Y, e.Day} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return Result{}, fmt.Errorf("knox: event %d is at (%v, %v) on day %v", i, e.X, e.Y, e.Day)
			}
		}
	}
	n := len(events)
	pairs := closePairs(events, o)
	nd, nt := len(o.Distances)-1, len(o.Days)-1
	days := make([]float64, n)
	for i, e := range events {
		days[i] = e.Day
	}
	if o.MaxWork > 0 && len(pairs)*o.Permutations > o.MaxWork {
		if len(pairs)*MinPermutations > o.MaxWork {
			return Result{}, fmt.Errorf("%w: %d pairs within %g m, at least %d permutations", ErrTooManyPairs, len(pairs), o.Distances[len(o.Distances)-1], MinPermutations)
		}
		o.Permutations = o.MaxWork / len(pairs)
	}
	observed := count(pairs, days, o.Days, nd)
	r := Result{Events: n, Permutations: o.Permutations, Pairs: n * (n - 1) / 2, Cells: make([][]Cell, nd)}
	r.Beyond = r.Pairs
	for _, c := range observed {
		r.Beyond -= c
	}
	ge, sum := simulate(pairs, days, o, observed)
	inDistance := make([]int, nd)
	for _, p := range pairs {
		inDistance[p.band]++
	}
	inTime := timePairs(days, o.Days)
	for d := range nd {
		r.Cells[d] = make([]Cell, nt)
		for t := range nt {
			k := d*nt + t
			exp := float64(sum[k]) / float64(o.Permutations)
			r.Cells[d][t] = Cell{
				Observed: observed[k],
				Expected: exp,
				Marginal: float64(inDistance[d]) * float64(inTime[t]) / float64(r.Pairs),
				Ratio:    float64(observed[k]) / exp,
				P:        float64(ge[k]+1) / float64(o.Permutations+1),
			}
		}
	}
	return r, nil
}

func (o Options) check() error {
	for _, b := range []struct {
		name   string
		breaks []float64
	}{{"distance", o.Distances}, {"time", o.Days}} {
		if len(b.breaks) < 2 {
			return fmt.Errorf("knox: give at least two %s breaks, e.g. 0 and 100", b.name)
		}
		for i, v := range b.breaks {
			if !(v >= 0) || math.IsInf(v, 0) || (i > 0 && v <= b.breaks[i-1]) {
				return fmt.Errorf("knox: %s breaks %v must be finite, non-negative and increasing", b.name, b.breaks)
			}
		}
	}
	if o.Permutations < 1 {
		return fmt.Errorf("knox: %d permutations; the Near Repeat Calculator uses 999", o.Permutations)
	}
	return nil
}

// A pair is two events closer than the last distance break, with the band
// of their distance.
type pair struct {
	i, j int32
	band int32
}

// closePairs returns the pairs of events closer than the last distance
// break, sweeping the events in order of x: only events within that
// distance in x can be that close.
func closePairs(events []Event, o Options) []pair {
	maxD := o.Distances[len(o.Distances)-1]
	order := make([]int32, len(events))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return cmp.Compare(events[a].X, events[b].X) })
	var out []pair
	for a, i := range order {
		ei := events[i]
		for _, j := range order[a+1:] {
			ej := events[j]
			if ej.X-ei.X >= maxD {
				break
			}
			dx, dy := math.Abs(ej.X-ei.X), math.Abs(ej.Y-ei.Y)
			d := dx + dy
			if !o.Manhattan {
				d = math.Hypot(dx, dy)
			}
			if b := band(o.Distances, d); b >= 0 {
				out = append(out, pair{i, j, int32(b)})
			}
		}
	}
	return out
}

// band returns the index of the band [breaks[k], breaks[k+1]) holding v, or
// −1 when v is beyond the last break.
func band(breaks []float64, v float64) int {
	k, found := slices.BinarySearch(breaks, v)
	if !found {
		k--
	}
	if k < 0 || k >= len(breaks)-1 {
		return -1
	}
	return k
}

// timePairs returns, per time band, the pairs of all events whose time
// apart is in it: pairs closer than the band's upper break less those
// closer than its lower one, counted over the sorted times.
func timePairs(days, breaks []float64) []int {
	sorted := slices.Clone(days)
	slices.Sort(sorted)
	closer := func(limit float64) int { // pairs with time apart < limit
		n, lo := 0, 0
		for hi, d := range sorted {
			for lo < hi && d-sorted[lo] >= limit {
				lo++
			}
			n += hi - lo
		}
		return n
	}
	out := make([]int, len(breaks)-1)
	for t := range out {
		out[t] = closer(breaks[t+1]) - closer(breaks[t])
	}
	return out
}

// count returns the table of pairs by distance band and time band,
// flattened distance-major.
func count(pairs []pair, days, dayBreaks []float64, nd int) []int {
	nt := len(dayBreaks) - 1
	c := make([]int, nd*nt)
	for _, p := range pairs {
		if t := band(dayBreaks, math.Abs(days[p.i]-days[p.j])); t >= 0 {
			c[int(p.band)*nt+t]++
		}
	}
	return c
}

// simulate permutes the days over the events o.Permutations times and
// returns, per cell, how many permutations reached the observed count and
// the total count. Permutation k draws from its own stream (Seed, k), so
// results do not depend on the number of goroutines.
func simulate(pairs []pair, days []float64, o Options, observed []int) (ge, sum []int) {
	workers := max(1, min(runtime.GOMAXPROCS(0), o.Permutations))
	parts := make([][2][]int, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			ge, sum := make([]int, len(observed)), make([]int, len(observed))
			perm := make([]float64, len(days))
			for k := w; k < o.Permutations; k += workers {
				copy(perm, days)
				rng := rand.New(rand.NewPCG(o.Seed, uint64(k)))
				rng.Shuffle(len(perm), func(a, b int) { perm[a], perm[b] = perm[b], perm[a] })
				for c, v := range count(pairs, perm, o.Days, len(o.Distances)-1) {
					sum[c] += v
					if v >= observed[c] {
						ge[c]++
					}
				}
			}
			parts[w] = [2][]int{ge, sum}
		})
	}
	wg.Wait()
	ge, sum = make([]int, len(observed)), make([]int, len(observed))
	for _, p := range parts {
		for c := range observed {
			ge[c] += p[0][c]
			sum[c] += p[1][c]
		}
	}
	return ge, sum
}
