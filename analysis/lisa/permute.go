package lisa

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"sync"
)

// permute returns two conditional permutation pseudo p-values of each
// location: holding x_i fixed, the other n−1 values are shuffled over the
// locations and I_i recomputed R times. I_i is z_i/m2 times the lag, so it
// orders the draws as their neighbour sums do.
//
// two is the two-sided count that treats ties conservatively: M counts
// the draws whose neighbour sum is at least as far from its exact
// conditional mean μ_i = k_i(Σx − x_i)/(n−1) as the observed one (so
// |I_i − E[I_i]| at least the observed, ≥ not >), p = (M+1)/(R+1). It
// tests what spdep localmoran_perm's "Pr(z != E(Ii)) Sim" tests, but by the
// count rather than R's average rank, and a draw tied with the observed
// sum is as extreme. folded is GeoDa's (and spdep's "Pr(folded) Sim",
// rank = FALSE): M counts the draws at least the observed one on the side
// of the observed I, folded to min(M, R−M), so that draws tied with the
// observed sum fall on one side only — on sparse counts, where a cell's
// neighbours all holding none ties most draws, a cell then reads as
// significant whose I is the commonest value. two ≥ folded always.
//
// Under that null the k_i neighbours of location i are a random k_i-subset
// of the other values — all values less one copy of x_i — so the reference
// distribution depends only on (x_i, k_i). Locations sharing both (zero
// cells with a full neighbourhood: most of a grid) share one set of R draws
// instead of R per location; each location's test is still an exact
// permutation test. Fractional values (harm weights) rarely repeat, so
// there each location costs its own R draws of k_i values. Draws compare sums of raw values, so counts tie
// exactly instead of by rounding of products as in GeoDa. A location at
// the mean (z_i = 0) or without neighbours has I_i = 0 under every
// permutation and gets p = 1. Groups are seeded by their index, so results
// do not depend on the number of goroutines.
func permute(values []float64, neighbours []int32, sums []float64, mean float64, opt Options) (two, folded []float64) {
	type key struct {
		x float64
		k int32
	}
	type group struct {
		rep     int   // a location holding the value x: the copy left out of the pool
		members []int // locations tested against this group's draws
	}
	n := len(values)
	two, folded = make([]float64, n), make([]float64, n)
	total := mean * float64(n)
	index := make(map[key]int)
	var groups []group
	for i, x := range values {
		if neighbours[i] == 0 || x == mean {
			two[i], folded[i] = 1, 1
			continue
		}
		kk := key{x, neighbours[i]}
		gi, ok := index[kk]
		if !ok {
			gi = len(groups)
			index[kk] = gi
			groups = append(groups, group{rep: i})
		}
		groups[gi].members = append(groups[gi].members, i)
	}

	workers := min(runtime.GOMAXPROCS(0), len(groups))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			s := newSampler(n)
			draws := make([]float64, opt.Permutations)
			for gi := w; gi < len(groups); gi += workers {
				g := groups[gi]
				rng := rand.New(rand.NewPCG(opt.Seed, uint64(gi)))
				k := int(neighbours[g.rep])
				for r := range draws {
					draws[r] = s.sum(rng, values, g.rep, k)
				}
				slices.Sort(draws)
				mu := float64(k) * (total - values[g.rep]) / float64(n-1)
				for _, i := range g.members {
					folded[i] = pseudoP(draws, sums[i], values[i] > mean)
					two[i] = twoSidedP(draws, sums[i], mu)
				}
			}
		})
	}
	wg.Wait()
	return two, folded
}

// pseudoP returns (min(M, R−M)+1)/(R+1) where M counts the sorted draws at
// least as large as obs when high is set (I_i grows with the neighbours'
// sum when x_i is above the mean) and at most as large otherwise.
func pseudoP(sorted []float64, obs float64, high bool) float64 {
	r := len(sorted)
	var m int
	if high {
		m = r - lowerBound(sorted, obs) // draws ≥ obs
	} else {
		m = upperBound(sorted, obs) // draws ≤ obs
	}
	return float64(min(m, r-m)+1) / float64(r+1)
}

// twoSidedP returns (M+1)/(R+1) where M counts the sorted draws at least
// as far from mu as obs. The bounds are widened by a relative 1e-12 so that
// a draw at the mirror image of obs, equally extreme, is not lost to the
// rounding of mu.
func twoSidedP(sorted []float64, obs, mu float64) float64 {
	r := len(sorted)
	dev := math.Abs(obs - mu)
	tol := 1e-12 * max(math.Abs(obs), math.Abs(mu), 1)
	if dev <= tol {
		return 1 // every draw is at least as far from the mean
	}
	m := upperBound(sorted, mu-dev+tol) + r - lowerBound(sorted, mu+dev-tol)
	return float64(min(m, r)+1) / float64(r+1)
}

func lowerBound(s []float64, v float64) int {
	i, _ := slices.BinarySearch(s, v)
	return i
}

func upperBound(s []float64, v float64) int {
	return sort.Search(len(s), func(i int) bool { return s[i] > v })
}

// A sampler draws subsets without replacement by rejection: indices are
// drawn uniformly and redrawn when already taken, marked by a stamp per
// draw so the marks never need clearing. Unlike a shuffle of a shared pool,
// what it draws depends only on the random stream, so each group's draws
// are the same whichever goroutine makes them. A draw of k from n costs
// about n·ln(n/(n−k)) index draws: k for the sparse neighbourhoods of a
// grid, n·ln n at worst.
type sampler struct {
	mark  []uint32
	stamp uint32
}

func newSampler(n int) *sampler { return &sampler{mark: make([]uint32, n)} }

// sum returns the sum of the values of k locations drawn uniformly without
// replacement from all but location skip.
func (s *sampler) sum(rng *rand.Rand, values []float64, skip, k int) float64 {
	s.stamp++
	if s.stamp == 0 { // wrapped: old marks could collide
		clear(s.mark)
		s.stamp = 1
	}
	s.mark[skip] = s.stamp
	var sum float64
	for range k {
		j := rng.IntN(len(s.mark))
		for s.mark[j] == s.stamp {
			j = rng.IntN(len(s.mark))
		}
		s.mark[j] = s.stamp
		sum += values[j]
	}
	return sum
}
