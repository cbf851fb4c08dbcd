package indexstage

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/safercity/safercity/geography"
	"github.com/safercity/safercity/index"
	"github.com/safercity/safercity/store"
)

// counts are one district's crime counts in a month, in the order of the
// query in districtCounts.
type counts struct {
	violence, robbery, weapons, nteViolence, acquisitive, asb, harm, notifiable, positive, total float64
	// ownNow and ownBefore count only the crimes recorded by the force that
	// polices the district, this month and a year earlier, for the
	// year-on-year change: a neighbour's border crimes a year earlier,
	// when the district's own force was not loaded then, would otherwise
	// read as a rise of thousands of per cent. noOwnBefore is set when
	// the own force recorded nothing there a year earlier.
	ownNow, ownBefore float64
	noOwnBefore       bool
}

func (c *counts) add(o counts) {
	c.violence += o.violence
	c.robbery += o.robbery
	c.weapons += o.weapons
	c.nteViolence += o.nteViolence
	c.acquisitive += o.acquisitive
	c.asb += o.asb
	c.harm += o.harm
	c.notifiable += o.notifiable
	c.positive += o.positive
	c.total += o.total
	c.ownNow += o.ownNow
	c.ownBefore += o.ownBefore
	c.noOwnBefore = c.noOwnBefore || o.noOwnBefore
}

// districtCounts returns each district's counts for the month (and the
// same month a year earlier, for the year-on-year change).
func districtCounts(ctx context.Context, st *store.Store, month time.Time, geo *geography.Table) (map[string]counts, error) {
	rows, err := st.DB.QueryContext(ctx, `SELECT lad_name, force,
			count(*) FILTER (WHERE violence AND month = $1),
			count(*) FILTER (WHERE crime_type = 'Robbery' AND month = $1),
			count(*) FILTER (WHERE weapons AND month = $1),
			count(*) FILTER (WHERE nte AND violence AND month = $1),
			count(*) FILTER (WHERE acquisitive AND month = $1),
			count(*) FILTER (WHERE asb AND month = $1),
			coalesce(sum(harm::DECIMAL(38, 6)) FILTER (WHERE month = $1), 0)::DOUBLE, -- exact: a DOUBLE sum's last digits follow DuckDB's threads
			count(*) FILTER (WHERE NOT asb AND month = $1),
			count(*) FILTER (WHERE NOT asb AND month = $1 AND last_outcome IN (`+sqlList(positiveOutcomes)+`)),
			count(*) FILTER (WHERE month = $1),
			count(*) FILTER (WHERE month = $2)
		FROM crimes WHERE lad_name IS NOT NULL AND (month = $1 OR month = $2)
		GROUP BY lad_name, force
		ORDER BY lad_name, force -- a district's forces are added up in one order every run`, month, month.AddDate(-1, 0, 0))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]counts{}
	for rows.Next() {
		var lad, force string
		var c counts
		var before float64
		if err := rows.Scan(&lad, &force, &c.violence, &c.robbery, &c.weapons, &c.nteViolence, &c.acquisitive, &c.asb, &c.harm,
			&c.notifiable, &c.positive, &c.total, &before); err != nil {
			return nil, err
		}
		if d, ok := geo.District(lad); ok && d.Force == force {
			c.ownNow, c.ownBefore = c.total, before
		}
		sum := out[lad]
		sum.add(c)
		out[lad] = sum
	}
	for lad, c := range out {
		c.noOwnBefore = c.ownBefore == 0
		out[lad] = c
	}
	return out, rows.Err()
}

// monthData is what one month's indicators are scored from.
type monthData struct {
	obs     []index.Observation
	partner []partnerIndicator
	notes   []string            // why indicators are missing, where population comes from
	peers   map[string][]string // each unit's most similar units
}

// observations computes every indicator of every unit for one month from
// its districts' crimes, says why indicators that have no value at all
// could not be computed, and finds each unit's most similar units.
func observations(ctx context.Context, st *store.Store, month time.Time, units []geography.Unit, geo *geography.Table) (*monthData, error) {
	unitOf := map[string]string{}
	for _, u := range units {
		for _, d := range u.Districts {
			unitOf[d] = u.Name
		}
	}
	var obs []index.Observation
	add := func(unit, code string, v float64) {
		if unit != "" && !math.IsNaN(v) && !math.IsInf(v, 0) {
			obs = append(obs, index.Observation{Unit: unit, Code: code, Value: v})
		}
	}
	pop, popNotes, err := population(ctx, st, month, units, geo)
	if err != nil {
		return nil, err
	}
	byDistrict, err := districtCounts(ctx, st, month, geo)
	if err != nil {
		return nil, err
	}
	// Units and their districts in the set's order, not a map's: the
	// table's order, the report's and the sums' last digits are the same
	// every run.
	byUnit := map[string]*counts{}
	for _, u := range units {
		for _, lad := range u.Districts {
			if c, ok := byDistrict[lad]; ok && unitOf[lad] == u.Name {
				if byUnit[u.Name] == nil {
					byUnit[u.Name] = &counts{}
				}
				byUnit[u.Name].add(c)
			}
		}
		if c := byUnit[u.Name]; c != nil {
			addRates(u.Name, c, pop[u.Name], add)
		}
	}
	if err := cellConcentration(ctx, st, month, unitOf, add); err != nil {
		return nil, err
	}
	partner, err := partnerValues(ctx, st, month, func(unit, code string, v float64) {
		if _, ok := byUnit[unit]; ok {
			add(unit, code, v)
		}
	})
	if err != nil {
		return nil, err
	}
	notes := append(popNotes, missingIndicators(obs, month)...)
	if n := noYearEarlier(byUnit, month); n != "" {
		notes = append(notes, n)
	}
	return &monthData{obs: obs, partner: partner, notes: notes, peers: peerGroups(units, byUnit, pop, geo)}, nil
}

// noYearEarlier says which units have no year-on-year change because a
// district's own force recorded nothing there a year earlier; "" when every
// unit has one, or none has (missingIndicators says that).
func noYearEarlier(byUnit map[string]*counts, month time.Time) string {
	var without []string
	for u, c := range byUnit {
		if c.noOwnBefore {
			without = append(without, u)
		}
	}
	if len(without) == 0 || len(without) == len(byUnit) {
		return ""
	}
	sort.Strings(without)
	return fmt.Sprintf("indicator crime_yoy_pct not computed for %d %s (%s): the force that polices them has no data loaded there for %s, the same month a year earlier; crimes a neighbouring force recorded then are not compared",
		len(without), plural(len(without), "unit", "units"), strings.Join(without, ", "), month.AddDate(-1, 0, 0).Format("2006-01"))
}

// peerSize is the size of a unit's most similar group, itself excluded:
// iQuanta compares a community safety partnership with its 15 most
// similar; districts are more numerous, so fewer, closer peers are used.
const peerSize = 10

// peerGroups finds each unit's most similar units from its population,
// density and crime mix (shares of violence, acquisitive crime and
// anti-social behaviour in its crime).
func peerGroups(units []geography.Unit, byUnit map[string]*counts, pop map[string]unitPopulation, geo *geography.Table) map[string][]string {
	var names []string
	var features [][]float64
	for _, u := range units {
		c := byUnit[u.Name]
		if c == nil || c.total == 0 {
			continue
		}
		area := 0.0
		for _, name := range u.Districts {
			d, _ := geo.District(name)
			area += d.AreaKm2 // NaN for a Welsh district: density unknown
		}
		p := pop[u.Name].residents
		names = append(names, u.Name)
		features = append(features, []float64{math.Log(p), math.Log(p / area),
			c.violence / c.total, c.acquisitive / c.total, c.asb / c.total})
	}
	out := map[string][]string{}
	for i, peers := range index.MostSimilar(features, peerSize) {
		for _, j := range peers {
			out[names[i]] = append(out[names[i]], names[j])
		}
	}
	return out
}

// addRates adds a unit's rates and shares.
func addRates(u string, c *counts, p unitPopulation, add func(unit, code string, v float64)) {
	per := func(n, base float64) float64 {
		if base <= 0 {
			return math.NaN()
		}
		return 1000 * n / base
	}
	add(u, "violence_per_1k_res", per(c.violence, p.residents))
	add(u, "violence_per_1k_work", per(c.violence, p.workday))
	add(u, "robbery_per_1k_work", per(c.robbery, p.workday))
	add(u, "weapons_per_1k_work", per(c.weapons, p.workday))
	add(u, "nte_violence_per_1k_work", per(c.nteViolence, p.workday))
	add(u, "acquisitive_per_1k_work", per(c.acquisitive, p.workday))
	add(u, "acquisitive_per_1k_res", per(c.acquisitive, p.residents))
	add(u, "asb_per_1k_work", per(c.asb, p.workday))
	add(u, "harm_per_1k_res", per(c.harm, p.residents))
	add(u, "harm_per_1k_work", per(c.harm, p.workday))
	if c.notifiable > 0 {
		add(u, "positive_outcome_pct", 100*c.positive/c.notifiable)
	}
	if !c.noOwnBefore {
		add(u, "crime_yoy_pct", 100*(c.ownNow-c.ownBefore)/c.ownBefore)
	}
}

// missingIndicators says, for each indicator the store could compute but
// no unit has, what it needs.
func missingIndicators(obs []index.Observation, month time.Time) []string {
	has := map[string]bool{}
	for _, o := range obs {
		has[o.Code] = true
	}
	var out []string
	for _, d := range Definitions {
		if has[d.Code] {
			continue
		}
		need := d.Needs
		switch need {
		case "population (workday)":
			need = "a workday population: load a population feed with workday_population (see data/feeds/README.md)"
		case "the same month a year earlier":
			need = fmt.Sprintf("police data for %s, the same month a year earlier: load and transform it", month.AddDate(-1, 0, 0).Format("2006-01"))
		case "":
			need = "crimes located in cells"
		}
		out = append(out, fmt.Sprintf("indicator %s (%s) not computed: it needs %s", d.Code, d.Name, need))
	}
	return out
}

// sqlList quotes constant strings of this package as an SQL list.
func sqlList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = "'" + strings.ReplaceAll(x, "'", "''") + "'"
	}
	return strings.Join(q, ", ")
}

// cellConcentration adds the share of crime in the top 5% of cells and the
// generalized Gini over cells, the cells being those with crime in the unit in
// the twelve months to the month (empty cells of the month included).
func cellConcentration(ctx context.Context, st *store.Store, month time.Time, unitOf map[string]string, add func(unit, code string, v float64)) error {
	rows, err := st.DB.QueryContext(ctx, `SELECT lad_name, cell_x, cell_y, count(*) FILTER (WHERE month = ?) AS n
		FROM crimes_enriched WHERE located AND lad_name IS NOT NULL AND month > ? - INTERVAL 12 MONTH AND month <= ?
		GROUP BY ALL`, month, month, month)
	if err != nil {
		return err
	}
	defer rows.Close()
	type cell struct {
		unit string
		x, y int64
	}
	perCell := map[cell]float64{}
	for rows.Next() {
		var lad string
		var c cell
		var n float64
		if err := rows.Scan(&lad, &c.x, &c.y, &n); err != nil {
			return err
		}
		if c.unit = unitOf[lad]; c.unit != "" {
			perCell[c] += n
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	cells := map[string][]float64{}
	for c, n := range perCell {
		cells[c.unit] = append(cells[c.unit], n)
	}
	for u, c := range cells {
		share, ggini := concentrationOf(c)
		add(u, "top5_cell_share", share)
		add(u, "cell_ggini", ggini)
	}
	return nil
}
