package hotspots

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/safercity/safercity/analysis/change"
)

// AreaChanges is one comparison of one layer: the month against an
// earlier period, per area, or why it was refused.
type AreaChanges struct {
	Layer      string `json:"layer"`
	Comparison string `json:"comparison"` // year | prev3
	BeforeFrom string `json:"before_from"`
	BeforeTo   string `json:"before_to"`
	// MonthsBefore counts the earlier period's months for which the force
	// has enriched crimes, of MonthsNeeded; a comparison lacking any is
	// refused (Refused says why) and has no areas.
	MonthsBefore int          `json:"months_before"`
	MonthsNeeded int          `json:"months_needed"`
	MonthsAfter  int          `json:"months_after"`
	Refused      string       `json:"refused,omitempty"`
	Areas        []AreaChange `json:"areas,omitempty"`
	Beyond       int          `json:"beyond_noise"` // areas whose change is significant after FDR
}

// AreaChange is one area's change (ArcGIS Summarize Percent Change) and
// whether it is beyond Poisson noise (R's exact conditional binomial test,
// Benjamini–Hochberg over the layer's areas).
type AreaChange struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Before int64  `json:"before"`
	After  int64  `json:"after"`
	// Change is After less Before per month of the earlier period, and
	// Percent the change of the monthly rate (null from 0).
	Change    float64 `json:"change"`
	Percent   Float   `json:"percent_change"`
	RateRatio Float   `json:"rate_ratio"` // monthly rates; null for 0/0
	P         Float   `json:"p"`
	PFDR      Float   `json:"p_fdr"`
	Beyond    bool    `json:"beyond_noise"`
}

// comparison is an earlier period, as month offsets before the run's.
type comparison struct {
	name    string
	offsets []int
}

// comparisons are the periods each month is compared with: the same month
// a year before, and the three months before (as a monthly rate).
var comparisons = []comparison{{"year", []int{12}}, {"prev3", []int{1, 2, 3}}}

// areaChanges compares each area's crimes of the month with each earlier
// period; have tells whether the force has data for a month offset.
func areaChanges(layer string, rows []areaRow, month time.Time, have func(int) bool, alpha float64) ([]AreaChanges, error) {
	var out []AreaChanges
	for _, c := range comparisons {
		ac := AreaChanges{Layer: layer, Comparison: c.name, MonthsNeeded: len(c.offsets), MonthsAfter: 1,
			BeforeFrom: month.AddDate(0, -c.offsets[len(c.offsets)-1], 0).Format("2006-01"),
			BeforeTo:   month.AddDate(0, -c.offsets[0], 0).Format("2006-01")}
		var missing []string
		for _, k := range c.offsets {
			if have(k) {
				ac.MonthsBefore++
			} else {
				missing = append(missing, month.AddDate(0, -k, 0).Format("2006-01"))
			}
		}
		if len(missing) > 0 {
			ac.Refused = fmt.Sprintf("the force has no enriched crimes for %s: load and transform them to compare", strings.Join(missing, ", "))
			out = append(out, ac)
			continue
		}
		before, after := make([]float64, len(rows)), make([]float64, len(rows))
		for i, a := range rows {
			after[i] = float64(a.crimes[0])
			for _, k := range c.offsets {
				before[i] += float64(a.crimes[k])
			}
		}
		exposure := 1 / float64(len(c.offsets))
		ch, err := change.Compare(before, after, exposure)
		if err != nil {
			return nil, fmt.Errorf("%s change against %s: %w", layer, c.name, err)
		}
		for i, x := range ch {
			a := AreaChange{Code: rows[i].code, Name: rows[i].name, Before: int64(x.Before), After: int64(x.After),
				Change: x.After - x.Before*exposure, Percent: Float(math.NaN()), RateRatio: Float(x.RateRatio),
				P: Float(x.P), PFDR: Float(x.PFDR), Beyond: x.PFDR < alpha}
			if x.Before > 0 {
				a.Percent = Float(100 * (x.RateRatio - 1))
			}
			if a.Beyond {
				ac.Beyond++
			}
			ac.Areas = append(ac.Areas, a)
		}
		out = append(out, ac)
	}
	return out, nil
}
