package index

import (
	"fmt"
	"math"
	"slices"
)

// Status is a traffic-light rating.
type Status int8

const (
	// Unrated means no rule applied, usually because the value is missing.
	Unrated Status = iota
	Green
	Amber
	Red
)

func (s Status) String() string {
	switch s {
	case Green:
		return "GREEN"
	case Amber:
		return "AMBER"
	case Red:
		return "RED"
	}
	return "N/A"
}

// Trend says whether a measure got better, stayed within the stable band or
// got worse since an earlier period, taking the indicator's direction into
// account: a falling crime rate is Improving.
type Trend int8

const (
	// NoTrend means the earlier value is unknown.
	NoTrend Trend = iota
	Improving
	Stable
	Worsening
)

func (t Trend) String() string {
	switch t {
	case Improving:
		return "improving"
	case Stable:
		return "stable"
	case Worsening:
		return "worsening"
	}
	return "no comparison"
}

// Arrow returns ▲ for improving, ▶ for stable, ▼ for worsening and – when
// there is no comparison. The arrow shows better or worse, not up or down.
func (t Trend) Arrow() string {
	switch t {
	case Improving:
		return "▲"
	case Stable:
		return "▶"
	case Worsening:
		return "▼"
	}
	return "–"
}

// Basis is what a value is rated against.
type Basis int8

const (
	// BasisTarget rates an indicator against its target. Scores have no
	// target.
	BasisTarget Basis = iota
	// BasisPeerMedian rates a value against the median over the unit's
	// most similar group (itself and UnitResult.Peers) when it has one,
	// else over all scored units.
	BasisPeerMedian
	// BasisLastYear rates a value against the unit's own value in the same
	// month a year earlier.
	BasisLastYear
)

func (b Basis) String() string {
	switch b {
	case BasisTarget:
		return "target"
	case BasisPeerMedian:
		return "peer median"
	case BasisLastYear:
		return "same month last year"
	}
	return fmt.Sprintf("Basis(%d)", int8(b))
}

// RAGRules say how values are rated. A value is GREEN when it is at or
// better than its reference, AMBER when it is worse by no more than the
// AMBER band, and RED otherwise. The first basis in the list that applies
// (a target exists, the unit has last year's value) gives the reference.
//
// Bands are relative to the reference: AmberTolerance·|reference| for the
// AMBER band, and StableTolerance·|earlier value| for the band within which
// a trend is Stable. Indicator.Tolerance, when set, replaces both with an
// absolute width. A reference of 0 therefore has no AMBER band unless the
// indicator sets a Tolerance.
type RAGRules struct {
	Indicators      []Basis // for indicator values
	Scores          []Basis // for pillar and overall scores
	AmberTolerance  float64
	StableTolerance float64
}

// DefaultRAGRules rates indicators against their target when they have one
// (the partnership's own commitment) and otherwise against the peer median;
// scores, which have no targets, are rated against the peer median. The
// AMBER band is 5% and the stable band 2% of the reference, the usual
// "within 5% of target" convention of performance dashboards; change them
// to suit each partnership.
func DefaultRAGRules() RAGRules {
	return RAGRules{
		Indicators:      []Basis{BasisTarget, BasisPeerMedian},
		Scores:          []Basis{BasisPeerMedian},
		AmberTolerance:  0.05,
		StableTolerance: 0.02,
	}
}

// MeasureKind says what a Measure rates.
type MeasureKind int8

const (
	OverallScore MeasureKind = iota
	PillarScore
	IndicatorValue
)

// Measure is one column of an Assessment.
type Measure struct {
	Kind MeasureKind
	Code string // pillar or indicator code; "" for the overall score
	Name string
}

// Rating is the rating of one measure for one unit.
type Rating struct {
	Value     float64 // the indicator value as given, or the score; NaN when missing
	Status    Status
	Basis     Basis   // meaningful when Status is not Unrated
	Reference float64 // what Value was compared with; NaN when Unrated
	// PreviousMonth and LastYear are the unit's values in those periods,
	// NaN when unknown, and the trends are against them.
	PreviousMonth   float64
	LastYear        float64
	VsPreviousMonth Trend
	VsLastYear      Trend
}

// Assessment holds the ratings of every scored unit on the overall score,
// each pillar score and each indicator, in that order.
type Assessment struct {
	Period   string
	Measures []Measure
	Units    []string   // as in Result.Units
	Ratings  [][]Rating // [unit][measure]
}

// Assess rates cur under rules. prevMonth and lastYear, either of which may
// be nil, are the results of the previous month and of the same month a year
// earlier; they give the trends and the BasisLastYear references. Units and
// indicators are matched across periods by name and code.
func Assess(cur, prevMonth, lastYear *Result, rules RAGRules) (*Assessment, error) {
	if err := checkAssess(cur, prevMonth, lastYear, rules); err != nil {
		return nil, err
	}
	a := &Assessment{Period: cur.Period, Measures: []Measure{{Kind: OverallScore, Name: "Overall"}}}
	for _, p := range cur.Framework.Pillars {
		a.Measures = append(a.Measures, Measure{Kind: PillarScore, Code: p.Code, Name: p.Name})
	}
	for _, ind := range cur.Framework.Indicators {
		a.Measures = append(a.Measures, Measure{Kind: IndicatorValue, Code: ind.Code, Name: ind.Name})
	}
	rt := &rater{cur: cur, rules: rules, curV: measureValues(cur, a.Measures),
		prevV: measureValues(prevMonth, a.Measures), lastV: measureValues(lastYear, a.Measures),
		medians: make([]float64, len(a.Measures))}
	for k := range a.Measures {
		var vals []float64
		for _, u := range cur.Units {
			if v := value(rt.curV, u.Unit, k); !math.IsNaN(v) {
				vals = append(vals, v)
			}
		}
		rt.medians[k] = median(vals)
	}
	for _, u := range cur.Units {
		a.Units = append(a.Units, u.Unit)
		row := make([]Rating, len(a.Measures))
		for k, ms := range a.Measures {
			row[k] = rt.rating(u, k, ms)
		}
		a.Ratings = append(a.Ratings, row)
	}
	return a, nil
}

// checkAssess refuses rules and periods that Assess cannot rate by.
func checkAssess(cur, prevMonth, lastYear *Result, rules RAGRules) error {
	if !(rules.AmberTolerance >= 0) || !(rules.StableTolerance >= 0) {
		return fmt.Errorf("index: RAG tolerances %v and %v must be >= 0", rules.AmberTolerance, rules.StableTolerance)
	}
	for _, b := range slices.Concat(rules.Indicators, rules.Scores) {
		if b < BasisTarget || b > BasisLastYear {
			return fmt.Errorf("index: unknown RAG basis %v", b)
		}
	}
	for _, c := range []struct {
		r      *Result
		months int
		what   string
	}{{prevMonth, 1, "previous month"}, {lastYear, 12, "same month last year"}} {
		if c.r == nil {
			continue
		}
		if d, err := MonthsBetween(c.r.Period, cur.Period); err != nil || d != c.months {
			return fmt.Errorf("index: %s result is for %s, not %d months before %s", c.what, c.r.Period, c.months, cur.Period)
		}
	}
	return nil
}

// value returns measure k of a unit in one of the periods, NaN when the
// period, the unit or the measure is absent.
func value(vals map[string][]float64, unit string, k int) float64 {
	if v, ok := vals[unit]; ok {
		return v[k]
	}
	return math.NaN()
}

// rater rates the units of a period: each measure's values this month,
// the previous month and last year, by unit, and its median over units.
type rater struct {
	cur                *Result
	rules              RAGRules
	curV, prevV, lastV map[string][]float64
	medians            []float64
}

// rating rates measure k of unit u: its trends, and its status against
// the first basis that gives a reference.
func (rt *rater) rating(u UnitResult, k int, ms Measure) Rating {
	dir, tol, bases := 1.0, 0.0, rt.rules.Scores
	var target *float64
	if ms.Kind == IndicatorValue {
		ind := &rt.cur.Framework.Indicators[k-1-len(rt.cur.Framework.Pillars)]
		dir, tol, bases, target = float64(ind.Direction), ind.Tolerance, rt.rules.Indicators, ind.Target
	}
	r := Rating{
		Value:         value(rt.curV, u.Unit, k),
		Reference:     math.NaN(),
		PreviousMonth: value(rt.prevV, u.Unit, k),
		LastYear:      value(rt.lastV, u.Unit, k),
	}
	band := func(rel, ref float64) float64 {
		if tol > 0 {
			return tol
		}
		return rel * math.Abs(ref)
	}
	r.VsPreviousMonth = trend(r.Value, r.PreviousMonth, dir, band(rt.rules.StableTolerance, r.PreviousMonth))
	r.VsLastYear = trend(r.Value, r.LastYear, dir, band(rt.rules.StableTolerance, r.LastYear))
	if math.IsNaN(r.Value) {
		return r
	}
	for _, b := range bases {
		if ref := rt.reference(b, u, k, target, r.LastYear); !math.IsNaN(ref) {
			r.Basis, r.Reference = b, ref
			r.Status = rate(r.Value, ref, dir, band(rt.rules.AmberTolerance, ref))
			break
		}
	}
	return r
}

// reference is measure k's reference for unit u on basis b; NaN when the
// basis gives none.
func (rt *rater) reference(b Basis, u UnitResult, k int, target *float64, lastYear float64) float64 {
	switch b {
	case BasisTarget:
		if target != nil {
			return *target
		}
	case BasisPeerMedian:
		if len(u.Peers) > 0 {
			return groupMedian(rt.curV, u, k)
		}
		return rt.medians[k]
	case BasisLastYear:
		return lastYear
	}
	return math.NaN()
}

// groupMedian is the median of measure k over a unit and its peers.
func groupMedian(vals map[string][]float64, u UnitResult, k int) float64 {
	group := make([]float64, 0, len(u.Peers)+1)
	for _, name := range append([]string{u.Unit}, u.Peers...) {
		if v, ok := vals[name]; ok && !math.IsNaN(v[k]) {
			group = append(group, v[k])
		}
	}
	return median(group)
}

// measureValues returns, for each unit of r, its value of each measure
// (NaN where r lacks the pillar or indicator), or nil when r is nil.
func measureValues(r *Result, measures []Measure) map[string][]float64 {
	if r == nil {
		return nil
	}
	pillar := make(map[string]int, len(r.Framework.Pillars))
	for p, pl := range r.Framework.Pillars {
		pillar[pl.Code] = p
	}
	indicator := make(map[string]int, len(r.Framework.Indicators))
	for j, ind := range r.Framework.Indicators {
		indicator[ind.Code] = j
	}
	out := make(map[string][]float64, len(r.Units))
	for _, u := range r.Units {
		vals := make([]float64, len(measures))
		for k, ms := range measures {
			vals[k] = math.NaN()
			switch ms.Kind {
			case OverallScore:
				vals[k] = u.Score
			case PillarScore:
				if p, ok := pillar[ms.Code]; ok {
					vals[k] = u.PillarScores[p]
				}
			case IndicatorValue:
				if j, ok := indicator[ms.Code]; ok {
					vals[k] = u.Values[j]
				}
			}
		}
		out[u.Unit] = vals
	}
	return out
}

// rate compares v with ref for a measure where dir·v larger is better.
func rate(v, ref, dir, band float64) Status {
	switch shortfall := dir * (ref - v); {
	case shortfall <= 0:
		return Green
	case shortfall <= band:
		return Amber
	}
	return Red
}

// trend compares v with an earlier value.
func trend(v, earlier, dir, band float64) Trend {
	if math.IsNaN(v) || math.IsNaN(earlier) {
		return NoTrend
	}
	switch gain := dir * (v - earlier); {
	case math.Abs(gain) <= band:
		return Stable
	case gain > 0:
		return Improving
	}
	return Worsening
}

// median returns the median of vals (the mean of the middle two for an even
// count), NaN when vals is empty. It sorts vals.
func median(vals []float64) float64 {
	if len(vals) == 0 {
		return math.NaN()
	}
	slices.Sort(vals)
	h := len(vals) / 2
	if len(vals)%2 == 1 {
		return vals[h]
	}
	return (vals[h-1] + vals[h]) / 2
}
