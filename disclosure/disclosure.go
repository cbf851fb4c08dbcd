// Package disclosure is SaferCity's statistical disclosure control policy
// for partner-feed data (incidents from CAD, ambulance, licensing or
// business crime feeds): the one place that decides what of a partner
// count may be published. Every output built from partner data — queries,
// hotspot tables and JSON, dashboard pages, maps and the API — releases
// its partner counts through a Policy.
//
// The methods are those ONS and the GSS use for tables of small counts:
//
//   - primary suppression: a count from 1 to Threshold−1 is withheld, with
//     every figure from which it could be derived (a cell's measure that
//     adds it to public police crimes, its row of a table);
//   - controlled rounding: every released partner count is rounded to the
//     nearest multiple of Base (5), and figures that include it are built
//     from the rounded value, so that the difference of two released
//     figures — two overlapping date windows, a total and its parts, a
//     measure and its police crimes — never gives back a small count
//     exactly;
//   - fixed publication windows: a figure over a window of months is the
//     sum of the released monthly figures (see Report.Months), so every
//     window is a function of the monthly releases and no combination of
//     windows says more than they do;
//   - a floor: a caller may raise the threshold, never lower it below the
//     policy's.
//
// Police.uk data is anonymised at source and is never suppressed here.
package disclosure

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// The policy's floor: no output may use a lower threshold or base.
const (
	MinThreshold = 3
	RoundingBase = 5
)

// Policy says how partner counts are released.
type Policy struct {
	// Threshold: a count of 1 to Threshold−1 events is withheld.
	Threshold int
	// Base: a released count is rounded to the nearest multiple of Base.
	Base int
}

// Default is the policy every output uses unless a caller raises it.
func Default() Policy { return Policy{Threshold: MinThreshold, Base: RoundingBase} }

// ErrBelowPolicy is returned for a threshold lower than the policy's.
var ErrBelowPolicy = errors.New("below the disclosure policy")

// WithThreshold returns p with its threshold raised to n. A threshold
// below p's is refused: it would publish counts the policy withholds.
func (p Policy) WithThreshold(n int) (Policy, error) {
	if n < p.Threshold {
		return p, fmt.Errorf("threshold %d is %w: partner counts below %d are always withheld; a threshold can only be raised", n, ErrBelowPolicy, p.Threshold)
	}
	p.Threshold = n
	return p, nil
}

// Count is what may be published of one partner count.
type Count struct {
	Value    int64 // the rounded count; 0 when withheld
	Withheld bool
}

// Count releases a partner count of n events: 0 stays 0 (nothing to
// protect), 1 to Threshold−1 is withheld, and larger counts are rounded
// half up to a multiple of Base (3 and 4 become 5 with the defaults).
func (p Policy) Count(n int64) Count {
	switch {
	case n <= 0:
		return Count{Value: 0}
	case n < int64(p.Threshold):
		return Count{Withheld: true}
	}
	b := int64(max(p.Base, 1))
	v := (n + b/2) / b * b
	if v == 0 {
		v = b
	}
	return Count{Value: v}
}

// Including releases a figure that adds a partner count to public data,
// such as a hotspot cell's measure (police crimes plus partner incidents,
// weight one each): it is built from the released count, so that the
// figure minus the police crimes gives the rounded count, never the true
// one. It is withheld with the count.
func (p Policy) Including(figure float64, events int64) (float64, bool) {
	c := p.Count(events)
	if c.Withheld {
		return math.NaN(), false
	}
	return figure - float64(events) + float64(c.Value), true
}

// String describes the policy for notes under tables and on maps.
func (p Policy) String() string {
	return fmt.Sprintf("partner counts of 1–%d withheld, others rounded to a multiple of %d", p.Threshold-1, p.Base)
}

// Report counts what an output withheld and rounded, so that nothing is
// left out silently.
type Report struct {
	Policy   Policy
	What     string // "rows", "cells", "areas"
	Withheld int    // units left out
	Blanked  int    // values left empty in units that were kept
	Rounded  int    // partner counts changed by rounding
	// MonthsWithheld counts the unit-months withheld within windows: each
	// adds nothing to its unit's figures.
	MonthsWithheld int
}

// Window is what may be published of a partner count over a window of
// whole months.
type Window struct {
	Value    int64 // the sum of the released monthly counts
	Months   int   // months with a released count above 0
	Withheld int   // months whose count was withheld, each adding 0
}

// Months records and returns the release of one unit's partner counts
// over a window, one count per month: each month is released alone and
// the window is the sum of the released months. A unit with no month
// released but some withheld is left out (counted in Withheld).
func (r *Report) Months(counts []int64) Window {
	var w Window
	for _, n := range counts {
		c := r.Policy.Count(n)
		switch {
		case c.Withheld:
			w.Withheld++
			r.MonthsWithheld++
		case c.Value > 0:
			w.Months++
			w.Value += c.Value
			if c.Value != n {
				r.Rounded++
			}
		}
	}
	if w.Months == 0 && w.Withheld > 0 {
		r.Withheld++
	}
	return w
}

// NewReport starts the report of an output made of units (rows, cells…).
func (p Policy) NewReport(what string) *Report { return &Report{Policy: p, What: what} }

// Release records and returns the release of one unit's partner count:
// withheld, the unit is left out.
func (r *Report) Release(n int64) Count { return r.release(n, &r.Withheld) }

// ReleaseValue records and returns the release of a further partner count
// of a unit that is kept: withheld, it leaves that value empty.
func (r *Report) ReleaseValue(n int64) Count { return r.release(n, &r.Blanked) }

func (r *Report) release(n int64, withheld *int) Count {
	c := r.Policy.Count(n)
	switch {
	case c.Withheld:
		*withheld++
	case c.Value != n:
		r.Rounded++
	}
	return c
}

// String is the note printed under an output, e.g. "2 rows withheld
// (1–2 partner events); partner counts rounded to a multiple of 5".
func (r *Report) String() string {
	s := fmt.Sprintf("disclosure policy: partner counts rounded to a multiple of %d", r.Policy.Base)
	if r.MonthsWithheld > 0 {
		s = fmt.Sprintf("windows are sums of released months; %d months withheld (1–%d partner events) add 0; %s", r.MonthsWithheld, r.Policy.Threshold-1, s)
	}
	if r.Blanked > 0 {
		s = fmt.Sprintf("%d values left empty (1–%d partner events); %s", r.Blanked, r.Policy.Threshold-1, s)
	}
	if r.Withheld > 0 {
		s = fmt.Sprintf("%d %s withheld (1–%d partner events); %s", r.Withheld, r.What, r.Policy.Threshold-1, s)
	}
	return s
}

// MarshalJSON writes the report with its note, for API answers.
func (r *Report) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"unit": r.What, "withheld": r.Withheld, "blanked": r.Blanked, "rounded": r.Rounded,
		"months_withheld": r.MonthsWithheld, "threshold": r.Policy.Threshold, "base": r.Policy.Base, "note": r.String()})
}
