package spatstat

import (
	"errors"
	"fmt"
)

// A Pattern is an emerging hot spot category of ArcGIS Emerging Hot Spot
// Analysis: how a location's significant hot or cold spot readings evolved
// over the time steps. Each hot spot pattern has a cold spot mirror with
// "cold" for "hot", low for high and decreasing for increasing.
//
// Throughout, a step is a significant hot (cold) spot when its Gi* p-value is
// at most the significance level α and its z-score is positive (negative),
// "90% of steps" means at least 90% of all steps, the trend is the
// Mann–Kendall test on the location's Gi* z-scores, significant when its
// p-value is at most α, and the family (hot or cold) is decided by the
// final step.
type Pattern uint8

const (
	// NoPattern: none of the patterns below; in particular the final step
	// is not significant and fewer than 90% of steps were significant hot
	// spots or cold spots.
	NoPattern Pattern = iota

	// NewHotSpot: a significant hot spot in the final step only; the
	// location was never significant before.
	NewHotSpot
	// ConsecutiveHotSpot: a single uninterrupted run of at least two
	// significant hot spot steps ending at the final step, with no
	// significant step before the run, and fewer than 90% of steps hot.
	ConsecutiveHotSpot
	// IntensifyingHotSpot: a significant hot spot in at least 90% of steps,
	// the final step included, with a significant upward trend in z: the
	// clustering of high values is getting stronger.
	IntensifyingHotSpot
	// PersistentHotSpot: a significant hot spot in at least 90% of steps,
	// the final step included, with no significant trend in z.
	PersistentHotSpot
	// DiminishingHotSpot: a significant hot spot in at least 90% of steps,
	// the final step included, with a significant downward trend in z.
	DiminishingHotSpot
	// SporadicHotSpot: an on-again, off-again hot spot: significant hot in
	// the final step and in some earlier step not part of an uninterrupted
	// run up to the final one, fewer than 90% of steps hot, and never a
	// significant cold spot.
	SporadicHotSpot
	// OscillatingHotSpot: a significant hot spot in the final step that was a
	// significant cold spot in some earlier step, with fewer than 90% of
	// steps hot. This takes precedence over new and consecutive (as in R
	// sfdep): a former cold spot turning hot is the more telling story.
	OscillatingHotSpot
	// HistoricalHotSpot: not significant in the final step, but a
	// significant hot spot in at least 90% of steps. (With fewer than ten
	// steps that is impossible, as in ArcGIS, which asks for ten.)
	HistoricalHotSpot

	// NewColdSpot mirrors NewHotSpot.
	NewColdSpot
	// ConsecutiveColdSpot mirrors ConsecutiveHotSpot.
	ConsecutiveColdSpot
	// IntensifyingColdSpot mirrors IntensifyingHotSpot: z trends downward.
	IntensifyingColdSpot
	// PersistentColdSpot mirrors PersistentHotSpot.
	PersistentColdSpot
	// DiminishingColdSpot mirrors DiminishingHotSpot: z trends upward.
	DiminishingColdSpot
	// SporadicColdSpot mirrors SporadicHotSpot.
	SporadicColdSpot
	// OscillatingColdSpot mirrors OscillatingHotSpot.
	OscillatingColdSpot
	// HistoricalColdSpot mirrors HistoricalHotSpot.
	HistoricalColdSpot
)

var patternNames = [...]string{
	NoPattern:            "no pattern",
	NewHotSpot:           "new hot spot",
	ConsecutiveHotSpot:   "consecutive hot spot",
	IntensifyingHotSpot:  "intensifying hot spot",
	PersistentHotSpot:    "persistent hot spot",
	DiminishingHotSpot:   "diminishing hot spot",
	SporadicHotSpot:      "sporadic hot spot",
	OscillatingHotSpot:   "oscillating hot spot",
	HistoricalHotSpot:    "historical hot spot",
	NewColdSpot:          "new cold spot",
	ConsecutiveColdSpot:  "consecutive cold spot",
	IntensifyingColdSpot: "intensifying cold spot",
	PersistentColdSpot:   "persistent cold spot",
	DiminishingColdSpot:  "diminishing cold spot",
	SporadicColdSpot:     "sporadic cold spot",
	OscillatingColdSpot:  "oscillating cold spot",
	HistoricalColdSpot:   "historical cold spot",
}

// String returns the category's name as ArcGIS words it, such as
// "intensifying hot spot".
func (p Pattern) String() string {
	if int(p) < len(patternNames) {
		return patternNames[p]
	}
	return fmt.Sprintf("Pattern(%d)", uint8(p))
}

// DefaultAlpha is the significance level for emerging hot spot analysis:
// ArcGIS's documentation does not state the level it uses, and 0.05 is the
// conventional choice.
const DefaultAlpha = 0.05

// ClassifyEmerging returns the emerging hot spot pattern of one location from
// its Gi* z-scores and p-values per time step, oldest first, the
// Mann–Kendall test of the z-scores and the significance level alpha (see
// Pattern). Pass FDR-adjusted p-values to classify, as ArcGIS Pro does, on
// steps significant after the false discovery rate correction. It panics if
// z and p differ in length.
func ClassifyEmerging(z, p []float64, trend MannKendall, alpha float64) Pattern {
	if len(z) != len(p) {
		panic(fmt.Sprintf("spatstat: %d z-scores and %d p-values", len(z), len(p)))
	}
	states := make([]int8, len(z))
	for t := range z {
		states[t] = stepState(z[t], p[t], alpha)
	}
	return classify(states, trend, alpha)
}

// stepState returns +1 for a significant hot spot, −1 for a significant cold
// spot and 0 otherwise.
func stepState(z, p, alpha float64) int8 {
	switch {
	case p <= alpha && z > 0:
		return 1
	case p <= alpha && z < 0:
		return -1
	}
	return 0
}

func classify(states []int8, trend MannKendall, alpha float64) Pattern {
	n := len(states)
	if n == 0 {
		return NoPattern
	}
	var hot, cold int
	for _, s := range states {
		switch s {
		case 1:
			hot++
		case -1:
			cold++
		}
	}
	// Integer arithmetic, so that exactly 90% counts.
	mostly := func(k int) bool { return 10*k >= 9*n }
	last := states[n-1]
	switch {
	case last == 0 && mostly(hot):
		return HistoricalHotSpot
	case last == 0 && mostly(cold):
		return HistoricalColdSpot
	case last == 0:
		return NoPattern
	}

	// Count in the final step's direction: same for steps of its sign,
	// opposite for the other.
	same, opposite := hot, cold
	base := NewHotSpot
	if last < 0 {
		same, opposite = cold, hot
		base = NewColdSpot
	}
	run := 0
	for t := n - 1; t >= 0 && states[t] == last; t-- {
		run++
	}
	// Offsets of each pattern from its family's New pattern.
	const (
		newP = iota
		consecutive
		intensifying
		persistent
		diminishing
		sporadic
		oscillating
	)
	var k Pattern
	switch {
	case mostly(same):
		// A trend towards the family's own extreme intensifies it.
		towards := trend.S * float64(last)
		switch {
		case trend.P <= alpha && towards > 0:
			k = intensifying
		case trend.P <= alpha && towards < 0:
			k = diminishing
		default:
			k = persistent
		}
	case opposite > 0:
		k = oscillating
	case same == 1:
		k = newP
	case same == run:
		k = consecutive
	default:
		k = sporadic
	}
	return base + k
}

// Emerging is the emerging hot spot result for one cell.
type Emerging struct {
	Pattern Pattern
	// Trend is the Mann–Kendall test of the cell's Gi* z-scores.
	Trend MannKendall
}

// EmergingHotSpots runs Gi* (GiStarGrid, with band) on each time step's
// counts over every cell of g — counts[t] holds one value per cell, steps
// oldest first — and classifies every cell: EmergingArea over the full grid
// with the purely spatial Gi*.
func EmergingHotSpots(g Grid, counts [][]float64, band, alpha float64) ([]Emerging, error) {
	a, err := FullArea(g)
	if err != nil {
		return nil, err
	}
	return EmergingArea(a, counts, Weights{Band: band}, alpha, 0)
}

// EmergingArea classifies every cell of the study area a from its Gi*
// z-scores per time step — counts[t] holds one value per cell of a, steps
// oldest first — with ClassifyEmerging on each step's FDR-adjusted p-values
// (Benjamini–Hochberg over the step's cells) at significance level alpha.
// ArcGIS asks for at least ten steps for its 90% rules to be meaningful;
// fewer are accepted.
//
// With timeStep 0 each step's Gi* is purely spatial: the cells within band
// in that step (w: see Weights). With timeStep k ≥ 1 it is the space-time Gi* of ArcGIS
// Emerging Hot Spot Analysis: a bin's neighbours are the bins within the band in
// the same step and in the k steps before it (fewer at the start of the
// series), and n, the mean and the deviation are those of all bins of the
// space-time cube.
//
// A step (spatial) or cube (space-time) whose counts are all equal, say no
// crime at all, has no hot or cold spots: its z-scores are taken as 0 and
// its p-values as 1.
func EmergingArea(a Area, counts [][]float64, w Weights, alpha float64, timeStep int) ([]Emerging, error) {
	if err := checkEmerging(a, counts, w.Band, alpha, timeStep); err != nil {
		return nil, err
	}
	steps, n := len(counts), a.Len()
	z, err := stepZ(newNbhood(a, w), counts, timeStep)
	if err != nil {
		return nil, err
	}
	// Cell-major layouts, so that each cell's series is contiguous.
	zs := make([]float64, n*steps)
	states := make([]int8, n*steps)
	p := make([]float64, n)
	for t, zt := range z {
		if zt == nil {
			continue // zs and states stay 0: z = 0, p = 1
		}
		for i, v := range zt {
			p[i] = twoSidedP(v)
		}
		pfdr := AdjustBH(p)
		for i, v := range zt {
			zs[i*steps+t] = v
			states[i*steps+t] = stepState(v, pfdr[i], alpha)
		}
	}
	out := make([]Emerging, n)
	forEachBlock(n, 4096, func(lo, hi int) {
		scratch := make([]float64, steps)
		for i := lo; i < hi; i++ {
			trend := mannKendall(zs[i*steps:(i+1)*steps], scratch)
			out[i] = Emerging{Pattern: classify(states[i*steps:(i+1)*steps], trend, alpha), Trend: trend}
		}
	})
	return out, nil
}

func checkEmerging(a Area, counts [][]float64, band, alpha float64, timeStep int) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if err := checkBand(band); err != nil {
		return err
	}
	if !(alpha > 0 && alpha < 1) {
		return fmt.Errorf("spatstat: significance level %v is not between 0 and 1", alpha)
	}
	if timeStep < 0 {
		return fmt.Errorf("spatstat: neighbourhood time step %d is negative", timeStep)
	}
	if len(counts) == 0 {
		return errors.New("spatstat: emerging hot spot analysis needs at least one time step")
	}
	for t, c := range counts {
		if err := a.checkValues(fmt.Sprintf("time step %d", t), c); err != nil {
			return err
		}
	}
	return nil
}

// stepZ returns the Gi* z-scores of each step (nil for a step, or with a
// time step for every step, whose values do not vary).
func stepZ(h nbhood, counts [][]float64, timeStep int) ([][]float64, error) {
	n := h.a.Len()
	prefix := make([]float64, n+1)
	nb := make([]int32, n)
	z := make([][]float64, len(counts))
	if timeStep == 0 {
		for t, c := range counts {
			zt := make([]float64, n)
			_, err := giStarAreaZ(h, c, prefix, nb, zt)
			if errors.Is(err, ErrNoVariance) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("spatstat: time step %d: %w", t, err)
			}
			z[t] = zt
		}
		return z, nil
	}
	if n < 2 {
		return nil, fmt.Errorf("spatstat: Gi* needs at least 2 cells, the study area has %d", n)
	}
	// Space-time: the spatial band sums of each step, then summed over the
	// step and the timeStep steps before it.
	local := make([][]float64, len(counts))
	var w []int
	all := make([]float64, 0, n*len(counts))
	for t, c := range counts {
		all = append(all, c...)
		prefixSums(c, prefix)
		local[t] = make([]float64, n)
		if t == 0 {
			w = make([]int, n)
		}
		sw := newSweep(h.a, h.st)
		for k := range n {
			local[t][k], w[k], _ = h.sum(sw, k, prefix, c)
		}
	}
	mean, sd := meanSD(all)
	if sd == 0 {
		return z, nil
	}
	for t := range counts {
		z[t] = make([]float64, n)
		from := max(0, t-timeStep)
		for k := range n {
			var sum float64
			for s := from; s <= t; s++ {
				sum += local[s][k]
			}
			z[t][k] = giStarZ(sum, w[k]*(t-from+1), len(all), mean, sd)
		}
	}
	return z, nil
}
