// Package rates computes crime rates for areas that do not mislead when
// populations are small: the raw rate, the excess risk (observed over
// expected crimes at the overall rate) and Empirical Bayes smoothed rates,
// global and spatial, as GeoDa computes them.
//
// Sources: Marshall (1991) "Mapping disease and mortality rates using
// empirical Bayes estimators", Applied Statistics 40(2):283–294 (method of
// moments); Anselin, Lozano-Gracia & Koschinsky (2006) "Rate
// transformations and smoothing"; GeoDa's Rates workbook
// (geodacenter.github.io/workbook/3b_rates/lab3b.html) and its
// GdaAlgs::RateSmoother_EBS / _SEBS / _ExcessRisk, whose conventions are
// kept: a negative moment estimate of the prior variance is set to 0 (every
// rate then shrinks to the prior mean), and the spatial prior of an area is
// estimated over the area and its neighbours. One difference: a neighbour
// without a positive base is left out of the window, where GeoDa leaves
// the whole area undefined.
package rates

import (
	"errors"
	"fmt"
	"math"
)

// ErrNoBase is returned when no area has a positive base (population).
var ErrNoBase = errors.New("rates: no area has a positive base (population), so no rate is defined")

// Result holds the rates of each area, in input order, as crimes per unit
// of base (multiply by 1,000 for rates per 1,000 residents). Areas without
// a positive base have NaN rates and are listed in NoBase.
type Result struct {
	Raw []float64 // crimes / base
	// Excess is the excess risk, crimes over those expected at the overall
	// rate: above 1 the area has more crime than its base predicts.
	Excess []float64
	// EB shrinks each raw rate towards the overall rate, the more the
	// smaller its base: w·raw + (1−w)·Prior with w = Variance/(Variance +
	// Prior/base).
	EB []float64
	// SpatialEB shrinks towards the rate of the area and its neighbours
	// instead, with the prior estimated over them. NaN for areas without
	// neighbours (listed in Isolated) and nil when no neighbours were given.
	SpatialEB []float64
	// Prior is the overall rate Σcrimes/Σbase (Marshall's γ̂).
	Prior float64
	// Variance is Marshall's moment estimate of the prior variance,
	// Σ base_i (raw_i − Prior)²/Σbase − Prior/mean base, before it is
	// clamped at 0; when negative, EB equals Prior everywhere (the areas
	// differ no more than chance predicts).
	Variance float64
	NoBase   []int // areas with base ≤ 0
	Isolated []int // areas without neighbours, for SpatialEB
}

// Smooth returns the rates of areas with crimes and base (population) each,
// and neighbours (indices of each area's neighbours, not itself; nil to skip
// the spatial rates) for the spatial Empirical Bayes rate.
func Smooth(crimes, base []float64, neighbours [][]int) (Result, error) {
	n := len(crimes)
	if len(base) != n || (neighbours != nil && len(neighbours) != n) {
		return Result{}, fmt.Errorf("rates: %d crime counts, %d bases and %d neighbour lists", n, len(base), len(neighbours))
	}
	r := Result{Raw: make([]float64, n), Excess: make([]float64, n), EB: make([]float64, n)}
	var sumC, sumB float64
	var valid int
	for i, c := range crimes {
		if !(c >= 0) || math.IsInf(c, 0) || math.IsNaN(base[i]) || math.IsInf(base[i], 0) {
			return Result{}, fmt.Errorf("rates: area %d has %v crimes and base %v", i, c, base[i])
		}
		if base[i] <= 0 {
			r.NoBase = append(r.NoBase, i)
			r.Raw[i] = math.NaN()
			continue
		}
		r.Raw[i] = c / base[i]
		sumC += c
		sumB += base[i]
		valid++
	}
	if valid == 0 {
		return Result{}, ErrNoBase
	}
	r.Prior = sumC / sumB
	r.Variance = momentVariance(r.Raw, base, r.Prior, sumB, sumB/float64(valid), func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				return
			}
		}
	})
	for i, raw := range r.Raw {
		r.Excess[i] = raw / r.Prior
		r.EB[i] = shrink(raw, base[i], r.Prior, r.Variance)
	}
	if neighbours != nil {
		r.spatial(crimes, base, neighbours)
	}
	return r, nil
}

// spatial fills SpatialEB: for each area, the prior mean and variance over
// the window of the area and its neighbours with a positive base.
func (r *Result) spatial(crimes, base []float64, neighbours [][]int) {
	r.SpatialEB = make([]float64, len(crimes))
	for i, nb := range neighbours {
		if math.IsNaN(r.Raw[i]) {
			r.SpatialEB[i] = math.NaN()
			continue
		}
		window := func(yield func(int) bool) {
			if !yield(i) {
				return
			}
			for _, j := range nb {
				if j != i && !math.IsNaN(r.Raw[j]) && !yield(j) {
					return
				}
			}
		}
		var sumC, sumB float64
		var k int
		for j := range window {
			sumC += crimes[j]
			sumB += base[j]
			k++
		}
		if k == 1 {
			r.Isolated = append(r.Isolated, i)
			r.SpatialEB[i] = math.NaN()
			continue
		}
		prior := sumC / sumB
		v := momentVariance(r.Raw, base, prior, sumB, sumB/float64(k), window)
		r.SpatialEB[i] = shrink(r.Raw[i], base[i], prior, v)
	}
}

// momentVariance is Marshall's Σ b_i (raw_i − prior)²/Σb − prior/b̄ over the
// areas of window.
func momentVariance(raw, base []float64, prior, sumB, meanB float64, window func(func(int) bool)) float64 {
	var q float64
	for i := range window {
		if !math.IsNaN(raw[i]) {
			d := raw[i] - prior
			q += base[i] * d * d
		}
	}
	return q/sumB - prior/meanB
}

// shrink returns the Empirical Bayes rate, with a negative variance taken
// as 0 as GeoDa does.
func shrink(raw, base, prior, variance float64) float64 {
	if math.IsNaN(raw) {
		return math.NaN()
	}
	variance = max(variance, 0)
	d := variance + prior/base
	w := 1.0
	if d > 0 {
		w = variance / d
	}
	return w*raw + (1-w)*prior
}
