// Package index computes a comparative resilience index: it turns a table of
// indicator values for a set of units (cities, local authorities) in one
// month into pillar scores, an overall score, ranks, rank intervals from a
// Monte Carlo over method choices, and GREEN/AMBER/RED ratings with trends.
//
// The pipeline follows the OECD/JRC Handbook on Constructing Composite
// Indicators (Nardo et al., 2008) and mirrors the defaults of the JRC's
// COINr package so that results can be checked against it:
//
//  1. Missing values are flagged. A value missing this month is carried
//     forward from the unit's previous-period table when one is given.
//     Units with data (after carrying forward) for fewer than
//     Method.MinDataShare of the indicators, or for no indicator of some
//     pillar, are excluded and listed with the reason.
//  2. Outliers are treated per indicator as COINr's Treat does: while
//     |skew| > 2 and excess kurtosis > 3.5, the most extreme value on the
//     side of the skew is replaced by the next value inward, up to 5 points.
//  3. Indicators are normalised (min-max to [0,100] by default) with their
//     direction applied, so that higher normalised values are always better.
//     A value still missing is then replaced by the mean of the unit's other
//     normalised indicators in the same pillar; with arithmetic aggregation
//     and equal weights this equals aggregating over the available data.
//  4. Indicators are aggregated into pillar scores and pillar scores into the
//     overall score with weights that sum to 1 at each level.
//  5. A Monte Carlo varies the weights, the normalisation and the aggregation
//     to give each unit a median rank and a 5–95% rank interval, and says
//     which choice moves the ranks most.
//
// Compute does steps 1–5; Assess rates the results and their trends. The
// sub-package report writes them as HTML, CSV and JSON.
package index

import (
	"errors"
	"fmt"
	"math"
)

// Direction says which way an indicator is good.
type Direction int8

const (
	// LowerIsBetter marks indicators such as crime rates.
	LowerIsBetter Direction = -1
	// HigherIsBetter marks indicators such as justice outcome rates.
	HigherIsBetter Direction = 1
)

func (d Direction) String() string {
	switch d {
	case LowerIsBetter:
		return "lower is better"
	case HigherIsBetter:
		return "higher is better"
	}
	return fmt.Sprintf("Direction(%d)", int8(d))
}

// Pillar is a group of indicators aggregated into one pillar score, such as
// "digital security" or "personal and public security".
type Pillar struct {
	Code string
	Name string
	// Weight is the expert weight of the pillar in the overall score, used
	// when Method.PillarWeighting is ExpertWeights. Weights are relative:
	// they are rescaled to sum to 1.
	Weight float64
}

// Indicator defines one column of the input table.
type Indicator struct {
	Code      string
	Name      string
	Pillar    string // Code of the pillar the indicator belongs to
	Direction Direction
	Unit      string // e.g. "per 1,000 residents"
	Source    string
	// Target, when not nil, is the value the partnership aims for, in the
	// indicator's own unit. It is used by DistanceToTarget normalisation and
	// by the BasisTarget rating.
	Target *float64
	// Weight is the expert weight of the indicator within its pillar, used
	// when Method.Weighting is ExpertWeights. Weights are relative: they are
	// rescaled to sum to 1 within the pillar.
	Weight float64
	// Tolerance, when positive, is the width in the indicator's own unit of
	// the AMBER band and of the "stable" trend band, replacing the relative
	// tolerances of RAGRules. Use it where a relative band is meaningless,
	// such as for a year-on-year change whose target is 0.
	Tolerance float64
}

// Framework is the index structure: its pillars and indicators, in the order
// in which results report them.
type Framework struct {
	Pillars    []Pillar
	Indicators []Indicator
}

// Validate reports whether the framework is usable: codes are unique and
// non-empty, every indicator names a known pillar and a direction, every
// pillar has an indicator, and weights, targets and tolerances are finite and
// weights and tolerances are not negative.
func (f *Framework) Validate() error {
	if len(f.Pillars) == 0 {
		return errors.New("index: framework has no pillars")
	}
	pillars := make(map[string]int, len(f.Pillars))
	for _, p := range f.Pillars {
		if p.Code == "" {
			return errors.New("index: framework has a pillar with an empty code")
		}
		if _, dup := pillars[p.Code]; dup {
			return fmt.Errorf("index: pillar code %q is used twice", p.Code)
		}
		if !(p.Weight >= 0) || math.IsInf(p.Weight, 0) {
			return fmt.Errorf("index: pillar %q has weight %v; want a finite weight >= 0", p.Code, p.Weight)
		}
		pillars[p.Code] = 0
	}
	codes := make(map[string]bool, len(f.Indicators))
	for _, ind := range f.Indicators {
		if ind.Code == "" {
			return errors.New("index: framework has an indicator with an empty code")
		}
		if codes[ind.Code] {
			return fmt.Errorf("index: indicator code %q is used twice", ind.Code)
		}
		codes[ind.Code] = true
		n, ok := pillars[ind.Pillar]
		if !ok {
			return fmt.Errorf("index: indicator %q names unknown pillar %q", ind.Code, ind.Pillar)
		}
		pillars[ind.Pillar] = n + 1
		if ind.Direction != LowerIsBetter && ind.Direction != HigherIsBetter {
			return fmt.Errorf("index: indicator %q has direction %d; want -1 (lower is better) or +1 (higher is better)", ind.Code, ind.Direction)
		}
		if !(ind.Weight >= 0) || math.IsInf(ind.Weight, 0) {
			return fmt.Errorf("index: indicator %q has weight %v; want a finite weight >= 0", ind.Code, ind.Weight)
		}
		if !(ind.Tolerance >= 0) || math.IsInf(ind.Tolerance, 0) {
			return fmt.Errorf("index: indicator %q has tolerance %v; want a finite value >= 0", ind.Code, ind.Tolerance)
		}
		if ind.Target != nil && (math.IsNaN(*ind.Target) || math.IsInf(*ind.Target, 0)) {
			return fmt.Errorf("index: indicator %q has target %v; want a finite value", ind.Code, *ind.Target)
		}
	}
	for _, p := range f.Pillars {
		if pillars[p.Code] == 0 {
			return fmt.Errorf("index: pillar %q has no indicators", p.Code)
		}
	}
	return nil
}

// structure returns, for the validated framework, the pillar index of each
// indicator and the indicator indices of each pillar.
func (f *Framework) structure() (pillarOf []int, members [][]int) {
	pos := make(map[string]int, len(f.Pillars))
	for i, p := range f.Pillars {
		pos[p.Code] = i
	}
	pillarOf = make([]int, len(f.Indicators))
	members = make([][]int, len(f.Pillars))
	for j, ind := range f.Indicators {
		p := pos[ind.Pillar]
		pillarOf[j] = p
		members[p] = append(members[p], j)
	}
	return pillarOf, members
}
