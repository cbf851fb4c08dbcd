// Package change summarises the change in crime counts per area between two
// periods, as ArcGIS Pro's Summarize Percent Change does (counts, change,
// percent change), and says whether each change is beyond Poisson noise.
//
// If the counts of an area are Poisson with rates λ₁ (before) and λ₂
// (after), then given their total n the count after is Binomial(n, p) with
// p = λ₂t₂/(λ₁t₁ + λ₂t₂); equal rates over periods of lengths t₁ and t₂
// give p₀ = t₂/(t₁ + t₂). The exact conditional test of Przyborowski &
// Wilenski (1940) compares the count with that binomial; its two-sided
// p-value is that of R's binom.test (and poisson.test for two samples): the
// total probability of the outcomes no more likely than the one observed,
// with R's relative tolerance of 1e−7 for ties. Counts must be whole
// numbers. Benjamini–Hochberg adjusted p-values allow for testing many
// areas at once.
package change

import (
	"fmt"
	"math"

	"github.com/safercity/safercity/hotspots/spatstat"
)

// A Change is one area's change between the periods.
type Change struct {
	Before, After float64
	Change        float64 // After − Before
	// Percent is 100·Change/Before; NaN when Before is 0 (ArcGIS leaves it
	// null: any growth from nothing is infinite).
	Percent float64
	// RateRatio is (After/t₂)/(Before/t₁); +Inf from nothing, NaN for 0/0.
	RateRatio float64
	P         float64 // exact conditional test, two-sided; 1 when both are 0
	PFDR      float64 // Benjamini–Hochberg over the areas
}

// Compare returns the change of each area from before to after. exposure is
// the length of the after period over the before period (1 for two months,
// 12 for a year against a month), so that the test compares rates.
func Compare(before, after []float64, exposure float64) ([]Change, error) {
	if len(before) != len(after) {
		return nil, fmt.Errorf("change: %d counts before and %d after", len(before), len(after))
	}
	if !(exposure > 0) || math.IsInf(exposure, 0) {
		return nil, fmt.Errorf("change: period length ratio %v is not a positive number", exposure)
	}
	p0 := exposure / (1 + exposure)
	out := make([]Change, len(before))
	ps := make([]float64, len(before))
	for i, b := range before {
		a := after[i]
		if !whole(a) || !whole(b) {
			return nil, fmt.Errorf("change: area %d has counts %v and %v; the test needs whole, non-negative counts", i, b, a)
		}
		c := Change{Before: b, After: a, Change: a - b, Percent: math.NaN(), RateRatio: math.NaN()}
		if b > 0 {
			c.Percent = 100 * (a - b) / b
		}
		if a > 0 || b > 0 {
			c.RateRatio = (a / exposure) / b
		}
		c.P = BinomialTest(int(a), int(a+b), p0)
		out[i], ps[i] = c, c.P
	}
	for i, p := range spatstat.AdjustBH(ps) {
		out[i].PFDR = p
	}
	return out, nil
}

func whole(x float64) bool { return x >= 0 && x == math.Trunc(x) && x < 1<<53 }

// relErr is R binom.test's tolerance for outcomes as likely as the one
// observed.
const relErr = 1 + 1e-7

// BinomialTest returns the two-sided p-value of x successes in n trials
// with success probability p, as R's binom.test: the sum of the
// probabilities of all outcomes no more likely than x. Outcomes further than
// 40 standard deviations from the mean, whose probabilities underflow, are
// skipped.
func BinomialTest(x, n int, p float64) float64 {
	if n == 0 {
		return 1
	}
	d := binomPMF(x, n, p) * relErr
	mean, sd := float64(n)*p, math.Sqrt(float64(n)*p*(1-p))
	lo, hi := max(0, int(mean-40*sd-1)), min(n, int(mean+40*sd+1))
	var sum float64
	for i := lo; i <= hi; i++ {
		if q := binomPMF(i, n, p); q <= d {
			sum += q
		}
	}
	if x < lo || x > hi {
		sum += binomPMF(x, n, p)
	}
	return min(1, sum)
}

// binomPMF returns the binomial probability of k in n, in log space so
// that large n does not overflow.
func binomPMF(k, n int, p float64) float64 {
	switch {
	case p == 0:
		return b2f(k == 0)
	case p == 1:
		return b2f(k == n)
	}
	ln, _ := math.Lgamma(float64(n + 1))
	lk, _ := math.Lgamma(float64(k + 1))
	lnk, _ := math.Lgamma(float64(n - k + 1))
	return math.Exp(ln - lk - lnk + float64(k)*math.Log(p) + float64(n-k)*math.Log1p(-p))
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
