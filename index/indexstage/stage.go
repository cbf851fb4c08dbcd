// Package indexstage is the stage that scores the comparative resilience
// index each month: it computes the indicators of every comparison unit from
// the store and the partner indicators feed, scores them with package index,
// and stores the scores and the month's report (HTML, CSV and JSON).
package indexstage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/safercity/safercity/analysis/concentration"
	"github.com/safercity/safercity/geography"
	"github.com/safercity/safercity/index"
	"github.com/safercity/safercity/index/report"
	"github.com/safercity/safercity/store"
)

// Config tunes the stage; zero values take the documented defaults.
type Config struct {
	Title  string
	Method index.Method
	RAG    index.RAGRules
	// UnitSet names the comparison units: "districts" (the default: every
	// district with police data), "cities" (data/units-cities.yaml) or a
	// YAML file of units made of districts.
	UnitSet string
	// Units, when not empty, restricts the comparison to these units of
	// the set.
	Units     []string
	MinCrimes int // default 30
	// Weights are expert weights by indicator or pillar code (used when
	// Method weights are index.ExpertWeights); Targets are the partnership's
	// targets by indicator code.
	Weights map[string]float64
	Targets map[string]float64
	// Coverage is the share of a district's LSOAs one force's data must
	// cover in the month for the district to take part; default 0.5.
	Coverage float64
	Log      *slog.Logger
}

// Result is what a run stored.
type Result struct {
	Report *report.Report
	Files  []string // written with Run's out folder
}

// historyMonths is how many earlier months are scored for the report's
// trends and sparklines (without the Monte Carlo, which they do not show).
const historyMonths = 12

// Run scores month, stores it and, when out is not "", writes
// index-YYYY-MM.html, .csv and .json there. Up to twelve earlier months
// with data are scored too (from what the store holds) for trends. A month
// without data fails with ErrNoData, one with fewer than three units to
// compare with ErrTooThin.
func Run(ctx context.Context, st *store.Store, month time.Time, cfg Config, out string) (*Result, error) {
	cfg = withDefaults(cfg)
	if err := checkMonth(ctx, st, month); err != nil {
		return nil, err
	}
	geo, err := geography.National()
	if err != nil {
		return nil, err
	}
	set, err := geo.LoadUnitSet(cfg.UnitSet)
	if err != nil {
		return nil, err
	}
	for _, u := range cfg.Units {
		if err := set.Check(u); err != nil {
			return nil, fmt.Errorf("index.units in the configuration: %w", err)
		}
	}
	past, prevTab, notes := scoreHistory(ctx, st, month, cfg, set, geo)
	cur, _, obs, err := score(ctx, st, month, cfg, set, geo, prevTab)
	if err != nil {
		return nil, fmt.Errorf("index %s: %w", month.Format("2006-01"), err)
	}
	cur.Notes = append(cur.Notes, notes...)
	rep, err := report.New(cfg.Title, cur, past, cfg.RAG)
	if err != nil {
		return nil, err
	}
	return deliver(ctx, st, month, rep, obs, out)
}

// scoreHistory scores the twelve months before month that have data, for
// the trends and each unit's scores over time, and says which months it
// left out and why.
func scoreHistory(ctx context.Context, st *store.Store, month time.Time, cfg Config, set *geography.UnitSet, geo *geography.Table) ([]*index.Result, *index.Table, []string) {
	cfg.Method.Uncertainty.Draws = 0
	var past []*index.Result
	var prevTab *index.Table
	var thin, notes []string
	for k := historyMonths; k >= 1; k-- {
		m := month.AddDate(0, -k, 0)
		has, err := hasCrime(ctx, st, m)
		if err == nil && !has {
			continue
		}
		var res *index.Result
		var tab *index.Table
		if err == nil {
			res, tab, _, err = score(ctx, st, m, cfg, set, geo, nil)
		}
		switch {
		case errors.Is(err, ErrTooThin):
			thin = append(thin, m.Format("2006-01"))
			continue
		case err != nil:
			notes = append(notes, fmt.Sprintf("%s is not in the scores over time: %v", m.Format("2006-01"), err))
			continue
		}
		past = append(past, res)
		if k == 1 {
			prevTab = tab
		}
	}
	if len(thin) > 0 {
		notes = append(notes, fmt.Sprintf("%s %s not in the scores over time: fewer than three units could be compared", strings.Join(thin, ", "), plural(len(thin), "is", "are")))
	}
	// Without the list of months this note alone is left out: the scores
	// over time are complete either way.
	if months, err := monthsWithData(ctx, st); err == nil && len(months) > 0 && months[0] < month.AddDate(0, -historyMonths, 0).Format("2006-01") {
		notes = append(notes, fmt.Sprintf("scores over time cover the %d months before %s; earlier months with data (from %s) are not shown", historyMonths, month.Format("2006-01"), months[0]))
	}
	return past, prevTab, notes
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func withDefaults(cfg Config) Config {
	if cfg.Title == "" {
		cfg.Title = "Comparative city resilience index"
	}
	if cfg.MinCrimes == 0 {
		cfg.MinCrimes = 30
	}
	if cfg.Coverage == 0 {
		cfg.Coverage = 0.5
	}
	if cfg.Method.Uncertainty.Draws == 0 {
		cfg.Method = index.DefaultMethod()
	}
	if len(cfg.RAG.Scores) == 0 {
		cfg.RAG = index.DefaultRAGRules()
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return cfg
}

// score computes one month's index over the units of the set that month's
// data can compare.
func score(ctx context.Context, st *store.Store, m time.Time, cfg Config, set *geography.UnitSet, geo *geography.Table, prev *index.Table) (*index.Result, *index.Table, []index.Observation, error) {
	cov, err := chooseUnits(ctx, st, m, cfg, set, geo)
	if err != nil {
		return nil, nil, nil, err
	}
	md, err := observations(ctx, st, m, cov.units, geo)
	if err != nil {
		return nil, nil, nil, err
	}
	fw, err := framework(md.obs, md.partner)
	if err != nil {
		return nil, nil, nil, err
	}
	configNotes := applyWeightsAndTargets(fw, cfg.Weights, cfg.Targets)
	tab, err := index.TableFromObservations(m.Format("2006-01"), md.obs)
	if err != nil {
		return nil, nil, nil, err
	}
	tab.Peers = md.peers
	res, err := index.Compute(fw, tab, prev, cfg.Method)
	if err != nil {
		return nil, nil, nil, err
	}
	res.Excluded = append(cov.excluded, res.Excluded...)
	res.Notes = append(append(append(res.Notes, cov.notes...), md.notes...), configNotes...)
	res.Districts = map[string][]string{}
	for _, u := range cov.units {
		res.Districts[u.Name] = u.Districts
	}
	for i := range res.Excluded {
		if e := &res.Excluded[i]; e.Districts == nil {
			e.Districts = res.Districts[e.Unit]
		}
	}
	return res, tab, md.obs, nil
}

// deliver stores the month's report and writes its files into out.
func deliver(ctx context.Context, st *store.Store, month time.Time, rep *report.Report, obs []index.Observation, out string) (*Result, error) {
	var html, js, csv bytes.Buffer
	if err := report.WriteHTML(&html, rep); err != nil {
		return nil, err
	}
	if err := report.WriteJSON(&js, rep); err != nil {
		return nil, err
	}
	if err := report.WriteCSV(&csv, rep); err != nil {
		return nil, err
	}
	if err := save(ctx, st, month, obs, html.String(), js.String(), csv.Bytes()); err != nil {
		return nil, err
	}
	r := &Result{Report: rep}
	if out != "" {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return r, err
		}
		var err error
		if r.Files, err = report.WriteFiles(out, rep); err != nil {
			return r, err
		}
	}
	return r, nil
}

func hasCrime(ctx context.Context, st *store.Store, m time.Time) (bool, error) {
	var n int
	err := st.DB.QueryRowContext(ctx, `SELECT count(*) FROM crimes_enriched WHERE month = ?`, m).Scan(&n)
	return n > 0, err
}

// partnerIndicator is an indicator declared by the indicators feed.
type partnerIndicator struct {
	code, pillar, source string
	direction            int
}

// concentrationOf returns the percentage of the total in the top 5% of
// cells (at least one cell) and the generalized Gini of the counts
// (analysis/concentration); NaN for both when the cells hold no crime.
func concentrationOf(counts []float64) (top5, ggini float64) {
	r, err := concentration.Measure(counts, []float64{})
	if err != nil || r.Crimes == 0 {
		return math.NaN(), math.NaN()
	}
	c := slices.Clone(counts)
	slices.Sort(c)
	top := 0.0
	for _, v := range c[len(c)-int(math.Ceil(0.05*float64(len(c)))):] {
		top += v
	}
	return 100 * top / r.Crimes, r.GeneralizedGini
}

// partnerValues adds the indicators feed's values for the month (or for its
// year, when the feed gives yearly values) and returns their definitions.
// An indicator is yearly when none of its values is for a month other than
// January; a monthly indicator missing this month stays missing (the
// index's carry-forward then flags it), never January's value.
func partnerValues(ctx context.Context, st *store.Store, month time.Time, add func(unit, code string, v float64)) ([]partnerIndicator, error) {
	rows, err := st.DB.QueryContext(ctx, `SELECT unit, indicator, avg(value), any_value(pillar), any_value(direction), string_agg(DISTINCT source, '; ')
		FROM indicators WHERE period = ? OR (period = date_trunc('year', ?::DATE) AND NOT EXISTS (
			SELECT 1 FROM indicators i2 WHERE i2.indicator = indicators.indicator AND month(i2.period) <> 1))
		GROUP BY ALL`, month, month)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	defs := map[string]partnerIndicator{}
	for rows.Next() {
		var u, code, pillar, source string
		var v float64
		var dir int
		if err := rows.Scan(&u, &code, &v, &pillar, &dir, &source); err != nil {
			return nil, err
		}
		add(u, code, v)
		defs[code] = partnerIndicator{code: code, pillar: pillar, source: source, direction: dir}
	}
	var out []partnerIndicator
	for _, d := range defs {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].code < out[j].code })
	return out, rows.Err()
}

// framework is the month's indicator framework: the computed indicators
// that have values, plus the partner indicators.
func framework(obs []index.Observation, partner []partnerIndicator) (*index.Framework, error) {
	has := map[string]bool{}
	for _, o := range obs {
		has[o.Code] = true
	}
	fw := &index.Framework{}
	used := map[string]bool{}
	for _, d := range Definitions {
		if has[d.Code] {
			fw.Indicators = append(fw.Indicators, d.Indicator)
			used[d.Pillar] = true
		}
	}
	for _, p := range partner {
		pillar, ok := pillarAliases[strings.ToLower(p.pillar)]
		if !ok {
			return nil, fmt.Errorf("partner indicator %s: pillar %q is not digital, infrastructure or security (health counts as security)", p.code, p.pillar)
		}
		fw.Indicators = append(fw.Indicators, index.Indicator{Code: p.code, Name: strings.ReplaceAll(p.code, "_", " "), Pillar: pillar,
			Direction: index.Direction(p.direction), Source: p.source})
		used[pillar] = true
	}
	for _, p := range pillars {
		if used[p.Code] {
			fw.Pillars = append(fw.Pillars, p)
		}
	}
	if len(fw.Indicators) == 0 {
		return nil, fmt.Errorf("no indicator has values: run safercity transform, and load population and indicator feeds")
	}
	return fw, fw.Validate()
}

// applyWeightsAndTargets sets the configured expert weights (1 for an
// indicator or pillar not named) and targets on the framework. It returns a
// note for each configured code that is no indicator or pillar of the
// month, suggesting the nearest: a mistyped code would otherwise silently
// keep the default weight or no target. A note, not an error, because a
// partner indicator may lack values in one month.
func applyWeightsAndTargets(fw *index.Framework, weights, targets map[string]float64) []string {
	var known []string
	for _, p := range fw.Pillars {
		known = append(known, p.Code)
	}
	for _, ind := range fw.Indicators {
		known = append(known, ind.Code)
	}
	notes := unknownCodes("index.expert_weights", weights, known)
	notes = append(notes, unknownCodes("index.targets", targets, known)...)
	weight := func(code string) float64 {
		if w, ok := weights[code]; ok {
			return w
		}
		return 1
	}
	for i := range fw.Pillars {
		fw.Pillars[i].Weight = weight(fw.Pillars[i].Code)
	}
	for i := range fw.Indicators {
		ind := &fw.Indicators[i]
		ind.Weight = weight(ind.Code)
		if t, ok := targets[ind.Code]; ok {
			ind.Target = &t
		}
	}
	return notes
}

// unknownCodes says which keys of a configured map are not in known.
func unknownCodes(setting string, m map[string]float64, known []string) []string {
	var notes []string
	for code := range m {
		if !slices.Contains(known, code) {
			notes = append(notes, fmt.Sprintf("%s names %q, which is no indicator or pillar scored this month%s, so it is not used; safercity index indicators lists the indicators",
				setting, code, geography.Suggest(code, known)))
		}
	}
	sort.Strings(notes)
	return notes
}

// save replaces the month's stored indicators, scores and report.
func save(ctx context.Context, st *store.Store, month time.Time, obs []index.Observation, html, js string, csv []byte) error {
	tmp, err := os.CreateTemp("", "index-*.csv")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // best effort: a temp file left behind harms nothing
	if _, err := tmp.Write(csv); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return st.Tx(ctx, func(tx *store.Tx) error {
		for _, t := range []string{"index_indicators", "index_scores", "index_reports"} {
			if _, err := tx.Exec(`DELETE FROM `+t+` WHERE month = ?`, month); err != nil {
				return err
			}
		}
		for _, o := range obs {
			if _, err := tx.Exec(`INSERT INTO index_indicators VALUES (?, ?, ?, ?)`, month, o.Unit, o.Code, o.Value); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(`INSERT INTO index_scores SELECT ?::DATE, * EXCLUDE (period) REPLACE (coalesce(code, measure) AS code) FROM read_csv(?, header = true, auto_detect = false,
			columns = {'period': 'VARCHAR', 'unit': 'VARCHAR', 'measure': 'VARCHAR', 'code': 'VARCHAR', 'name': 'VARCHAR',
				'value': 'DOUBLE', 'treated_value': 'DOUBLE', 'normalised': 'DOUBLE', 'weight': 'DOUBLE',
				'rank': 'INTEGER', 'rank_p05': 'INTEGER', 'rank_median': 'INTEGER', 'rank_p95': 'INTEGER',
				'rag': 'VARCHAR', 'rag_basis': 'VARCHAR', 'reference': 'DOUBLE', 'previous_month': 'DOUBLE', 'last_year': 'DOUBLE',
				'trend_month': 'VARCHAR', 'trend_year': 'VARCHAR', 'flags': 'VARCHAR',
				'peer_rank': 'INTEGER', 'peer_rank_p05': 'INTEGER', 'peer_rank_p95': 'INTEGER', 'districts': 'VARCHAR'})`, month, filepath.ToSlash(tmp.Name())); err != nil {
			return fmt.Errorf("store scores: %w", err)
		}
		_, err := tx.Exec(`INSERT INTO index_reports VALUES (?, ?, ?, now()::TIMESTAMP)`, month, js, html)
		return err
	})
}
