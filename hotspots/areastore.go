package hotspots

// The reads and writes of the area statistics (area_rates,
// area_rate_runs, area_changes, area_change_periods) and of the Knox test
// (hotspot_knox): migration 0013.

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/safercity/safercity/store"
)

// areaCounts is one LSOA's crimes as one force recorded them.
type areaCounts struct {
	crimes     [forecastMonths]int64 // the profile's, per month offset
	located    int64                 // of any kind, over the last areaMonths months
	sumX, sumY float64
}

// add adds b's counts and positions to a's.
func (a *areaCounts) add(b areaCounts) {
	for m := range a.crimes {
		a.crimes[m] += b.crimes[m]
	}
	a.located, a.sumX, a.sumY = a.located+b.located, a.sumX+b.sumX, a.sumY+b.sumY
}

// forceAreaCounts are one force's crimes per LSOA code ("" for located
// crimes in no LSOA) and the month offsets it has enriched crimes for.
type forceAreaCounts struct {
	byCode map[string]*areaCounts
	have   [forecastMonths]bool
}

// consecutive counts the months the force has data for, back from the
// run's, before the first it lacks.
func (f *forceAreaCounts) consecutive() int {
	if f == nil {
		return 0
	}
	h := 0
	for h < len(f.have) && f.have[h] {
		h++
	}
	return h
}

// loadAreaCounts reads, per force (one, or each when force is ""), the
// profile's crimes per LSOA and month and the months held, over the
// forecast's months to the month, and the positions of every located crime
// of the month and the twelve before it: one scan.
func loadAreaCounts(tx *store.Tx, cond condition, force string, month time.Time) (map[string]*forceAreaCounts, error) {
	filter, fargs := forceFilter(force)
	recent := month.AddDate(0, -(areaMonths - 1), 0)
	q := `SELECT force, month, coalesce(lsoa_code, ''),
		count(*) FILTER (WHERE located AND ` + cond.sql + `),
		count(*) FILTER (WHERE located AND month >= ?),
		coalesce(sum(easting) FILTER (WHERE located AND month >= ?), 0),
		coalesce(sum(northing) FILTER (WHERE located AND month >= ?), 0)
		FROM crimes_enriched c WHERE month BETWEEN ? AND ? AND ` + filter + ` GROUP BY ALL`
	args := append(append(slices.Clone(cond.args), recent, recent, recent, month.AddDate(0, -(forecastMonths-1), 0), month), fargs...)
	out := map[string]*forceAreaCounts{}
	err := tx.QueryArrow(q, args, func(rec arrow.RecordBatch) error {
		f := rec.Column(0).(*array.String)
		m := rec.Column(1).(*array.Date32)
		code := rec.Column(2).(*array.String)
		n, located := rec.Column(3).(*array.Int64), rec.Column(4).(*array.Int64)
		x, y := rec.Column(5).(*array.Float64), rec.Column(6).(*array.Float64)
		for i := 0; i < int(rec.NumRows()); i++ {
			fc := out[f.Value(i)]
			if fc == nil {
				fc = &forceAreaCounts{byCode: map[string]*areaCounts{}}
				out[strings.Clone(f.Value(i))] = fc
			}
			k := monthIndex(month, m.Value(i).ToTime())
			fc.have[k] = true
			if n.Value(i) == 0 && located.Value(i) == 0 {
				continue
			}
			a := fc.byCode[code.Value(i)]
			if a == nil {
				a = &areaCounts{}
				fc.byCode[strings.Clone(code.Value(i))] = a
			}
			a.crimes[k] = n.Value(i)
			a.located += located.Value(i)
			a.sumX, a.sumY = a.sumX+x.Value(i), a.sumY+y.Value(i)
		}
		return nil
	})
	return out, err
}

// population is the residents of each area code (LSOAs and districts) in
// one year of the population feed.
type population struct {
	year      int // 0: no residents loaded
	residents map[string]float64
}

// loadPopulation reads the residents of the latest year of the population
// feed not after the month's (else the earliest year); feeds giving the
// same area and year are combined by taking the larger figure.
func loadPopulation(tx *store.Tx, month time.Time) (population, error) {
	pop := population{residents: map[string]float64{}}
	err := tx.QueryRow(`SELECT coalesce(max(year) FILTER (WHERE year <= ?), min(year), 0) FROM population WHERE residents IS NOT NULL`,
		month.Year()).Scan(&pop.year)
	if err != nil || pop.year == 0 {
		return pop, err
	}
	rows, err := tx.Query(`SELECT area_code, max(residents) FROM population WHERE residents IS NOT NULL AND year = ? GROUP BY area_code`, pop.year)
	if err != nil {
		return pop, err
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var n float64
		if err := rows.Scan(&code, &n); err != nil {
			return pop, err
		}
		pop.residents[code] = n
	}
	return pop, rows.Err()
}

// hasIncidents reports whether any partner incident with a place is loaded.
func hasIncidents(tx *store.Tx) (bool, error) {
	var n int
	err := tx.QueryRow(`SELECT count(*) FROM (SELECT 1 FROM incidents WHERE easting IS NOT NULL LIMIT 1)`).Scan(&n)
	return n > 0, err
}

// profileCrimeTypes lists the police.uk crime types of the profile's crimes
// over months from..to, every force's: the incident categories its Knox
// test takes, read once for all forces.
func profileCrimeTypes(tx *store.Tx, p Profile, from, to time.Time) ([]string, error) {
	where, args, err := p.where()
	if err != nil {
		return nil, err
	}
	return tx.Strings(`SELECT DISTINCT crime_type FROM crimes_enriched c WHERE c.month BETWEEN ? AND ? AND `+where+` ORDER BY 1`,
		append([]any{from, to}, args...)...)
}

// loadKnoxEvents reads the partner incidents in the box over months
// from..to that the Knox test of the profile takes: those in its night
// windows when it counts incidents (as its hotspots do), else those whose
// category is one of the police.uk crime types it selects. Times are in
// days since the epoch, from the UTC instant.
func loadKnoxEvents(tx *store.Tx, p Profile, types []string, box [4]float64, from, to time.Time) ([]knoxEvent, error) {
	cond := p.nightWindow()
	var args []any
	if !p.Incidents {
		if len(types) == 0 {
			return nil, nil
		}
		cond, args = inList("i.category", types)
	}
	q := `SELECT i.easting, i.northing, epoch(i.occurred_at) / 86400.0 FROM incidents i
		WHERE i.easting IS NOT NULL AND i.month BETWEEN ? AND ?
		AND i.easting >= ? AND i.northing >= ? AND i.easting < ? AND i.northing < ? AND ` + cond + ` ORDER BY i.occurred_at, i.easting, i.northing`
	rows, err := tx.Query(q, append([]any{from, to, box[0], box[1], box[2], box[3]}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []knoxEvent
	for rows.Next() {
		var e knoxEvent
		if err := rows.Scan(&e.x, &e.y, &e.day); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// areaWriter batches the area statistics and Knox tables of every force
// of a run.
type areaWriter struct {
	rates, rateRuns, changes, periods, knox *rowBatch
}

func newAreaWriter() *areaWriter {
	key := []string{"profile:s", "force:s", "month:d"}
	return &areaWriter{
		rates: newRowBatch("area_rates", append(key, "layer:s", "code:s", "name:s", "crimes:i", "population:f", "raw_rate:f",
			"eb_rate:f", "spatial_eb_rate:f", "excess_risk:f", "neighbours:i", "reason:s", "forecast:f")...),
		rateRuns: newRowBatch("area_rate_runs", append(key, "layer:s", "areas:i", "no_population:i", "population_year:i",
			"prior_rate:f", "prior_variance:f", "reach:f", "crimes_elsewhere:i", "forecast_month:d", "forecast_history:i", "forecast_beats:b")...),
		changes: newRowBatch("area_changes", append(key, "layer:s", "code:s", "name:s", "comparison:s", "before:i", "after:i",
			"change:f", "percent_change:f", "rate_ratio:f", "p:f", "p_fdr:f", "beyond_noise:b")...),
		periods: newRowBatch("area_change_periods", append(key, "comparison:s", "before_from:d", "before_to:d",
			"months_before:i", "months_needed:i", "months_after:i", "refused:s")...),
		knox: newRowBatch("hotspot_knox", append(key, "window_from:d", "events:i", "distance_from:f", "distance_to:f",
			"days_from:f", "days_to:f", "observed:i", "expected:f", "marginal:f", "knox_ratio:f", "p:f", "permutations:i", "seed:i")...),
	}
}

// addKnox adds one force's Knox table (nr nil: none).
func (w *areaWriter) addKnox(o Options, force string, nr *NearRepeat) {
	if nr == nil {
		return
	}
	for _, c := range nr.Cells {
		w.knox.add(o.Profile.Name, force, o.Month, o.windowFrom(), nr.Events, c.DistanceFrom, c.DistanceTo, c.DaysFrom, c.DaysTo,
			c.Observed, c.Expected, c.Marginal, c.Ratio, c.P, nr.Permutations, int64(nr.Seed))
	}
}

// add adds one force's area statistics and Knox table.
func (w *areaWriter) add(o Options, r Result) error {
	w.addKnox(o, r.Force, r.NearRepeat)
	return w.addAreas(o, r.Force, r.Rates, r.Changes)
}

func (w *areaWriter) addAreas(o Options, force string, rs []AreaRates, cs []AreaChanges) error {
	key := []any{o.Profile.Name, force, o.Month}
	row := func(vals ...any) []any { return append(slices.Clip(key), vals...) }
	for _, r := range rs {
		popYear := any(nil)
		if r.PopulationYear > 0 {
			popYear = r.PopulationYear
		}
		fc := []any{nil, nil, nil}
		if f := r.Forecast; f != nil {
			fc = []any{o.Month.AddDate(0, 1, 0), f.History, f.Beats}
		}
		w.rateRuns.add(append(row(r.Layer, len(r.Areas), r.NoPopulation, popYear, r.Prior, r.Variance, r.Reach, r.Elsewhere), fc...)...)
		for _, a := range r.Areas {
			w.rates.add(row(r.Layer, a.Code, a.Name, a.Crimes, a.Population, a.Raw, a.EB, a.SpatialEB, a.Excess, a.Neighbours, a.Reason, a.Forecast)...)
		}
	}
	for _, c := range cs {
		if c.Layer == "lsoa" {
			from, err := time.Parse("2006-01", c.BeforeFrom)
			if err != nil {
				return err
			}
			to, err := time.Parse("2006-01", c.BeforeTo)
			if err != nil {
				return err
			}
			w.periods.add(row(c.Comparison, from, to, c.MonthsBefore, c.MonthsNeeded, c.MonthsAfter, c.Refused)...)
		}
		for _, a := range c.Areas {
			w.changes.add(row(c.Layer, a.Code, a.Name, c.Comparison, a.Before, a.After, a.Change, a.Percent, a.RateRatio, a.P, a.PFDR, a.Beyond)...)
		}
	}
	return nil
}

// batches are the writer's tables' rows.
func (w *areaWriter) batches() []*rowBatch {
	return []*rowBatch{w.rates, w.rateRuns, w.changes, w.periods, w.knox}
}

func (w *areaWriter) flush(tx *store.Tx) error {
	for _, b := range w.batches() {
		if _, err := tx.AppendBuilder(b.table, b.b); err != nil {
			return err
		}
	}
	return nil
}

func (w *areaWriter) release() {
	for _, b := range w.batches() {
		b.b.Release()
	}
}

// rowBatch builds rows of a table from Go values, every column nullable:
// nil, "" and NaN are NULL.
type rowBatch struct {
	table string
	b     *array.RecordBuilder
}

// newRowBatch returns a batch of the columns given as name:type, the type
// s (VARCHAR), i (BIGINT), f (DOUBLE), b (BOOLEAN) or d (DATE).
func newRowBatch(table string, cols ...string) *rowBatch {
	types := map[string]arrow.DataType{"s": arrow.BinaryTypes.String, "i": arrow.PrimitiveTypes.Int64,
		"f": arrow.PrimitiveTypes.Float64, "b": arrow.FixedWidthTypes.Boolean, "d": arrow.FixedWidthTypes.Date32}
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		name, t, _ := strings.Cut(c, ":")
		fields[i] = arrow.Field{Name: name, Type: types[t], Nullable: true}
	}
	return &rowBatch{table: table, b: array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema(fields, nil))}
}

func (r *rowBatch) add(vals ...any) {
	for i, v := range vals {
		fb := r.b.Field(i)
		switch v := v.(type) {
		case nil:
			fb.AppendNull()
		case string:
			appendString(fb.(*array.StringBuilder), v)
		case int:
			fb.(*array.Int64Builder).Append(int64(v))
		case int64:
			fb.(*array.Int64Builder).Append(v)
		case Float:
			appendFloat(fb.(*array.Float64Builder), float64(v))
		case float64:
			appendFloat(fb.(*array.Float64Builder), v)
		case bool:
			fb.(*array.BooleanBuilder).Append(v)
		case time.Time:
			fb.(*array.Date32Builder).Append(arrow.Date32FromTime(v))
		default:
			panic(fmt.Sprintf("rowBatch %s: column %d: unexpected %T", r.table, i, v))
		}
	}
}
