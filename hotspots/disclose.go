package hotspots

import "github.com/safercity/safercity/disclosure"

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
}
