// Package indexstage is the stage that scores the comparative resilience
// index each month: it computes the indicators of every comparison unit from
// the store and the partner indicators feed, scores them with package index,
// and stores the scores and the month's report (HTML, CSV and JSON).
package indexstage

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/safercity/safercity/index"
	"github.com/safercity/safercity/index/report"
	"github.com/safercity/safercity/store"
	"github.com/safercity/safercity/transform/area"
	"github.com/safercity/safercity/transform/enrich"
)

// Config tunes the stage; zero values take the documented defaults.
type Config struct {
	Title  string
	Method index.Method
	RAG    index.RAGRules
	// Units lists the units to compare; empty means every unit whose LSOAs
	// mostly have police data (see Coverage) and at least MinCrimes crimes.
	Units     []string
	MinCrimes int // default 30
	// Weights are expert weights by indicator or pillar code (used when
	// Method weights are index.ExpertWeights); Targets are the partnership's
	// targets by indicator code.
	Weights   map[string]float64
	Targets   map[string]float64
	Coverage  float64 // share of the unit's LSOAs with crime in the last 12 months; default 0.5
	Lookup    []byte  // LSOA → district CSV (enrich.ReadLookup)
	UnitsYAML []byte  // districts → units (enrich.ReadUnits)
	Log       *slog.Logger
}

// Result is what a run stored.
type Result struct {
	Report *report.Report
	Files  []string // written with Run's out folder
}

// Run scores month, stores it and, when out is not "", writes
// index-YYYY-MM.html, .csv and .json there. The previous month and the same
// month a year before are scored too (from what the store holds) for trends.
func Run(ctx context.Context, st *store.Store, month time.Time, cfg Config, out string) (*Result, error) {
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
	geo, err := newGeography(cfg)
	if err != nil {
		return nil, err
	}
	units, err := chooseUnits(ctx, st, month, cfg, geo)
	if err != nil {
		return nil, err
	}
	score := func(m time.Time, prev *index.Table) (*index.Result, *index.Table, []index.Observation, error) {
		obs, partner, err := observations(ctx, st, m, units, geo)
		if err != nil {
			return nil, nil, nil, err
		}
		fw, err := framework(obs, partner)
		if err != nil {
			return nil, nil, nil, err
		}
		applyWeightsAndTargets(fw, cfg.Weights, cfg.Targets)
		tab, err := index.TableFromObservations(m.Format("2006-01"), obs)
		if err != nil {
			return nil, nil, nil, err
		}
		res, err := index.Compute(fw, tab, prev, cfg.Method)
		return res, tab, obs, err
	}
	var past []*index.Result
	var prevTab *index.Table
	for _, m := range []time.Time{month.AddDate(-1, 0, 0), month.AddDate(0, -1, 0)} {
		if !hasCrime(ctx, st, m) {
			continue
		}
		res, tab, _, err := score(m, nil)
		if err != nil {
			cfg.Log.Info("index: earlier month not scored", "month", m.Format("2006-01"), "reason", err)
			continue
		}
		past = append(past, res)
		if m.Equal(month.AddDate(0, -1, 0)) {
			prevTab = tab
		}
	}
	cur, _, obs, err := score(month, prevTab)
	if err != nil {
		return nil, fmt.Errorf("index %s: %w", month.Format("2006-01"), err)
	}
	rep, err := report.New(cfg.Title, cur, past, cfg.RAG)
	if err != nil {
		return nil, err
	}
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
		if r.Files, err = report.WriteFiles(out, rep); err != nil {
			return r, err
		}
	}
	return r, nil
}

func hasCrime(ctx context.Context, st *store.Store, m time.Time) bool {
	var n int
	st.DB.QueryRowContext(ctx, `SELECT count(*) FROM crimes_enriched WHERE month = ?`, m).Scan(&n)
	return n > 0
}

// geography maps LSOAs and districts to units.
type geography struct {
	lookup enrich.Lookup
	units  enrich.Units
	lsoas  map[string]int // LSOAs per unit, from the lookup
}

func newGeography(cfg Config) (*geography, error) {
	g := &geography{lsoas: map[string]int{}}
	var err error
	if g.lookup, err = enrich.ReadLookup(bytes.NewReader(cfg.Lookup)); err != nil {
		return nil, err
	}
	if g.units, err = enrich.ReadUnits(bytes.NewReader(cfg.UnitsYAML)); err != nil {
		return nil, err
	}
	for _, lad := range g.lookup {
		g.lsoas[g.units.Unit(lad)]++
	}
	return g, nil
}

// unitOfLSOA is the unit an LSOA belongs to.
func (g *geography) unitOfLSOA(code, name string) string {
	lad := g.lookup[code]
	if lad == "" {
		lad = area.LADFromLSOAName(name)
	}
	if lad == "" {
		return ""
	}
	return g.units.Unit(lad)
}

// chooseUnits picks the units to compare. A force records some crimes just
// outside its area (City of London Police in Tower Hamlets and Islington):
// counting those as the neighbour's crime would make it look very safe, so a
// unit takes part only when most of its LSOAs have police data.
func chooseUnits(ctx context.Context, st *store.Store, month time.Time, cfg Config, g *geography) ([]string, error) {
	if len(cfg.Units) > 0 {
		return cfg.Units, nil
	}
	rows, err := st.DB.QueryContext(ctx, `SELECT unit, count(*) FILTER (WHERE month = ?),
			count(DISTINCT lsoa_code) FILTER (WHERE month > ? - INTERVAL 12 MONTH AND month <= ?)
		FROM crimes_enriched WHERE unit IS NOT NULL AND month > ? - INTERVAL 12 MONTH AND month <= ? GROUP BY unit`,
		month, month, month, month, month)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var units []string
	for rows.Next() {
		var u string
		var crimes, lsoas int
		if err := rows.Scan(&u, &crimes, &lsoas); err != nil {
			return nil, err
		}
		total := g.lsoas[u]
		if crimes >= cfg.MinCrimes && total > 0 && float64(lsoas) >= cfg.Coverage*float64(total) {
			units = append(units, u)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.Strings(units)
	if len(units) < 3 {
		return nil, fmt.Errorf("only %d unit(s) with police data covering most of their LSOAs and at least %d crimes in %s (%s): a comparison needs three or more; load more forces or list units in index.units",
			len(units), cfg.MinCrimes, month.Format("2006-01"), strings.Join(units, ", "))
	}
	return units, nil
}

// partnerIndicator is an indicator declared by the indicators feed.
type partnerIndicator struct {
	code, pillar, source string
	direction            int
}

// observations computes every indicator of every unit for one month.
func observations(ctx context.Context, st *store.Store, month time.Time, units []string, g *geography) ([]index.Observation, []partnerIndicator, error) {
	want := map[string]bool{}
	for _, u := range units {
		want[u] = true
	}
	var obs []index.Observation
	add := func(unit, code string, v float64) {
		if want[unit] && !math.IsNaN(v) && !math.IsInf(v, 0) {
			obs = append(obs, index.Observation{Unit: unit, Code: code, Value: v})
		}
	}
	pop, err := population(ctx, st, month, g)
	if err != nil {
		return nil, nil, err
	}
	rows, err := st.DB.QueryContext(ctx, `SELECT unit,
			count(*) FILTER (WHERE violence AND month = $1),
			count(*) FILTER (WHERE crime_type = 'Robbery' AND month = $1),
			count(*) FILTER (WHERE weapons AND month = $1),
			count(*) FILTER (WHERE nte AND violence AND month = $1),
			count(*) FILTER (WHERE acquisitive AND month = $1),
			count(*) FILTER (WHERE asb AND month = $1),
			coalesce(sum(harm) FILTER (WHERE month = $1), 0),
			count(*) FILTER (WHERE NOT asb AND month = $1),
			count(*) FILTER (WHERE NOT asb AND month = $1 AND last_outcome IN (`+sqlList(positiveOutcomes)+`)),
			count(*) FILTER (WHERE month = $1),
			count(*) FILTER (WHERE month = $2)
		FROM crimes_enriched WHERE unit IS NOT NULL AND (month = $1 OR month = $2)
		GROUP BY unit`, month, month.AddDate(-1, 0, 0))
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var u string
		var violence, robbery, weapons, nteViolence, acquisitive, asb, notifiable, positive, total, lastYear float64
		var harm float64
		if err := rows.Scan(&u, &violence, &robbery, &weapons, &nteViolence, &acquisitive, &asb, &harm, &notifiable, &positive, &total, &lastYear); err != nil {
			rows.Close()
			return nil, nil, err
		}
		p := pop[u]
		per := func(n, base float64) float64 {
			if base <= 0 {
				return math.NaN()
			}
			return 1000 * n / base
		}
		add(u, "violence_per_1k_res", per(violence, p.residents))
		add(u, "violence_per_1k_work", per(violence, p.workday))
		add(u, "robbery_per_1k_work", per(robbery, p.workday))
		add(u, "weapons_per_1k_work", per(weapons, p.workday))
		add(u, "nte_violence_per_1k_work", per(nteViolence, p.workday))
		add(u, "acquisitive_per_1k_work", per(acquisitive, p.workday))
		add(u, "asb_per_1k_work", per(asb, p.workday))
		add(u, "harm_per_1k_res", per(harm, p.residents))
		add(u, "harm_per_1k_work", per(harm, p.workday))
		if notifiable > 0 {
			add(u, "positive_outcome_pct", 100*positive/notifiable)
		}
		if lastYear > 0 {
			add(u, "crime_yoy_pct", 100*(total-lastYear)/lastYear)
		}
	}
	rows.Close()
	if err := concentration(ctx, st, month, add); err != nil {
		return nil, nil, err
	}
	partner, err := partnerValues(ctx, st, month, add)
	if err != nil {
		return nil, nil, err
	}
	return obs, partner, nil
}

// sqlList quotes constant strings of this package as an SQL list.
func sqlList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = "'" + strings.ReplaceAll(x, "'", "''") + "'"
	}
	return strings.Join(q, ", ")
}

type unitPopulation struct{ residents, workday float64 }

// population sums the latest population rows up to the month's year per
// unit: LSOA rows through the lookup, district rows by name.
func population(ctx context.Context, st *store.Store, month time.Time, g *geography) (map[string]unitPopulation, error) {
	out := map[string]unitPopulation{}
	rows, err := st.DB.QueryContext(ctx, `
		WITH latest AS (
			SELECT area_code, area_type, max(year) AS year FROM population WHERE year <= ? GROUP BY ALL)
		SELECT p.area_code, coalesce(p.area_name, ''), p.area_type,
			max(p.residents), max(p.workday_population)
		FROM population p JOIN latest l USING (area_code, area_type, year)
		GROUP BY ALL`, month.Year())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	lad := map[string]unitPopulation{}
	lsoa := map[string]unitPopulation{}
	for rows.Next() {
		var code, name, typ string
		var res, work *float64
		if err := rows.Scan(&code, &name, &typ, &res, &work); err != nil {
			return nil, err
		}
		var p unitPopulation
		if res != nil {
			p.residents = *res
		}
		if work != nil {
			p.workday = *work
		}
		if typ == "lad" {
			u := g.units.Unit(name)
			q := lad[u]
			q.residents += p.residents
			q.workday += p.workday
			lad[u] = q
			continue
		}
		u := g.unitOfLSOA(code, name)
		if u == "" {
			continue
		}
		q := lsoa[u]
		q.residents += p.residents
		q.workday += p.workday
		lsoa[u] = q
	}
	// District rows give a figure the LSOA rows may lack (workday
	// population is published for districts); each figure is taken from
	// district rows when they have it, else summed from LSOAs.
	for u, p := range lsoa {
		out[u] = p
	}
	for u, p := range lad {
		q := out[u]
		if p.residents > 0 {
			q.residents = p.residents
		}
		if p.workday > 0 {
			q.workday = p.workday
		}
		out[u] = q
	}
	return out, rows.Err()
}

// concentration adds the share of crime in the top 5% of cells and the Gini
// coefficient over cells, the cells being those with crime in the unit in
// the twelve months to the month (empty cells of the month included).
func concentration(ctx context.Context, st *store.Store, month time.Time, add func(unit, code string, v float64)) error {
	rows, err := st.DB.QueryContext(ctx, `SELECT unit, count(*) FILTER (WHERE month = ?) AS n
		FROM crimes_enriched WHERE located AND unit IS NOT NULL AND month > ? - INTERVAL 12 MONTH AND month <= ?
		GROUP BY unit, cell_x, cell_y ORDER BY unit`, month, month, month)
	if err != nil {
		return err
	}
	defer rows.Close()
	cells := map[string][]float64{}
	for rows.Next() {
		var u string
		var n float64
		if err := rows.Scan(&u, &n); err != nil {
			return err
		}
		cells[u] = append(cells[u], n)
	}
	for u, c := range cells {
		share, gini := concentrationOf(c)
		add(u, "top5_cell_share", share)
		add(u, "cell_gini", gini)
	}
	return rows.Err()
}

// concentrationOf returns the percentage of the total in the top 5% of
// cells (at least one cell) and the Gini coefficient of the counts.
func concentrationOf(counts []float64) (top5, gini float64) {
	c := append([]float64(nil), counts...)
	sort.Float64s(c)
	n := len(c)
	total := 0.0
	for _, v := range c {
		total += v
	}
	if n == 0 || total == 0 {
		return math.NaN(), math.NaN()
	}
	k := int(math.Ceil(0.05 * float64(n)))
	top := 0.0
	for _, v := range c[n-k:] {
		top += v
	}
	// Gini = Σ (2i − n − 1) x_i / (n Σ x), x sorted ascending, i from 1.
	num := 0.0
	for i, v := range c {
		num += float64(2*(i+1)-n-1) * v
	}
	return 100 * top / total, num / (float64(n) * total)
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
// indicator or pillar not named) and targets on the framework.
func applyWeightsAndTargets(fw *index.Framework, weights, targets map[string]float64) {
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
}

// save replaces the month's stored indicators, scores and report.
func save(ctx context.Context, st *store.Store, month time.Time, obs []index.Observation, html, js string, csv []byte) error {
	tmp, err := os.CreateTemp("", "index-*.csv")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
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
				'trend_month': 'VARCHAR', 'trend_year': 'VARCHAR', 'flags': 'VARCHAR'})`, month, filepath.ToSlash(tmp.Name())); err != nil {
			return fmt.Errorf("store scores: %w", err)
		}
		_, err := tx.Exec(`INSERT INTO index_reports VALUES (?, ?, ?, now()::TIMESTAMP)`, month, js, html)
		return err
	})
}
