package index

import (
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
)

// drawsPerTask is how many draws a worker claims at a time: large enough to
// keep the shared counter cold, small enough to balance two cores.
const drawsPerTask = 64

// splitmix64 scrambles a draw number into a PCG stream selector, so that
// consecutive draws get unrelated streams.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// monteCarlo runs the draws of m.Uncertainty and fills in each unit's rank
// interval. Each draw's randomness depends only on the seed and the draw
// number, each draw's outcome is stored by draw number and the rank counts
// are integers, so the result does not depend on how draws are scheduled.
func (md *model) monteCarlo(res *Result, m Method, norms []Normalisation, aggs []Aggregation) *Uncertainty {
	cfg := m.Uncertainty
	n := md.n
	mc := &mcRun{md: md, res: res, cfg: cfg, norms: norms, aggs: aggs,
		nominalRank: make([]int32, n), shift: make([]float64, cfg.Draws)}
	for i, u := range res.Units {
		mc.nominalRank[i] = int32(u.Rank)
	}
	workers := cfg.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, (cfg.Draws+drawsPerTask-1)/drawsPerTask)
	counts := make([][]int32, workers) // counts[w][unit*n+rank-1]
	// Peer ranks run from 1 to a group's size: peerCounts[w][unit*n+rank-1].
	peerCounts := make([][]int32, workers)
	var wg sync.WaitGroup
	for wk := range workers {
		ds := mc.newDrawState()
		counts[wk], peerCounts[wk] = ds.hist, ds.peerHist
		wg.Add(1)
		go func() {
			defer wg.Done()
			mc.work(ds)
		}()
	}
	wg.Wait()

	total, peerTotal := sumCounts(counts, n*n), sumCounts(peerCounts, n*n)
	for i := range res.Units {
		res.Units[i].Interval = rankInterval(total[i*n:(i+1)*n], cfg.Draws)
		if k := len(md.peers[i]); k > 0 {
			res.Units[i].PeerInterval = rankInterval(peerTotal[i*n:i*n+k+1], cfg.Draws)
		}
	}
	return &Uncertainty{
		Draws:              cfg.Draws,
		Seed:               cfg.Seed,
		WeightPerturbation: cfg.WeightPerturbation,
		Normalisations:     norms,
		Aggregations:       aggs,
		Sensitivity:        md.sensitivity(res, norms, aggs, mc.shift, mc.nominalRank),
	}
}

// mcRun is what the workers of a Monte Carlo run share: the model, the
// nominal ranks, the next draw to claim and each draw's rank shift Y.
type mcRun struct {
	md          *model
	res         *Result
	cfg         UncertaintyConfig
	norms       []Normalisation
	aggs        []Aggregation
	nominalRank []int32
	shift       []float64 // Y of each draw
	next        atomic.Int64
}

// drawState is a worker's random source, buffers and rank histograms.
type drawState struct {
	src            rand.PCG
	rng            *rand.Rand
	w, pw, ew      []float64
	scores         []float64
	ranks          []int32
	buf            []scored
	hist, peerHist []int32
}

func (mc *mcRun) newDrawState() *drawState {
	n := mc.md.n
	ds := &drawState{w: make([]float64, mc.md.m), pw: make([]float64, len(mc.md.members)), ew: make([]float64, mc.md.m),
		scores: make([]float64, n), ranks: make([]int32, n), buf: make([]scored, n),
		hist: make([]int32, n*n), peerHist: make([]int32, n*n)}
	ds.rng = rand.New(&ds.src)
	return ds
}

// work claims draws drawsPerTask at a time until none are left.
func (mc *mcRun) work(ds *drawState) {
	for {
		start := int(mc.next.Add(drawsPerTask)) - drawsPerTask
		if start >= mc.cfg.Draws {
			return
		}
		for d := start; d < min(start+drawsPerTask, mc.cfg.Draws); d++ {
			mc.draw(ds, d)
		}
	}
}

// matrix returns the values whose weighted sum ranks the units under a
// combination: the normalised values for the arithmetic mean, their
// shifted logarithms for the geometric mean (the log of the geometric
// score is linear in them, and the log preserves order).
func (mc *mcRun) matrix(combo int) []float64 {
	v := mc.md.variants[mc.norms[combo/len(mc.aggs)]]
	if mc.aggs[combo%len(mc.aggs)] == Geometric {
		return v.logz
	}
	return v.z
}

// draw d: perturbed weights, the units scored and ranked under the draw's
// combination of choices, and the ranks counted.
func (mc *mcRun) draw(ds *drawState, d int) {
	md, nInd, n := mc.md, mc.md.m, mc.md.n
	ds.src.Seed(mc.cfg.Seed, splitmix64(uint64(d)))
	perturb(ds.w, mc.res.IndicatorWeights, mc.cfg.WeightPerturbation, ds.rng)
	perturb(ds.pw, mc.res.PillarWeights, mc.cfg.WeightPerturbation, ds.rng)
	for _, js := range md.members {
		rescale(ds.w, js)
	}
	var s float64
	for _, x := range ds.pw {
		s += x
	}
	for j := range ds.ew {
		ds.ew[j] = ds.pw[md.pillarOf[j]] / s * ds.w[j]
	}
	x := mc.matrix(d % (len(mc.norms) * len(mc.aggs)))
	for i := range ds.scores {
		row := x[i*nInd : (i+1)*nInd]
		var sc float64
		for j, e := range ds.ew {
			sc += e * row[j]
		}
		ds.scores[i] = sc
	}
	rankInto(ds.ranks, ds.scores, ds.buf)
	var y int32
	for i, r := range ds.ranks {
		ds.hist[i*n+int(r)-1]++
		y += abs32(r - mc.nominalRank[i])
		if len(md.peers[i]) > 0 {
			ds.peerHist[i*n+int(peerRank(ds.ranks, i, md.peers[i]))-1]++
		}
	}
	mc.shift[d] = float64(y) / float64(n)
}

// sumCounts adds up the workers' histograms.
func sumCounts(counts [][]int32, size int) []int64 {
	total := make([]int64, size)
	for _, h := range counts {
		for k, c := range h {
			total[k] += int64(c)
		}
	}
	return total
}

// perturb sets dst[j] = nominal[j]·U(1−spread, 1+spread).
func perturb(dst, nominal []float64, spread float64, rng *rand.Rand) {
	for j, w := range nominal {
		dst[j] = w * (1 + spread*(2*rng.Float64()-1))
	}
}

func abs32(x int32) int32 {
	if x < 0 {
		return -x
	}
	return x
}

// rankInterval summarises counts[r-1], the number of draws giving rank r.
func rankInterval(counts []int64, draws int) RankInterval {
	quantile := func(p float64) int {
		need := int64(math.Ceil(p * float64(draws)))
		var cum int64
		for r, c := range counts {
			cum += c
			if cum >= need {
				return r + 1
			}
		}
		return len(counts)
	}
	var sum int64
	for r, c := range counts {
		sum += int64(r+1) * c
	}
	return RankInterval{
		P05:    quantile(0.05),
		Median: quantile(0.5),
		P95:    quantile(0.95),
		Mean:   float64(sum) / float64(draws),
	}
}

// sensitivity measures how much each choice moves the ranks; see
// ChoiceSensitivity. shift[d] is Y for draw d, which used combination
// d mod len(norms)·len(aggs).
func (md *model) sensitivity(res *Result, norms []Normalisation, aggs []Aggregation, shift []float64, nominalRank []int32) []ChoiceSensitivity {
	ys := newShiftStats(shift, len(norms)*len(aggs))
	nominalCombo := 0 // norms[0] and aggs[0] are the nominal choices
	totalWeights := 0.0
	if ys.variance > 0 {
		totalWeights = ys.within / ys.variance
	}
	oneAtATime := md.nominalShift(res, norms, aggs, nominalRank)
	var normShift, aggShift float64
	for k := 1; k < len(norms); k++ {
		normShift += oneAtATime(k*len(aggs)) / float64(len(norms)-1)
	}
	for k := 1; k < len(aggs); k++ {
		aggShift += oneAtATime(k) / float64(len(aggs)-1)
	}
	return []ChoiceSensitivity{
		{
			Choice:            "weights",
			MeanAbsRankShift:  ys.cellSum[nominalCombo] / float64(ys.cellN[nominalCombo]),
			VarianceShare:     totalWeights,
			VarianceShareKind: "total-order",
		},
		{
			Choice:            "normalisation",
			MeanAbsRankShift:  normShift,
			VarianceShare:     ys.share(func(c int) int { return c / len(aggs) }, len(norms)),
			VarianceShareKind: "first-order",
		},
		{
			Choice:            "aggregation",
			MeanAbsRankShift:  aggShift,
			VarianceShare:     ys.share(func(c int) int { return c % len(aggs) }, len(aggs)),
			VarianceShareKind: "first-order",
		},
	}
}

// nominalShift returns a function giving Y for the nominal weights under
// combination c: the mean absolute rank shift one choice makes alone.
func (md *model) nominalShift(res *Result, norms []Normalisation, aggs []Aggregation, nominalRank []int32) func(c int) float64 {
	ew := make([]float64, md.m)
	for j := range ew {
		ew[j] = res.PillarWeights[md.pillarOf[j]] * res.IndicatorWeights[j]
	}
	scores := make([]float64, md.n)
	ranks := make([]int32, md.n)
	buf := make([]scored, md.n)
	return func(c int) float64 {
		v := md.variants[norms[c/len(aggs)]]
		x := v.z
		if aggs[c%len(aggs)] == Geometric {
			x = v.logz
		}
		for i := range scores {
			var s float64
			for j, e := range ew {
				s += e * x[i*md.m+j]
			}
			scores[i] = s
		}
		rankInto(ranks, scores, buf)
		var y int32
		for i, r := range ranks {
			y += abs32(r - nominalRank[i])
		}
		return float64(y) / float64(md.n)
	}
}

// shiftStats are the mean and variance of Y over the draws, and its sum
// and count within each combination of choices.
type shiftStats struct {
	combos                 int
	mean, variance, within float64
	cellSum                []float64
	cellN                  []int
}

func newShiftStats(shift []float64, combos int) shiftStats {
	s := shiftStats{combos: combos, cellSum: make([]float64, combos), cellN: make([]int, combos)}
	for d, y := range shift {
		s.mean += y
		s.cellSum[d%combos] += y
		s.cellN[d%combos]++
	}
	s.mean /= float64(len(shift))
	for d, y := range shift {
		s.variance += (y - s.mean) * (y - s.mean)
		cm := s.cellSum[d%combos] / float64(s.cellN[d%combos])
		s.within += (y - cm) * (y - cm)
	}
	return s
}

// share returns the first-order index of a grouping of combinations.
func (s shiftStats) share(group func(c int) int, groups int) float64 {
	if s.variance == 0 {
		return 0
	}
	sum := make([]float64, groups)
	cnt := make([]int, groups)
	for c := range s.combos {
		sum[group(c)] += s.cellSum[c]
		cnt[group(c)] += s.cellN[c]
	}
	var between float64
	for g := range groups {
		gm := sum[g] / float64(cnt[g])
		between += float64(cnt[g]) * (gm - s.mean) * (gm - s.mean)
	}
	return between / s.variance
}
