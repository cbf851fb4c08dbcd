package index

import (
	"fmt"
	"math"
	"slices"
)

// Normalisation is the way indicator values are brought onto a common scale.
// Every normalisation applies the indicator's direction, so that a higher
// normalised value is always better.
type Normalisation int8

const (
	// MinMax maps each indicator onto [0,100], 0 for the worst unit and 100
	// for the best. An indicator on which all units are equal scores 50.
	MinMax Normalisation = iota
	// ZScore subtracts the mean and divides by the sample standard
	// deviation. An indicator on which all units are equal scores 0.
	ZScore
	// DistanceToTarget scores 100 at or beyond the target and 0 at the worst
	// unit, linearly in between (COINr's n_dist2targ with the cap). An
	// indicator without a target falls back to MinMax, with a note.
	DistanceToTarget
)

func (n Normalisation) String() string {
	switch n {
	case MinMax:
		return "min-max [0,100]"
	case ZScore:
		return "z-score"
	case DistanceToTarget:
		return "distance to target [0,100]"
	}
	return fmt.Sprintf("Normalisation(%d)", int8(n))
}

// Weighting is the way weights are set.
type Weighting int8

const (
	// EqualWeights gives every indicator of a pillar (or every pillar) the
	// same weight.
	EqualWeights Weighting = iota
	// ExpertWeights uses Indicator.Weight (or Pillar.Weight), rescaled to
	// sum to 1; every weight must then be positive.
	ExpertWeights
	// PCAWeights derives the weights of the indicators within each pillar
	// from a principal components analysis of their normalised values, as
	// in the OECD/JRC Handbook (section 6.1) but without varimax rotation:
	// the components of the correlation matrix with eigenvalue > 1 are kept
	// (at least the first), each indicator is assigned to the kept
	// component on which its squared loading λ_k·v_jk² is largest, and its
	// weight is that component's share of the kept variance, λ_k/Σλ, times
	// the indicator's squared loading scaled to unit sum over the
	// component, v_jk². Weights are then rescaled to sum to 1. Indicators
	// that are constant across units get weight 0. PCAWeights applies to
	// indicators only; for pillars it is an error.
	PCAWeights
)

func (w Weighting) String() string {
	switch w {
	case EqualWeights:
		return "equal"
	case ExpertWeights:
		return "expert"
	case PCAWeights:
		return "PCA (OECD handbook rule)"
	}
	return fmt.Sprintf("Weighting(%d)", int8(w))
}

// Aggregation is the way values are combined into pillar and overall scores.
// The same aggregation is used at both levels.
type Aggregation int8

const (
	// Arithmetic is the weighted arithmetic mean: fully compensatory, a
	// weak indicator can be offset by a strong one.
	Arithmetic Aggregation = iota
	// Geometric is the weighted geometric mean, which rewards balanced
	// performance. It needs positive values, so every value is shifted by
	// 1−L before the mean and shifted back after it, where L is the lowest
	// value the normalisation can give: 0 for MinMax and DistanceToTarget
	// (scores stay in [0,100]) and −(n−1)/√n for ZScore over n units. Equal
	// inputs then give the same score as the arithmetic mean.
	Geometric
)

func (a Aggregation) String() string {
	switch a {
	case Arithmetic:
		return "arithmetic mean"
	case Geometric:
		return "geometric mean"
	}
	return fmt.Sprintf("Aggregation(%d)", int8(a))
}

// OutlierRule is COINr's default outlier treatment: while an indicator's
// |skewness| exceeds MaxAbsSkew and its excess kurtosis exceeds MaxKurtosis,
// Winsorise the most extreme value on the side of the skew (replace it, and
// any ties, with the next value inward), treating at most MaxPoints values.
// Skewness and kurtosis are gonum's stat.Skew and stat.ExKurtosis, the same
// sample-corrected estimators as COINr's skew and kurt (Excel's SKEW and
// KURT). MaxPoints 0 turns the treatment off.
type OutlierRule struct {
	MaxPoints   int
	MaxAbsSkew  float64
	MaxKurtosis float64
}

// UncertaintyConfig sets the Monte Carlo over method choices.
//
// Draw d uses the combination d mod k of the k = len(Normalisations) ×
// len(Aggregations) choices, so that each combination is drawn equally
// often, and multiplies every nominal weight (indicator and pillar) by an
// independent uniform factor in [1−WeightPerturbation, 1+WeightPerturbation]
// before rescaling the weights to sum to 1 again. The random numbers of draw d
// come from a PCG generator seeded with (Seed, splitmix64(d)), so results
// depend only on Seed and Draws, not on Workers or scheduling.
type UncertaintyConfig struct {
	Draws              int // 0 skips the Monte Carlo
	Seed               uint64
	WeightPerturbation float64 // in [0,1)
	// Normalisations and Aggregations are the choices alternated. The
	// nominal choices of the Method are added when absent so that the
	// effect of the weights alone can be measured.
	Normalisations []Normalisation
	Aggregations   []Aggregation
	// Workers is the number of goroutines; 0 means GOMAXPROCS. Each keeps
	// a count of ranks per unit, so memory grows as Workers × units².
	Workers int
}

// Method is the set of choices that turn indicator values into scores. The
// zero Method is min-max normalisation, equal weights, arithmetic
// aggregation, no outlier treatment, no unit screening and no Monte Carlo;
// DefaultMethod returns the recommended settings.
type Method struct {
	// MinDataShare is the share of indicators for which a unit must have a
	// value (after carrying forward) to be scored.
	MinDataShare    float64
	Outliers        OutlierRule
	Normalisation   Normalisation
	Weighting       Weighting // of indicators within each pillar
	PillarWeighting Weighting // of pillars in the overall score
	Aggregation     Aggregation
	Uncertainty     UncertaintyConfig
}

// DefaultMethod returns COINr's defaults where COINr has them: units need
// data for 2/3 of the indicators (COINr Screen's dat_thresh), Winsorisation
// of up to 5 points while |skew| > 2 and kurtosis > 3.5 (COINr Treat),
// min-max normalisation onto [0,100] (COINr Normalise), equal weights within
// and between pillars, and the arithmetic mean (COINr Aggregate). The Monte
// Carlo runs 10,000 draws with seed 1, perturbing weights by ±25% and
// alternating min-max/z-score and arithmetic/geometric: 10,000 draws keep
// the 5th and 95th rank percentiles stable to about one place and take well
// under a second for a few hundred units.
func DefaultMethod() Method {
	return Method{
		MinDataShare: 2.0 / 3.0,
		Outliers:     OutlierRule{MaxPoints: 5, MaxAbsSkew: 2, MaxKurtosis: 3.5},
		Uncertainty: UncertaintyConfig{
			Draws:              10000,
			Seed:               1,
			WeightPerturbation: 0.25,
			Normalisations:     []Normalisation{MinMax, ZScore},
			Aggregations:       []Aggregation{Arithmetic, Geometric},
		},
	}
}

func (m *Method) validate() error {
	if !(m.MinDataShare >= 0 && m.MinDataShare <= 1) {
		return fmt.Errorf("index: MinDataShare %v is not in [0,1]", m.MinDataShare)
	}
	if m.Outliers.MaxPoints < 0 {
		return fmt.Errorf("index: Outliers.MaxPoints %d is negative", m.Outliers.MaxPoints)
	}
	if m.Outliers.MaxPoints > 0 && (!(m.Outliers.MaxAbsSkew >= 0) || math.IsNaN(m.Outliers.MaxKurtosis)) {
		return fmt.Errorf("index: outlier thresholds skew %v, kurtosis %v are not usable", m.Outliers.MaxAbsSkew, m.Outliers.MaxKurtosis)
	}
	if !validNormalisation(m.Normalisation) {
		return fmt.Errorf("index: unknown normalisation %v", m.Normalisation)
	}
	if m.Weighting < EqualWeights || m.Weighting > PCAWeights {
		return fmt.Errorf("index: unknown indicator weighting %v", m.Weighting)
	}
	if m.PillarWeighting != EqualWeights && m.PillarWeighting != ExpertWeights {
		return fmt.Errorf("index: pillar weighting %v is not supported; use equal or expert", m.PillarWeighting)
	}
	if !validAggregation(m.Aggregation) {
		return fmt.Errorf("index: unknown aggregation %v", m.Aggregation)
	}
	u := &m.Uncertainty
	if u.Draws < 0 {
		return fmt.Errorf("index: Uncertainty.Draws %d is negative", u.Draws)
	}
	if !(u.WeightPerturbation >= 0 && u.WeightPerturbation < 1) {
		return fmt.Errorf("index: Uncertainty.WeightPerturbation %v is not in [0,1)", u.WeightPerturbation)
	}
	if u.Workers < 0 {
		return fmt.Errorf("index: Uncertainty.Workers %d is negative", u.Workers)
	}
	for _, n := range u.Normalisations {
		if !validNormalisation(n) {
			return fmt.Errorf("index: Uncertainty.Normalisations has unknown normalisation %v", n)
		}
	}
	for _, a := range u.Aggregations {
		if !validAggregation(a) {
			return fmt.Errorf("index: Uncertainty.Aggregations has unknown aggregation %v", a)
		}
	}
	return nil
}

func validNormalisation(n Normalisation) bool { return n >= MinMax && n <= DistanceToTarget }
func validAggregation(a Aggregation) bool     { return a == Arithmetic || a == Geometric }

// choiceSets returns the normalisations and aggregations the Monte Carlo
// alternates, each without repeats and starting with the nominal choice.
func (u *UncertaintyConfig) choiceSets(nominalN Normalisation, nominalA Aggregation) ([]Normalisation, []Aggregation, error) {
	var ns []Normalisation
	for _, n := range append([]Normalisation{nominalN}, u.Normalisations...) {
		if !slices.Contains(ns, n) {
			ns = append(ns, n)
		}
	}
	var as []Aggregation
	for _, a := range append([]Aggregation{nominalA}, u.Aggregations...) {
		if !slices.Contains(as, a) {
			as = append(as, a)
		}
	}
	if k := len(ns) * len(as); u.Draws > 0 && u.Draws < k {
		return nil, nil, fmt.Errorf("index: Uncertainty.Draws %d is fewer than the %d normalisation × aggregation combinations", u.Draws, k)
	}
	return ns, as, nil
}
