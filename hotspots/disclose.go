package hotspots

import (
	"fmt"
	"math"

	"github.com/safercity/safercity/disclosure"
)

// Disclose releases the profiles' partner incidents through the disclosure
// policy before they are shown (printed, written as JSON or served): a top
// cell holding a few is left out (its measure minus its public police
// crimes would give them away), the others show rounded incidents and a
// measure built from them, and so does each profile's total.
func Disclose(pol disclosure.Policy, res []Result) {
	for i := range res {
		r := &res[i]
		if r.Incidents == 0 {
			continue // police.uk data only: anonymised at source
		}
		rep := pol.NewReport("top cells")
		top := r.Top[:0]
		for _, t := range r.Top {
			c := rep.Release(int64(t.Incidents))
			if c.Withheld {
				continue
			}
			t.Measure, _ = pol.Including(t.Measure, int64(t.Incidents))
			t.Incidents = int(c.Value)
			top = append(top, t)
		}
		r.Top = top
		note := rep.String()
		if c := pol.Count(r.Incidents); c.Withheld {
			r.Total -= float64(r.Incidents)
			r.Incidents = 0
			note += "; the profile's partner incidents withheld (1–2) and left out of measure_total"
		} else {
			r.Total, _ = pol.Including(r.Total, r.Incidents)
			r.Incidents = c.Value
		}
		r.Notes = append(r.Notes, note)
	}
	for i := range res {
		nr := res[i].NearRepeat
		switch {
		case nr == nil:
		case pol.Count(int64(nr.Events)).Withheld:
			// A table of 1–2 incidents would show their number; say what
			// is said of none or one.
			res[i].NearRepeat = nil
			res[i].Notes = append(res[i].Notes, tooFewToPair(nr.From, res[i].Month))
		default:
			res[i].Notes = append(res[i].Notes, discloseNearRepeat(pol, nr))
		}
	}
}

// discloseNearRepeat releases a Knox table of partner incidents: each
// band's pairs as a partner count (a band of 1–2 pairs is withheld with its
// ratio and p; the others rounded, the ratio built from the rounded count),
// the incidents rounded, and what would give the incidents exactly left
// out: the total of pairs, and each band's marginal expectation (its
// distance band's pairs times its time band's over all pairs, whose ratios
// give the margins and then all pairs). A band's p is released as a class
// (below 0.001, 0.01, 0.05, or not): computed from the true count, its
// exact value beside the expectation could tell apart the counts that
// rounding makes one. It returns the note.
func discloseNearRepeat(pol disclosure.Policy, nr *NearRepeat) string {
	rep := pol.NewReport("near-repeat bands")
	for i := range nr.Cells {
		c := &nr.Cells[i]
		c.Marginal = Float(math.NaN())
		rc := rep.Release(int64(c.Observed))
		switch {
		case rc.Withheld:
			c.Observed, c.Ratio, c.P, c.Withheld = 0, Float(math.NaN()), Float(math.NaN()), true
		case c.Observed > 0:
			c.Observed = int(rc.Value)
			c.Ratio = Float(float64(c.Observed) / c.Expected)
		}
		if !c.Withheld {
			c.PClass, c.P = pClass(float64(c.P)), Float(math.NaN())
		}
	}
	nr.Events, nr.Pairs = int(pol.Count(int64(nr.Events)).Value), 0
	return rep.String()
}

// pClass is the class a p value is released as.
func pClass(p float64) string {
	for _, bound := range []float64{0.001, 0.01, 0.05} {
		if p < bound {
			return fmt.Sprintf("<%g", bound)
		}
	}
	return notSignificant
}

// notSignificant is the class of a p value of 0.05 or more.
const notSignificant = "≥0.05"
