package index

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestImprovingAnIndicatorNeverLowersTheScore checks the monotonicity that
// Compute documents, for every normalisation, aggregation and weighting,
// with missing values, by improving one value of one unit at a time. The
// outlier treatment is off: it is the documented exception.
func TestImprovingAnIndicatorNeverLowersTheScore(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 0))
	methods := []Method{}
	for _, n := range []Normalisation{MinMax, ZScore, DistanceToTarget} {
		for _, a := range []Aggregation{Arithmetic, Geometric} {
			for _, w := range []Weighting{EqualWeights, ExpertWeights} {
				methods = append(methods, Method{Normalisation: n, Aggregation: a, Weighting: w, PillarWeighting: w})
			}
		}
	}
	for trial := range 300 {
		fw, tab := synthetic(12, 9, 0.1, uint64(trial))
		for j := range fw.Indicators {
			if j%2 == 0 {
				fw.Indicators[j].Target = ptr(math.Exp(2 + rng.NormFloat64()*0.5))
			}
		}
		for k := range fw.Pillars {
			fw.Pillars[k].Weight = 0.5 + rng.Float64()
		}
		m := methods[trial%len(methods)]
		before := mustCompute(t, fw, tab, nil, m)
		i, j := rng.IntN(len(tab.Units)), rng.IntN(len(tab.Codes))
		if math.IsNaN(tab.Values[i][j]) || before.Unit(tab.Units[i]) == nil {
			continue
		}
		step := rng.ExpFloat64() * tab.Values[i][j]
		tab.Values[i][j] += float64(fw.Indicators[j].Direction) * step
		after := mustCompute(t, fw, tab, nil, m)
		b, a := before.Unit(tab.Units[i]), after.Unit(tab.Units[i])
		if a.Score < b.Score-1e-9*math.Max(1, math.Abs(b.Score)) {
			t.Fatalf("trial %d (%v, %v, %v weights): improving %s of %s by %.3g lowered the score from %v to %v",
				trial, m.Normalisation, m.Aggregation, m.Weighting, fw.Indicators[j].Code, tab.Units[i], step, b.Score, a.Score)
		}
		p := before.Framework.Pillars
		for k := range p {
			if a.PillarScores[k] < b.PillarScores[k]-1e-9*math.Max(1, math.Abs(b.PillarScores[k])) {
				t.Fatalf("trial %d: pillar %s score fell from %v to %v", trial, p[k].Code, b.PillarScores[k], a.PillarScores[k])
			}
		}
	}
}
