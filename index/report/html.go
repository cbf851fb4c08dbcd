package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/safercity/safercity/index"
)

//go:embed report.html.tmpl
var pageTemplate string

var page = template.Must(template.New("page").Parse(pageTemplate))

// Geometry of the inline SVG charts, in pixels.
const (
	barWidth      = 100.0
	intervalWidth = 120.0
	sparkWidth    = 80.0
	sparkHeight   = 20.0
)

type htmlPage struct {
	Title, Period      string
	PreviousMonth      string
	LastYear           string
	Summary            []string
	Pillars            []htmlColumn
	Indicators         []htmlColumn
	League             []htmlLeagueRow
	Grid               []htmlGridRow
	HasIntervals       bool
	HasHistory         bool
	IntervalWidth      float64
	IntervalAxisEnd    float64
	BarWidth           float64
	SparkWidth         float64
	SparkHeight        float64
	Method             [][2]string
	PillarWeights      []htmlWeight
	Sensitivity        []htmlSensitivity
	Excluded           []htmlExclusion
	Notes              []string
	Maps               *htmlMaps
	HasPeers           bool
	AtoZ               []htmlLink
	Treatments         []index.Treatment
	WinsorisedAnywhere bool
}

type htmlColumn struct {
	Code, Name, Pillar, Direction, Unit, Source, Target string
	Weight, EffectiveWeight, Normalisation              string
}

type htmlWeight struct{ Code, Name, Weight string }

type htmlSensitivity struct {
	Choice, Shift, Share, Kind string
}

// htmlCell is one rated value: the text, the rating class and label (so
// that colour is never the only cue) and the trend arrows.
type htmlCell struct {
	Text, Class, Label, Status string
	Month, Year                string // arrows
	Title                      string
}

type htmlExclusion struct {
	Unit, Districts, Reason string
}

type htmlLink struct{ Anchor, Text string }

type htmlLeagueRow struct {
	Rank       int
	Unit       string
	Anchor     string
	Districts  string // when not just the unit's own name
	Peer       *htmlPeer
	Score      htmlCell
	Bar        float64 // bar length
	RankChange string
	Interval   *htmlInterval
	Pillars    []htmlCell
	Spark      *htmlSpark
}

// htmlPeer is a unit's rank in its most similar group.
type htmlPeer struct {
	Text  string // "3rd of 11"
	Range string // "2nd–5th"
	Peers []htmlLink
}

type htmlInterval struct {
	X05, X95, XMedian, XRank float64
	Text                     string
}

type htmlSpark struct {
	Points string
	LastX  float64
	LastY  float64
	Title  string
}

type htmlGridRow struct {
	Unit  string
	Cells []htmlCell
}

// anchor is the id of a unit's row in the league table.
func anchor(unit string) string {
	var b strings.Builder
	b.WriteString("u-")
	for _, r := range strings.ToLower(unit) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return b.String()
}

// peer describes a unit's rank in its most similar group, nil without one.
func peer(u *index.UnitResult, intervals bool) *htmlPeer {
	if len(u.Peers) == 0 {
		return nil
	}
	p := &htmlPeer{Text: fmt.Sprintf("%s of %d", ordinal(u.PeerRank), len(u.Peers)+1)}
	if intervals {
		p.Range = fmt.Sprintf("%s–%s", ordinal(u.PeerInterval.P05), ordinal(u.PeerInterval.P95))
	}
	for _, name := range u.Peers {
		p.Peers = append(p.Peers, htmlLink{Anchor: anchor(name), Text: name})
	}
	return p
}

// WriteHTML writes the report as one HTML page that needs nothing beyond
// itself: styles are inline and charts are inline SVG.
func WriteHTML(w io.Writer, r *Report) error {
	if err := page.Execute(w, buildPage(r)); err != nil {
		return fmt.Errorf("report: writing HTML for %s: %w", r.Result.Period, err)
	}
	return nil
}

func buildPage(r *Report) *htmlPage {
	res, a := r.Result, r.Assessment
	p := &htmlPage{
		Title: r.Title, Period: res.Period, Summary: r.Summary,
		HasIntervals: res.Uncertainty != nil, HasHistory: len(r.History) > 0,
		IntervalWidth: intervalWidth, IntervalAxisEnd: intervalWidth - 4, BarWidth: barWidth, SparkWidth: sparkWidth, SparkHeight: sparkHeight,
		Notes: res.Notes, Treatments: res.Treatments, Maps: buildMaps(res),
	}
	for _, e := range res.Excluded {
		p.Excluded = append(p.Excluded, htmlExclusion{Unit: e.Unit, Districts: strings.Join(e.Districts, ", "), Reason: e.Reason})
	}
	if r.PreviousMonth != nil {
		p.PreviousMonth = r.PreviousMonth.Period
	}
	if r.LastYear != nil {
		p.LastYear = r.LastYear.Period
	}
	for k, pl := range res.Framework.Pillars {
		p.Pillars = append(p.Pillars, htmlColumn{Code: pl.Code, Name: pl.Name})
		p.PillarWeights = append(p.PillarWeights, htmlWeight{pl.Code, pl.Name, percent(res.PillarWeights[k])})
	}
	for j, ind := range res.Framework.Indicators {
		c := htmlColumn{
			Code: ind.Code, Name: ind.Name, Pillar: ind.Pillar, Direction: ind.Direction.String(),
			Unit: ind.Unit, Source: ind.Source, Target: "–",
			Weight: percent(res.IndicatorWeights[j]), EffectiveWeight: percent(res.EffectiveWeight(j)),
			Normalisation: res.Normalisations[j].String(),
		}
		if ind.Target != nil {
			c.Target = formatValue(*ind.Target, "")
		}
		p.Indicators = append(p.Indicators, c)
	}
	for _, t := range res.Treatments {
		if t.Winsorised > 0 {
			p.WinsorisedAnywhere = true
		}
	}

	lo, hi := scoreScale(res)
	for _, i := range byRank(res) {
		u := &res.Units[i]
		ratings := a.Ratings[i]
		row := leagueRow(r, i, lo, hi)
		p.HasPeers = p.HasPeers || row.Peer != nil
		p.League = append(p.League, row)

		g := htmlGridRow{Unit: u.Unit}
		for k, ms := range a.Measures {
			text, unit, dir := formatScore(ratings[k].Value), "score", index.HigherIsBetter
			if ms.Kind == index.IndicatorValue {
				ind := res.Framework.Indicators[k-1-len(res.Framework.Pillars)]
				text, unit, dir = formatValue(ratings[k].Value, ""), ind.Unit, ind.Direction
			}
			g.Cells = append(g.Cells, cell(ratings[k], text, unit, dir))
		}
		p.Grid = append(p.Grid, g)
		p.AtoZ = append(p.AtoZ, htmlLink{Anchor: row.Anchor, Text: u.Unit})
	}
	slices.SortFunc(p.AtoZ, func(a, b htmlLink) int { return strings.Compare(a.Text, b.Text) })

	p.Method, p.Sensitivity = methodRows(res)
	return p
}

// leagueRow is the league table's row of the i-th unit: rank and its
// change, score bar on the scale lo…hi, rank interval, pillars, sparkline.
func leagueRow(r *Report, i int, lo, hi float64) htmlLeagueRow {
	res := r.Result
	u, ratings, n := &res.Units[i], r.Assessment.Ratings[i], len(res.Units)
	row := htmlLeagueRow{
		Rank:   u.Rank,
		Unit:   u.Unit,
		Anchor: anchor(u.Unit),
		Peer:   peer(u, res.Uncertainty != nil),
		Score:  cell(ratings[0], formatScore(u.Score), "score", index.HigherIsBetter),
		Bar:    barWidth * (u.Score - lo) / (hi - lo),
	}
	if prev := r.PreviousMonth; prev != nil {
		if pu := prev.Unit(u.Unit); pu != nil {
			switch d := pu.Rank - u.Rank; {
			case d > 0:
				row.RankChange = fmt.Sprintf("▲%d", d)
			case d < 0:
				row.RankChange = fmt.Sprintf("▼%d", -d)
			default:
				row.RankChange = "="
			}
		} else {
			row.RankChange = "new"
		}
	}
	if res.Uncertainty != nil {
		x := func(rank int) float64 {
			if n == 1 {
				return intervalWidth / 2
			}
			return 4 + (intervalWidth-8)*float64(rank-1)/float64(n-1)
		}
		iv := u.Interval
		row.Interval = &htmlInterval{
			X05: x(iv.P05), X95: x(iv.P95), XMedian: x(iv.Median), XRank: x(u.Rank),
			Text: fmt.Sprintf("%s–%s (median %s)", ordinal(iv.P05), ordinal(iv.P95), ordinal(iv.Median)),
		}
	}
	for k := range res.Framework.Pillars {
		row.Pillars = append(row.Pillars, cell(ratings[1+k], formatScore(u.PillarScores[k]), "score", index.HigherIsBetter))
	}
	row.Spark = sparkline(r, u)
	if ds := res.Districts[u.Unit]; len(ds) > 1 || (len(ds) == 1 && ds[0] != u.Unit) {
		row.Districts = strings.Join(ds, ", ")
	}
	return row
}

// methodRows describes the method, and the sensitivity of the ranks to
// each choice when there was a Monte Carlo.
func methodRows(res *index.Result) (method [][2]string, sens []htmlSensitivity) {
	m := res.Method
	method = [][2]string{
		{"Normalisation", m.Normalisation.String()},
		{"Indicator weights", m.Weighting.String() + " within each pillar"},
		{"Pillar weights", m.PillarWeighting.String()},
		{"Aggregation", aggregationText(m.Aggregation, res.GeometricFloor)},
		{"Missing data", fmt.Sprintf("flagged; carried forward from the unit's previous-period value when available, otherwise replaced after normalisation by the mean of the unit's other normalised indicators in the same pillar. Units with data for fewer than %.0f%% of indicators, or none in a pillar, are excluded.", 100*m.MinDataShare)},
		{"Outliers", outlierText(m.Outliers)},
		{"Ranks", "1 is best; tied units share the lowest rank (1, 2, 2, 4)"},
	}
	if u := res.Uncertainty; u != nil {
		var ns, as []string
		for _, x := range u.Normalisations {
			ns = append(ns, x.String())
		}
		for _, x := range u.Aggregations {
			as = append(as, x.String())
		}
		method = append(method,
			[2]string{"Uncertainty", fmt.Sprintf("%s Monte Carlo draws, seed %d: every weight multiplied by a uniform factor in [%.2f, %.2f] and rescaled; normalisation alternated over %s; aggregation alternated over %s. Rank intervals are the 5th to 95th percentiles of the draws.",
				thousands(u.Draws), u.Seed, 1-u.WeightPerturbation, 1+u.WeightPerturbation, strings.Join(ns, ", "), strings.Join(as, ", "))})
		for _, s := range u.Sensitivity {
			sens = append(sens, htmlSensitivity{
				Choice: s.Choice, Shift: strconv.FormatFloat(s.MeanAbsRankShift, 'f', 2, 64),
				Share: percent(s.VarianceShare), Kind: s.VarianceShareKind,
			})
		}
	}
	return method, sens
}

// cell renders a rating. unit names what the value is, for the tooltip.
func cell(r index.Rating, text, unit string, dir index.Direction) htmlCell {
	c := htmlCell{Text: text, Status: r.Status.String(), Month: r.VsPreviousMonth.Arrow(), Year: r.VsLastYear.Arrow()}
	switch r.Status {
	case index.Green:
		c.Class, c.Label = "rag-green", "G"
	case index.Amber:
		c.Class, c.Label = "rag-amber", "A"
	case index.Red:
		c.Class, c.Label = "rag-red", "R"
	default:
		c.Class, c.Label = "rag-na", "–"
	}
	var t []string
	t = append(t, fmt.Sprintf("%s %s (%s)", text, unit, dir))
	if r.Status != index.Unrated {
		t = append(t, fmt.Sprintf("%s against %s %s", r.Status, r.Basis, formatValue(r.Reference, "")))
	} else {
		t = append(t, "not rated")
	}
	t = append(t, fmt.Sprintf("vs previous month: %s", r.VsPreviousMonth))
	t = append(t, fmt.Sprintf("vs same month last year: %s", r.VsLastYear))
	c.Title = strings.Join(t, "; ")
	return c
}

// scoreScale returns the range the score bars span: [0,100] for the
// bounded normalisations, the observed range otherwise.
func scoreScale(res *index.Result) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, u := range res.Units {
		lo, hi = math.Min(lo, u.Score), math.Max(hi, u.Score)
	}
	if res.Method.Normalisation != index.ZScore {
		lo, hi = math.Min(lo, 0), math.Max(hi, 100)
	}
	if hi == lo {
		hi = lo + 1
	}
	return lo, hi
}

// sparkline draws the unit's overall score over the history and this month.
func sparkline(r *Report, u *index.UnitResult) *htmlSpark {
	var periods []string
	var scores []float64
	for _, h := range r.History {
		if hu := h.Unit(u.Unit); hu != nil {
			periods = append(periods, h.Period)
			scores = append(scores, hu.Score)
		}
	}
	if len(scores) == 0 {
		return nil
	}
	periods = append(periods, r.Result.Period)
	scores = append(scores, u.Score)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range scores {
		lo, hi = math.Min(lo, s), math.Max(hi, s)
	}
	span := hi - lo
	if span == 0 {
		span = 1
	}
	var pts []string
	var x, y float64
	var title []string
	for k, s := range scores {
		x = 2 + (sparkWidth-4)*float64(k)/float64(len(scores)-1)
		y = sparkHeight - 2 - (sparkHeight-4)*(s-lo)/span
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
		title = append(title, periods[k]+" "+formatScore(s))
	}
	return &htmlSpark{Points: strings.Join(pts, " "), LastX: x, LastY: y, Title: strings.Join(title, ", ")}
}

func aggregationText(a index.Aggregation, floor float64) string {
	if a == index.Geometric {
		return fmt.Sprintf("weighted geometric mean of indicators within pillars and of pillars; values shifted by %s so the lowest possible value is 1, and shifted back", formatValue(1-floor, ""))
	}
	return "weighted arithmetic mean of indicators within pillars and of pillars"
}

func outlierText(o index.OutlierRule) string {
	if o.MaxPoints == 0 {
		return "no treatment"
	}
	return fmt.Sprintf("Winsorised up to %d points per indicator while |skew| > %g and kurtosis > %g (COINr's rule)", o.MaxPoints, o.MaxAbsSkew, o.MaxKurtosis)
}

func percent(v float64) string {
	return strconv.FormatFloat(100*v, 'f', 1, 64) + "%"
}
