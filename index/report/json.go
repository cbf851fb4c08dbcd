package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"

	"github.com/safercity/safercity/index"
)

// The JSON document. Missing numbers are null.
type (
	jsonReport struct {
		Title         string          `json:"title"`
		Period        string          `json:"period"`
		PreviousMonth string          `json:"previous_month,omitempty"`
		LastYear      string          `json:"last_year,omitempty"`
		Summary       []string        `json:"summary"`
		Method        jsonMethod      `json:"method"`
		Pillars       []jsonPillar    `json:"pillars"`
		Indicators    []jsonIndicator `json:"indicators"`
		Units         []jsonUnit      `json:"units"`
		Excluded      []jsonExclusion `json:"excluded"`
		Notes         []string        `json:"notes"`
	}
	jsonMethod struct {
		Normalisation   string           `json:"normalisation"`
		Weighting       string           `json:"weighting"`
		PillarWeighting string           `json:"pillar_weighting"`
		Aggregation     string           `json:"aggregation"`
		GeometricFloor  float64          `json:"geometric_floor"`
		MinDataShare    float64          `json:"min_data_share"`
		Outliers        jsonOutliers     `json:"outliers"`
		Uncertainty     *jsonUncertainty `json:"uncertainty"`
	}
	jsonExclusion struct {
		Unit      string   `json:"unit"`
		Reason    string   `json:"reason"`
		Districts []string `json:"districts"`
	}
	jsonOutliers struct {
		MaxPoints   int     `json:"max_points"`
		MaxAbsSkew  float64 `json:"max_abs_skew"`
		MaxKurtosis float64 `json:"max_kurtosis"`
	}
	jsonUncertainty struct {
		Draws              int               `json:"draws"`
		Seed               uint64            `json:"seed"`
		WeightPerturbation float64           `json:"weight_perturbation"`
		Normalisations     []string          `json:"normalisations"`
		Aggregations       []string          `json:"aggregations"`
		Sensitivity        []jsonSensitivity `json:"sensitivity"`
	}
	jsonSensitivity struct {
		Choice            string  `json:"choice"`
		MeanAbsRankShift  float64 `json:"mean_abs_rank_shift"`
		VarianceShare     float64 `json:"variance_share"`
		VarianceShareKind string  `json:"variance_share_kind"`
	}
	jsonPillar struct {
		Code   string  `json:"code"`
		Name   string  `json:"name"`
		Weight float64 `json:"weight"`
	}
	jsonIndicator struct {
		Code            string   `json:"code"`
		Name            string   `json:"name"`
		Pillar          string   `json:"pillar"`
		Direction       int      `json:"direction"`
		Unit            string   `json:"unit"`
		Source          string   `json:"source"`
		Target          *float64 `json:"target"`
		Weight          float64  `json:"weight"`
		EffectiveWeight float64  `json:"effective_weight"`
		Normalisation   string   `json:"normalisation"`
		Winsorised      int      `json:"winsorised"`
		Skew            *float64 `json:"skew"`
		Kurtosis        *float64 `json:"kurtosis"`
	}
	jsonUnit struct {
		Unit         string           `json:"unit"`
		Districts    []string         `json:"districts"`
		Score        *float64         `json:"score"`
		Rank         int              `json:"rank"`
		RankInterval *jsonInterval    `json:"rank_interval"`
		Peers        []string         `json:"peers"`
		OverTime     []jsonPoint      `json:"scores_over_time"`
		PeerRank     *int             `json:"peer_rank"`
		PeerInterval *jsonInterval    `json:"peer_rank_interval"`
		Rating       jsonRating       `json:"rating"`
		Pillars      []jsonScore      `json:"pillars"`
		Indicators   []jsonIndicValue `json:"indicators"`
	}
	jsonPoint struct {
		Period string  `json:"period"`
		Score  float64 `json:"score"`
		Rank   int     `json:"rank"`
		Of     int     `json:"of"`
	}
	jsonInterval struct {
		P05    int     `json:"p05"`
		Median int     `json:"median"`
		P95    int     `json:"p95"`
		Mean   float64 `json:"mean"`
	}
	jsonRating struct {
		Status          string   `json:"status"`
		Basis           string   `json:"basis,omitempty"`
		Reference       *float64 `json:"reference"`
		PreviousMonth   *float64 `json:"previous_month"`
		LastYear        *float64 `json:"last_year"`
		VsPreviousMonth string   `json:"vs_previous_month"`
		VsLastYear      string   `json:"vs_last_year"`
	}
	jsonScore struct {
		Code   string     `json:"code"`
		Score  *float64   `json:"score"`
		Rank   int        `json:"rank"`
		Rating jsonRating `json:"rating"`
	}
	jsonIndicValue struct {
		Code       string     `json:"code"`
		Value      *float64   `json:"value"`
		Treated    *float64   `json:"treated"`
		Normalised *float64   `json:"normalised"`
		Flags      string     `json:"flags,omitempty"`
		Rating     jsonRating `json:"rating"`
	}
)

// WriteJSON writes the report as one indented JSON document.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(buildJSON(r)); err != nil {
		return fmt.Errorf("report: writing JSON for %s: %w", r.Result.Period, err)
	}
	return nil
}

func buildJSON(r *Report) *jsonReport {
	res := r.Result
	m := res.Method
	doc := &jsonReport{
		Title: r.Title, Period: res.Period, Summary: r.Summary,
		Method: jsonMethod{
			Normalisation: m.Normalisation.String(), Weighting: m.Weighting.String(),
			PillarWeighting: m.PillarWeighting.String(), Aggregation: m.Aggregation.String(),
			GeometricFloor: res.GeometricFloor, MinDataShare: m.MinDataShare, Outliers: jsonOutliers(m.Outliers),
		},
		Excluded: []jsonExclusion{},
		Notes:    append([]string{}, res.Notes...),
	}
	for _, e := range res.Excluded {
		doc.Excluded = append(doc.Excluded, jsonExclusion{Unit: e.Unit, Reason: e.Reason, Districts: nonNil(e.Districts)})
	}
	if r.PreviousMonth != nil {
		doc.PreviousMonth = r.PreviousMonth.Period
	}
	if r.LastYear != nil {
		doc.LastYear = r.LastYear.Period
	}
	if u := res.Uncertainty; u != nil {
		ju := &jsonUncertainty{Draws: u.Draws, Seed: u.Seed, WeightPerturbation: u.WeightPerturbation}
		for _, x := range u.Normalisations {
			ju.Normalisations = append(ju.Normalisations, x.String())
		}
		for _, x := range u.Aggregations {
			ju.Aggregations = append(ju.Aggregations, x.String())
		}
		for _, s := range u.Sensitivity {
			ju.Sensitivity = append(ju.Sensitivity, jsonSensitivity(s))
		}
		doc.Method.Uncertainty = ju
	}
	for k, p := range res.Framework.Pillars {
		doc.Pillars = append(doc.Pillars, jsonPillar{p.Code, p.Name, res.PillarWeights[k]})
	}
	for j, ind := range res.Framework.Indicators {
		t := res.Treatments[j]
		doc.Indicators = append(doc.Indicators, jsonIndicator{
			Code: ind.Code, Name: ind.Name, Pillar: ind.Pillar, Direction: int(ind.Direction),
			Unit: ind.Unit, Source: ind.Source, Target: ind.Target,
			Weight: res.IndicatorWeights[j], EffectiveWeight: res.EffectiveWeight(j),
			Normalisation: res.Normalisations[j].String(),
			Winsorised:    t.Winsorised, Skew: opt(t.Skew), Kurtosis: opt(t.Kurtosis),
		})
	}
	for _, i := range byRank(res) {
		doc.Units = append(doc.Units, unitJSON(r, i))
	}
	return doc
}

// unitJSON is the i-th unit of the result: its scores, ranks with their
// intervals, peers, score over the months and every indicator.
func unitJSON(r *Report, i int) jsonUnit {
	res, a := r.Result, r.Assessment
	u := &res.Units[i]
	ju := jsonUnit{Unit: u.Unit, Districts: nonNil(res.Districts[u.Unit]), Score: opt(u.Score), Rank: u.Rank, Rating: rating(a.Ratings[i][0])}
	if res.Uncertainty != nil {
		iv := jsonInterval(u.Interval)
		ju.RankInterval = &iv
	}
	ju.Peers = nonNil(u.Peers)
	ju.OverTime = []jsonPoint{}
	for _, h := range r.History {
		if hu := h.Unit(u.Unit); hu != nil {
			ju.OverTime = append(ju.OverTime, jsonPoint{h.Period, hu.Score, hu.Rank, len(h.Units)})
		}
	}
	ju.OverTime = append(ju.OverTime, jsonPoint{res.Period, u.Score, u.Rank, len(res.Units)})
	if len(u.Peers) > 0 {
		ju.PeerRank = &u.PeerRank
		if res.Uncertainty != nil {
			iv := jsonInterval(u.PeerInterval)
			ju.PeerInterval = &iv
		}
	}
	nPillars := len(res.Framework.Pillars)
	for k, p := range res.Framework.Pillars {
		ju.Pillars = append(ju.Pillars, jsonScore{p.Code, opt(u.PillarScores[k]), u.PillarRanks[k], rating(a.Ratings[i][1+k])})
	}
	for j, ind := range res.Framework.Indicators {
		ju.Indicators = append(ju.Indicators, jsonIndicValue{
			Code: ind.Code, Value: opt(u.Values[j]), Treated: opt(u.Treated[j]), Normalised: opt(u.Normalised[j]),
			Flags: u.Flags[j].String(), Rating: rating(a.Ratings[i][1+nPillars+j]),
		})
	}
	return ju
}

func rating(r index.Rating) jsonRating {
	j := jsonRating{
		Status: r.Status.String(), Reference: opt(r.Reference),
		PreviousMonth: opt(r.PreviousMonth), LastYear: opt(r.LastYear),
		VsPreviousMonth: r.VsPreviousMonth.String(), VsLastYear: r.VsLastYear.String(),
	}
	if r.Status != index.Unrated {
		j.Basis = r.Basis.String()
	}
	return j
}

// opt returns nil for a missing (NaN) value, which JSON cannot hold.
func opt(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// nonNil returns xs, or an empty list for nil, so that JSON shows [].
func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}
