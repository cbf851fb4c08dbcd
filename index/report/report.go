// Package report writes a period's resilience index as one self-contained
// HTML page (inline CSS and SVG, readable offline), a CSV file and a JSON
// file, named index-YYYY-MM.{html,csv,json}.
package report

import (
	"cmp"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/safercity/safercity/index"
)

// historyMonths is how many earlier months the sparklines show.
const historyMonths = 12

// Report is everything the three outputs show for one period.
type Report struct {
	Title      string
	Result     *index.Result
	Assessment *index.Assessment
	// PreviousMonth and LastYear are the results one and twelve months
	// before Result, nil when not given.
	PreviousMonth *index.Result
	LastYear      *index.Result
	// History holds the earlier results of the last twelve months, oldest
	// first, for the sparklines.
	History []*index.Result
	// Summary is the plain-English account of the period: who leads, who
	// moved and which indicator drove it, the ratings, how robust the
	// ranking is and what was done to the data.
	Summary []string
}

// New builds the report of cur. past may hold results of any earlier
// periods in any order; the previous month and the same month last year
// are picked from it by period, and rules rate the values.
func New(title string, cur *index.Result, past []*index.Result, rules index.RAGRules) (*Report, error) {
	r := &Report{Title: title, Result: cur}
	seen := map[string]bool{}
	for _, p := range past {
		d, err := index.MonthsBetween(p.Period, cur.Period)
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		if d <= 0 {
			return nil, fmt.Errorf("report: past result for %s is not before %s", p.Period, cur.Period)
		}
		if seen[p.Period] {
			return nil, fmt.Errorf("report: two past results for %s", p.Period)
		}
		seen[p.Period] = true
		switch d {
		case 1:
			r.PreviousMonth = p
		case 12:
			r.LastYear = p
		}
		if d <= historyMonths {
			r.History = append(r.History, p)
		}
	}
	slices.SortFunc(r.History, func(a, b *index.Result) int { return strings.Compare(a.Period, b.Period) })
	var err error
	if r.Assessment, err = index.Assess(cur, r.PreviousMonth, r.LastYear, rules); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var prevAssessment *index.Assessment
	if r.PreviousMonth != nil {
		if prevAssessment, err = index.Assess(r.PreviousMonth, nil, nil, rules); err != nil {
			return nil, fmt.Errorf("report: previous month: %w", err)
		}
	}
	r.Summary = summarise(r, prevAssessment)
	return r, nil
}

// BaseName returns the file name, without extension, of a period's report.
func BaseName(period string) string { return "index-" + period }

// WriteFiles writes the HTML, CSV, JSON and XLSX reports into dir and returns
// their paths.
func WriteFiles(dir string, r *Report) ([]string, error) {
	var paths []string
	for _, out := range []struct {
		ext   string
		write func(*os.File, *Report) error
	}{
		{".html", func(f *os.File, r *Report) error { return WriteHTML(f, r) }},
		{".csv", func(f *os.File, r *Report) error { return WriteCSV(f, r) }},
		{".json", func(f *os.File, r *Report) error { return WriteJSON(f, r) }},
		{".xlsx", func(f *os.File, r *Report) error { return WriteXLSX(f, r) }},
	} {
		path := filepath.Join(dir, BaseName(r.Result.Period)+out.ext)
		f, err := os.Create(path)
		if err != nil {
			return paths, fmt.Errorf("report: %w", err)
		}
		err = out.write(f, r)
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("report: %w", cerr)
		}
		if err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// byRank returns the indices of res.Units in rank order, ties by name.
func byRank(res *index.Result) []int {
	idx := make([]int, len(res.Units))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		ua, ub := &res.Units[a], &res.Units[b]
		return cmp.Or(cmp.Compare(ua.Rank, ub.Rank), strings.Compare(ua.Unit, ub.Unit))
	})
	return idx
}

func summarise(r *Report, prevAssessment *index.Assessment) []string {
	res := r.Result
	var out []string
	order := byRank(res)
	lead := res.Units[order[0]]
	s := fmt.Sprintf("%s ranks 1st of %d units in %s with a score of %s", lead.Unit, len(res.Units), res.Period, formatScore(lead.Score))
	if res.Uncertainty != nil {
		s += fmt.Sprintf(" (rank %s–%s in 90%% of %s method variations)", ordinal(lead.Interval.P05), ordinal(lead.Interval.P95), thousands(res.Uncertainty.Draws))
	}
	last := res.Units[order[len(order)-1]]
	out = append(out, s+fmt.Sprintf("; %s is last with %s.", last.Unit, formatScore(last.Score)))

	if prev := r.PreviousMonth; prev != nil {
		out = append(out, movers(res, prev)...)
	}
	if r.LastYear != nil {
		out = append(out, yearOnYear(r.Assessment, res, r.LastYear))
	}
	out = append(out, ratingSummary(r.Assessment, prevAssessment, r.PreviousMonth))
	if s := peerSummary(res); s != "" {
		out = append(out, s)
	}
	if u := res.Uncertainty; u != nil {
		out = append(out, robustness(res))
	}
	if s := dataSummary(res); s != "" {
		out = append(out, s)
	}
	return out
}

// movers describes the units whose rank changed most since prev and the
// indicator that contributed most to the change.
func movers(res, prev *index.Result) []string {
	type move struct {
		u, p  *index.UnitResult
		delta int // places gained
	}
	var moves []move
	for i := range res.Units {
		u := &res.Units[i]
		if p := prev.Unit(u.Unit); p != nil && p.Rank != u.Rank {
			moves = append(moves, move{u, p, p.Rank - u.Rank})
		}
	}
	if len(moves) == 0 {
		return []string{fmt.Sprintf("No unit changed rank since %s.", prev.Period)}
	}
	slices.SortFunc(moves, func(a, b move) int {
		return cmp.Or(cmp.Compare(abs(b.delta), abs(a.delta)), strings.Compare(a.u.Unit, b.u.Unit))
	})
	var out []string
	for _, mv := range moves[:min(3, len(moves))] {
		verb := "rose"
		if mv.delta < 0 {
			verb = "fell"
		}
		s := fmt.Sprintf("%s %s %d %s to %s since %s (score %s → %s)", mv.u.Unit, verb, abs(mv.delta), plural(abs(mv.delta), "place", "places"),
			ordinal(mv.u.Rank), prev.Period, formatScore(mv.p.Score), formatScore(mv.u.Score))
		if d := driver(res, prev, mv.u, mv.p, mv.delta > 0); d != "" {
			s += "; " + d
		}
		out = append(out, s+".")
	}
	return out
}

// driver names the indicator whose change in normalised value, times its
// effective weight, did most to move the unit in the direction it moved.
// For the geometric mean this is a first-order approximation.
func driver(res, prev *index.Result, u, p *index.UnitResult, rose bool) string {
	best, bestGain := -1, 0.0
	for j, ind := range res.Framework.Indicators {
		pj := slices.IndexFunc(prev.Framework.Indicators, func(x index.Indicator) bool { return x.Code == ind.Code })
		if pj < 0 {
			continue
		}
		gain := res.EffectiveWeight(j) * (u.Normalised[j] - p.Normalised[pj])
		if !rose {
			gain = -gain
		}
		if gain > bestGain {
			best, bestGain = j, gain
		}
	}
	if best < 0 {
		return ""
	}
	ind := res.Framework.Indicators[best]
	pj := slices.IndexFunc(prev.Framework.Indicators, func(x index.Indicator) bool { return x.Code == ind.Code })
	now, then := u.Values[best], p.Values[pj]
	name := ind.Name
	if name == "" {
		name = ind.Code
	}
	switch {
	case math.IsNaN(now) || math.IsNaN(then):
		return fmt.Sprintf("the largest contribution came from %s (partly imputed)", name)
	case now == then:
		return fmt.Sprintf("the largest contribution came from %s, unchanged at %s while other units changed", name, formatValue(now, ind.Unit))
	}
	improved := float64(ind.Direction)*(now-then) > 0
	verb := "improved"
	if !improved {
		verb = "worsened"
	}
	s := fmt.Sprintf("the largest contribution came from %s, which %s from %s to %s", name, verb, formatValue(then, ""), formatValue(now, ind.Unit))
	if improved != rose {
		// Min-max scores are relative: the unit's value moved the other
		// way, but by less than other units' values did.
		s += ", less than in other units"
	}
	return s
}

// yearOnYear counts the overall-score trends against the same month last
// year and names the unit that gained most places.
func yearOnYear(a *index.Assessment, res, lastYear *index.Result) string {
	counts := map[index.Trend]int{}
	for i := range a.Units {
		counts[a.Ratings[i][0].VsLastYear]++
	}
	s := fmt.Sprintf("Against %s, overall scores improved for %d units, were stable for %d and worsened for %d",
		lastYear.Period, counts[index.Improving], counts[index.Stable], counts[index.Worsening])
	best, gain := "", 0
	for _, u := range res.Units {
		if p := lastYear.Unit(u.Unit); p != nil && (p.Rank-u.Rank > gain || (p.Rank-u.Rank == gain && gain > 0 && u.Unit < best)) {
			best, gain = u.Unit, p.Rank-u.Rank
		}
	}
	if gain > 0 {
		s += fmt.Sprintf("; %s gained most, %d %s to %s", best, gain, plural(gain, "place", "places"), ordinal(res.Unit(best).Rank))
	}
	return s + "."
}

// peerSummary says what the most similar groups are and who leads theirs,
// or "" when the units have none.
func peerSummary(res *index.Result) string {
	size, leaders := 0, 0
	for _, u := range res.Units {
		size = max(size, len(u.Peers))
		if len(u.Peers) > 0 && u.PeerRank == 1 {
			leaders++
		}
	}
	if size == 0 {
		return ""
	}
	return fmt.Sprintf("Each unit is also compared with its %d most similar units (population, density and crime mix): ratings against the peer median use that group's median, and %d %s first in %s group.",
		size, leaders, plural(leaders, "unit ranks", "units rank"), plural(leaders, "its", "their"))
}

func ratingSummary(a, prev *index.Assessment, prevRes *index.Result) string {
	counts := map[index.Status]int{}
	for i := range a.Units {
		counts[a.Ratings[i][0].Status]++
	}
	s := fmt.Sprintf("Overall ratings: %d GREEN, %d AMBER, %d RED", counts[index.Green], counts[index.Amber], counts[index.Red])
	if n := counts[index.Unrated]; n > 0 {
		s += fmt.Sprintf(", %d not rated", n)
	}
	s += "."
	if prev != nil {
		var newlyRed []string
		for i, u := range a.Units {
			if a.Ratings[i][0].Status != index.Red {
				continue
			}
			if k := slices.Index(prev.Units, u); k >= 0 && prev.Ratings[k][0].Status != index.Red {
				newlyRed = append(newlyRed, u)
			}
		}
		if len(newlyRed) > 0 {
			s += fmt.Sprintf(" Newly RED since %s: %s.", prevRes.Period, strings.Join(newlyRed, ", "))
		}
	}
	// The indicator rated RED for most units.
	worst, worstN := "", 0
	for k, ms := range a.Measures {
		if ms.Kind != index.IndicatorValue {
			continue
		}
		n := 0
		for i := range a.Units {
			if a.Ratings[i][k].Status == index.Red {
				n++
			}
		}
		if n > worstN {
			worst, worstN = cmp.Or(ms.Name, ms.Code), n
		}
	}
	if worstN > 0 {
		s += fmt.Sprintf(" %s is RED for the most units (%d of %d).", worst, worstN, len(a.Units))
	}
	return s
}

func robustness(res *index.Result) string {
	u := res.Uncertainty
	top := slices.MaxFunc(u.Sensitivity, func(a, b index.ChoiceSensitivity) int {
		return cmp.Compare(a.MeanAbsRankShift, b.MeanAbsRankShift)
	})
	s := fmt.Sprintf("Across %s variations of the weights (±%.0f%%), normalisation and aggregation, ", thousands(u.Draws), 100*u.WeightPerturbation)
	if top.MeanAbsRankShift == 0 {
		return s + "no unit's rank changed."
	}
	s += fmt.Sprintf("ranks move most with the %s (a mean shift of %.1f places when it alone changes)", top.Choice, top.MeanAbsRankShift)
	widest := slices.MaxFunc(res.Units, func(a, b index.UnitResult) int {
		return cmp.Or(cmp.Compare(a.Interval.P95-a.Interval.P05, b.Interval.P95-b.Interval.P05), strings.Compare(b.Unit, a.Unit))
	})
	return s + fmt.Sprintf("; %s's rank is the least certain (%s to %s).", widest.Unit, ordinal(widest.Interval.P05), ordinal(widest.Interval.P95))
}

func dataSummary(res *index.Result) string {
	var carried, pillarMean, winsorised int
	for _, u := range res.Units {
		for _, f := range u.Flags {
			switch {
			case f&index.FlagCarriedForward != 0:
				carried++
			case f&index.FlagPillarMean != 0:
				pillarMean++
			}
			if f&index.FlagWinsorised != 0 {
				winsorised++
			}
		}
	}
	var parts []string
	if carried+pillarMean > 0 {
		parts = append(parts, fmt.Sprintf("%d missing %s imputed (%d carried forward from the previous period, %d from pillar means)",
			carried+pillarMean, plural(carried+pillarMean, "value was", "values were"), carried, pillarMean))
	}
	if winsorised > 0 {
		parts = append(parts, fmt.Sprintf("%d outlying %s Winsorised", winsorised, plural(winsorised, "value was", "values were")))
	}
	for j, t := range res.Treatments {
		if t.LogTransformed {
			parts = append(parts, fmt.Sprintf("%s was too skewed for Winsorising and was log-transformed", res.Framework.Indicators[j].Name))
		}
	}
	switch n := len(res.Excluded); {
	case n == 1:
		parts = append(parts, fmt.Sprintf("%s was excluded: it %s", res.Excluded[0].Unit, res.Excluded[0].Reason))
	case n > 1:
		parts = append(parts, fmt.Sprintf("%d units were excluded, each listed below with the reason", n))
	}
	if len(parts) == 0 {
		return ""
	}
	s := strings.Join(parts, "; ")
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// ordinal returns 1st, 2nd, 3rd, 4th, …, 11th, 12th, 13th, 21st, ….
func ordinal(n int) string {
	suffix := "th"
	switch n % 10 {
	case 1:
		suffix = "st"
	case 2:
		suffix = "nd"
	case 3:
		suffix = "rd"
	}
	if n%100 >= 11 && n%100 <= 13 {
		suffix = "th"
	}
	return strconv.Itoa(n) + suffix
}

// thousands formats n with comma separators.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func formatScore(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// formatValue formats an indicator value with three significant figures
// at most, and its unit when given.
func formatValue(v float64, unit string) string {
	if math.IsNaN(v) {
		return "–"
	}
	var s string
	switch a := math.Abs(v); {
	case a >= 100:
		s = strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		s = strconv.FormatFloat(v, 'f', 1, 64)
	default:
		s = strconv.FormatFloat(v, 'f', 2, 64)
	}
	if unit != "" {
		s += " " + unit
	}
	return s
}
