package index

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Flag records what happened to one indicator value of one unit.
type Flag uint8

const (
	// FlagMissing marks a value absent from the period's table.
	FlagMissing Flag = 1 << iota
	// FlagCarriedForward marks a missing value taken from the previous
	// period's table.
	FlagCarriedForward
	// FlagPillarMean marks a missing value replaced, after normalisation,
	// by the mean of the unit's other normalised values in the pillar.
	FlagPillarMean
	// FlagWinsorised marks a value changed by the outlier treatment.
	FlagWinsorised
	// FlagLogTransformed marks a value of an indicator that Winsorising
	// could not tame, log-transformed instead (Treatment.LogTransformed).
	FlagLogTransformed
)

func (f Flag) String() string {
	var s []string
	for _, x := range []struct {
		f    Flag
		name string
	}{{FlagMissing, "missing"}, {FlagCarriedForward, "carried-forward"}, {FlagPillarMean, "pillar-mean"}, {FlagWinsorised, "winsorised"}, {FlagLogTransformed, "log-transformed"}} {
		if f&x.f != 0 {
			s = append(s, x.name)
		}
	}
	return strings.Join(s, "+")
}

// RankInterval summarises a unit's ranks over the Monte Carlo draws. The
// percentiles are the smallest ranks r with at least that share of draws
// ranking the unit at r or better (the empirical inverse distribution, R's
// quantile type 1).
type RankInterval struct {
	P05    int
	Median int
	P95    int
	Mean   float64
}

// UnitResult is the result for one scored unit. Slices indexed by indicator
// follow Framework.Indicators; slices indexed by pillar follow
// Framework.Pillars.
type UnitResult struct {
	Unit         string
	Score        float64
	Rank         int // 1 is best; tied units share the lowest rank ("1224")
	PillarScores []float64
	PillarRanks  []int
	Values       []float64 // as given this period; NaN when missing
	Treated      []float64 // after carrying forward and outlier treatment; NaN when still missing
	Normalised   []float64 // nominal normalisation, after pillar-mean imputation
	Flags        []Flag
	Interval     RankInterval // zero when the Monte Carlo did not run
	// Peers are the scored units of its most similar group (Table.Peers),
	// PeerRank its rank among them and itself (1 is best), PeerInterval
	// that rank's Monte Carlo interval; empty and zero without peers.
	Peers        []string
	PeerRank     int
	PeerInterval RankInterval
}

// Exclusion is a unit left out of the ranking, with the reason.
type Exclusion struct {
	Unit      string
	Reason    string
	Districts []string // the unit's districts, when the caller gave them
}

// ChoiceSensitivity says how much one method choice moves the ranks. Both
// measures refer to Y, the mean over units of |rank − nominal rank|, COINr's
// sensitivity target.
type ChoiceSensitivity struct {
	Choice string // "weights", "normalisation" or "aggregation"
	// MeanAbsRankShift is Y when only this choice departs from the nominal
	// method: for normalisation and aggregation, averaged over the
	// alternatives; for weights, averaged over the draws that used the
	// nominal normalisation and aggregation.
	MeanAbsRankShift float64
	// VarianceShare is the share of the variance of Y over the draws due to
	// this choice: the first-order index Var(E[Y|choice])/Var(Y) for
	// normalisation and aggregation, and for the weights the total-order
	// index E[Var(Y|normalisation, aggregation)]/Var(Y), which includes
	// their interactions with the other choices. The weights are continuous
	// and many, so their first-order index cannot be read off the sample.
	VarianceShare     float64
	VarianceShareKind string // "first-order" or "total-order"
}

// Uncertainty describes the Monte Carlo that was run.
type Uncertainty struct {
	Draws              int
	Seed               uint64
	WeightPerturbation float64
	Normalisations     []Normalisation
	Aggregations       []Aggregation
	Sensitivity        []ChoiceSensitivity
}

// Result is the index for one period.
type Result struct {
	Period    string
	Framework Framework
	Method    Method
	Units     []UnitResult // scored units, in table order
	Excluded  []Exclusion
	// IndicatorWeights are the nominal weights within each pillar (summing
	// to 1 over each pillar); PillarWeights sum to 1.
	IndicatorWeights []float64
	PillarWeights    []float64
	// Normalisations is the normalisation used for each indicator, which
	// differs from Method.Normalisation only where DistanceToTarget fell
	// back to MinMax.
	Normalisations []Normalisation
	Treatments     []Treatment
	GeometricFloor float64      // L of the nominal normalisation (see Geometric)
	Uncertainty    *Uncertainty // nil when the Monte Carlo did not run
	Notes          []string
	// Districts lists each unit's local authority districts, when the
	// caller gave them (for the report's lists and maps).
	Districts map[string][]string
}

// Unit returns the result of the named unit, or nil if it was not scored.
func (r *Result) Unit(name string) *UnitResult {
	for i := range r.Units {
		if r.Units[i].Unit == name {
			return &r.Units[i]
		}
	}
	return nil
}

// EffectiveWeight returns the weight of indicator j in the overall score:
// its weight in its pillar times the pillar's weight. For arithmetic
// aggregation the overall score is Σ_j EffectiveWeight(j)·Normalised[j].
func (r *Result) EffectiveWeight(j int) float64 {
	_, members := r.Framework.structure()
	for p, js := range members {
		if slices.Contains(js, j) {
			return r.PillarWeights[p] * r.IndicatorWeights[j]
		}
	}
	return 0
}

// variant is one normalisation of the treated data, imputed, with the
// logarithms the geometric mean needs.
type variant struct {
	z     []float64 // n×m row-major
	floor float64   // L
	logz  []float64 // ln(z − L + 1)
	used  []Normalisation
}

// model is the treated data shared by the nominal scores and the draws.
type model struct {
	n, m     int
	pillarOf []int
	members  [][]int
	peers    [][]int32 // each unit's scored peers (Table.Peers)
	variants map[Normalisation]*variant
}

func (md *model) normalise(fw *Framework, treated [][]float64, kind Normalisation) *variant {
	v := &variant{z: make([]float64, md.n*md.m), used: make([]Normalisation, md.m)}
	col := make([]float64, md.n)
	dst := make([]float64, md.n)
	for j := range md.m {
		for i := range col {
			col[i] = treated[i][j]
		}
		v.used[j] = normaliseColumn(dst, col, &fw.Indicators[j], kind)
		for i, x := range dst {
			v.z[i*md.m+j] = x
		}
	}
	imputePillarMeans(v.z, md.m, md.members)
	v.floor = geometricFloor(kind, md.n)
	v.logz = make([]float64, len(v.z))
	for i, x := range v.z {
		v.logz[i] = math.Log(x - v.floor + 1)
	}
	return v
}

// Compute scores the units of cur with the framework and method. prev, when
// not nil, is the previous period's table: a value missing from cur is
// carried forward from it before any other imputation. Compute needs at
// least two units with enough data.
//
// With positive weights, a unit's score never falls when one of its
// indicator values moves in the good direction and all else stays equal,
// for every normalisation and aggregation. The outlier treatment is the
// exception: a change can start or stop the Winsorisation of other units'
// values and so move the ends of the min-max range.
func Compute(fw *Framework, cur, prev *Table, m Method) (*Result, error) {
	if err := fw.Validate(); err != nil {
		return nil, err
	}
	if err := m.validate(); err != nil {
		return nil, err
	}
	raw, err := cur.aligned(fw)
	if err != nil {
		return nil, err
	}
	prevRows, err := previousRows(fw, prev)
	if err != nil {
		return nil, err
	}
	res := &Result{Period: cur.Period, Method: m, Framework: Framework{
		Pillars:    slices.Clone(fw.Pillars),
		Indicators: slices.Clone(fw.Indicators),
	}}
	pillarOf, members := fw.structure()
	nInd := len(fw.Indicators)

	treated := res.carryForwardAndScreen(fw, members, cur, raw, prevRows, m.MinDataShare)
	n := len(res.Units)
	peers := peerIndices(res.Units, cur.Peers)
	if n < 2 {
		return nil, fmt.Errorf("index: period %s: %d of %d units have enough data to score; need at least 2", cur.Period, n, len(cur.Units))
	}

	if err := res.treatOutliers(fw, m.Outliers, treated); err != nil {
		return nil, err
	}

	// Normalise once per normalisation the nominal method and the Monte
	// Carlo need.
	md := &model{n: n, m: nInd, pillarOf: pillarOf, members: members, peers: peers, variants: map[Normalisation]*variant{}}
	norms, aggs, err := m.Uncertainty.choiceSets(m.Normalisation, m.Aggregation)
	if err != nil {
		return nil, err
	}
	if m.Uncertainty.Draws == 0 {
		norms = norms[:1]
	}
	for _, k := range norms {
		md.variants[k] = md.normalise(fw, treated, k)
	}
	nominal := md.variants[m.Normalisation]
	res.Normalisations = nominal.used
	res.GeometricFloor = nominal.floor
	for j, k := range nominal.used {
		if k != m.Normalisation {
			res.Notes = append(res.Notes, fmt.Sprintf("indicator %q has no target; normalised by %v", fw.Indicators[j].Code, k))
		}
	}
	res.setNormalised(nominal.z, nInd)

	// Weights, scores and ranks.
	w, notes, err := indicatorWeights(fw, members, m.Weighting, nominal.z, n)
	if err != nil {
		return nil, err
	}
	res.Notes = append(res.Notes, notes...)
	pw, err := pillarWeights(fw, m.PillarWeighting)
	if err != nil {
		return nil, err
	}
	res.IndicatorWeights, res.PillarWeights = w, pw
	md.scoreNominal(res, nominal, m.Aggregation)

	if m.Uncertainty.Draws > 0 {
		res.Uncertainty = md.monteCarlo(res, m, norms, aggs)
	}
	return res, nil
}

// setNormalised gives each unit its row of z (nInd values a unit) and
// flags the values still missing after carrying forward: normalisation
// replaced them by the mean of the unit's pillar.
func (res *Result) setNormalised(z []float64, nInd int) {
	for i := range res.Units {
		u := &res.Units[i]
		u.Normalised = slices.Clone(z[i*nInd : (i+1)*nInd])
		for j, v := range u.Treated {
			if math.IsNaN(v) {
				u.Flags[j] |= FlagPillarMean
			}
		}
	}
}

// previousRows returns each unit's values in the previous period, aligned
// to fw, for carrying forward; nil without a previous period.
func previousRows(fw *Framework, prev *Table) (map[string][]float64, error) {
	if prev == nil {
		return nil, nil
	}
	rows, err := prev.aligned(fw)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]float64, len(rows))
	for i, u := range prev.Units {
		out[u] = rows[i]
	}
	return out, nil
}

// carryForwardAndScreen adds the units of cur to res: a missing value is
// carried forward from the unit's previous-period value when there is one,
// and a unit with too little data is excluded with the reason. It returns
// the scored units' treated rows.
func (res *Result) carryForwardAndScreen(fw *Framework, members [][]int, cur *Table, raw [][]float64, prevRows map[string][]float64, minShare float64) [][]float64 {
	var treated [][]float64
	nInd := len(fw.Indicators)
	for i, u := range cur.Units {
		ur := UnitResult{
			Unit:    u,
			Values:  raw[i],
			Treated: slices.Clone(raw[i]),
			Flags:   make([]Flag, nInd),
		}
		for j, v := range ur.Values {
			if math.IsNaN(v) {
				ur.Flags[j] |= FlagMissing
				if p, ok := prevRows[u]; ok && !math.IsNaN(p[j]) {
					ur.Treated[j] = p[j]
					ur.Flags[j] |= FlagCarriedForward
				}
			}
		}
		if reason := screen(fw, members, ur.Treated, minShare); reason != "" {
			res.Excluded = append(res.Excluded, Exclusion{Unit: u, Reason: reason})
			continue
		}
		res.Units = append(res.Units, ur)
		treated = append(treated, ur.Treated)
	}
	return treated
}

// treatOutliers Winsorises each indicator's treated values in place (or
// log-transforms them, COINr's fallback, when Winsorising cannot tame
// them), flags the changed values and records each indicator's treatment.
func (res *Result) treatOutliers(fw *Framework, o OutlierRule, treated [][]float64) error {
	n, nInd := len(treated), len(fw.Indicators)
	col := make([]float64, n)
	for j := range nInd {
		for i := range col {
			col[i] = treated[i][j]
		}
		t, changed := o.winsorise(col, fw.Indicators[j].Code)
		if t.Available == 0 {
			return fmt.Errorf("index: period %s: indicator %q has no values for the scored units", res.Period, fw.Indicators[j].Code)
		}
		if t.StillOutlying && o.MaxPoints > 0 {
			// COINr's second stage (f2 = log_CT): the original values,
			// log-transformed, replace the Winsorised ones.
			for i := range col {
				col[i] = treated[i][j]
			}
			t.LogTransformed = true
			t.SkewAfter, t.KurtAfter = logCT(col)
			changed = make([]bool, n)
			for i, v := range col {
				changed[i] = !math.IsNaN(v)
			}
			res.Notes = append(res.Notes, fmt.Sprintf("indicator %q still had skew %.2f and kurtosis %.2f after Winsorising %d points, so its values were log-transformed instead (COINr's log_CT: log(x − min + 0.01·(max − min)); skew %.2f and kurtosis %.2f after)",
				t.Code, t.Skew, t.Kurtosis, t.Winsorised, t.SkewAfter, t.KurtAfter))
		}
		flag := FlagWinsorised
		if t.LogTransformed {
			flag = FlagLogTransformed
		}
		for i := range changed {
			if changed[i] {
				treated[i][j] = col[i]
				res.Units[i].Flags[j] |= flag
			}
		}
		res.Treatments = append(res.Treatments, t)
	}
	return nil
}

// peerIndices turns each scored unit's peer names into indices of units,
// dropping peers that were not scored, and records the names kept.
func peerIndices(units []UnitResult, peers map[string][]string) [][]int32 {
	at := make(map[string]int32, len(units))
	for i, u := range units {
		at[u.Unit] = int32(i)
	}
	out := make([][]int32, len(units))
	for i := range units {
		u := &units[i]
		for _, p := range peers[u.Unit] {
			if j, ok := at[p]; ok && p != u.Unit {
				out[i] = append(out[i], j)
				u.Peers = append(u.Peers, p)
			}
		}
	}
	return out
}

// screen returns why a unit with these values (after carrying forward)
// cannot be scored, or "" if it can.
func screen(fw *Framework, members [][]int, vals []float64, minShare float64) string {
	have := 0
	for _, v := range vals {
		if !math.IsNaN(v) {
			have++
		}
	}
	if share := float64(have) / float64(len(vals)); share < minShare {
		return fmt.Sprintf("has data for %d of %d indicators (%.0f%%), below the %.0f%% needed", have, len(vals), 100*share, 100*minShare)
	}
	for p, js := range members {
		if !slices.ContainsFunc(js, func(j int) bool { return !math.IsNaN(vals[j]) }) {
			return fmt.Sprintf("has no data for pillar %q", fw.Pillars[p].Code)
		}
	}
	return ""
}

// scoreNominal fills in the pillar scores, overall scores and ranks of res.
func (md *model) scoreNominal(res *Result, v *variant, agg Aggregation) {
	np := len(md.members)
	scores := make([]float64, md.n)
	pillar := make([][]float64, np)
	for p := range pillar {
		pillar[p] = make([]float64, md.n)
	}
	for i := range res.Units {
		u := &res.Units[i]
		u.PillarScores = make([]float64, np)
		z, logz := v.z[i*md.m:(i+1)*md.m], v.logz[i*md.m:(i+1)*md.m]
		var overall float64
		for p, js := range md.members {
			var s float64
			for _, j := range js {
				if agg == Geometric {
					s += res.IndicatorWeights[j] * logz[j]
				} else {
					s += res.IndicatorWeights[j] * z[j]
				}
			}
			// For the geometric mean, s and overall stay on the log scale
			// until the end: ln(P − L + 1) is s itself.
			overall += res.PillarWeights[p] * s
			if agg == Geometric {
				s = math.Exp(s) + v.floor - 1
			}
			u.PillarScores[p] = s
			pillar[p][i] = s
		}
		if agg == Geometric {
			overall = math.Exp(overall) + v.floor - 1
		}
		u.Score = overall
		scores[i] = overall
	}
	ranks := make([]int32, md.n)
	buf := make([]scored, md.n)
	rankInto(ranks, scores, buf)
	for i := range res.Units {
		res.Units[i].Rank = int(ranks[i])
		res.Units[i].PillarRanks = make([]int, np)
		if len(md.peers[i]) > 0 {
			res.Units[i].PeerRank = int(peerRank(ranks, i, md.peers[i]))
		}
	}
	for p := range pillar {
		rankInto(ranks, pillar[p], buf)
		for i := range res.Units {
			res.Units[i].PillarRanks[p] = int(ranks[i])
		}
	}
}

type scored struct {
	s float64
	i int32
}

// rankInto writes into ranks the rank of each score, 1 for the highest;
// equal scores share the lowest rank of their group ("1224" ranking). buf
// is scratch space of the same length.
func rankInto(ranks []int32, scores []float64, buf []scored) {
	for i, s := range scores {
		buf[i] = scored{s, int32(i)}
	}
	slices.SortFunc(buf, func(a, b scored) int {
		switch {
		case a.s > b.s:
			return -1
		case a.s < b.s:
			return 1
		}
		return int(a.i - b.i)
	})
	for k, e := range buf {
		if k > 0 && e.s == buf[k-1].s {
			ranks[e.i] = ranks[buf[k-1].i]
		} else {
			ranks[e.i] = int32(k + 1)
		}
	}
}
