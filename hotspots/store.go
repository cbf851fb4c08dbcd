package hotspots

// The hotspot stage's reads of crimes and feeds and its writes of runs,
// cells and back-tests; areastore.go has those of the area statistics and
// the Knox test.

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/safercity/safercity/disclosure"
	"github.com/safercity/safercity/store"
	"github.com/safercity/safercity/transform"
)

// crimePoint is a located crime of the profile, or a partner incident.
type crimePoint struct {
	month    int // index into the loaded months
	x, y     float64
	measure  float64
	location string
	partner  bool // a partner-feed incident, not a police.uk crime
}

// cellKey is a cell of the lattice of cellSize cells anchored at the
// national grid's origin: floor(easting / cellSize), floor(northing /
// cellSize), computed alike in SQL and in Go.
type cellKey struct{ x, y int64 }

func keyOf(x, y, cellSize float64) cellKey {
	return cellKey{int64(math.Floor(x / cellSize)), int64(math.Floor(y / cellSize))}
}

// input is what one run of (profile, force) reads from the store.
type input struct {
	force  string
	months []time.Time  // the window, oldest first
	points []crimePoint // the profile's crimes over the window
	// footprint holds, per month, the cells with a located crime of any
	// category that the force recorded.
	footprint []monthCell
}

// monthCell is a footprint cell of one month (an index into the months).
type monthCell struct {
	month int
	key   cellKey
}

// profileForces returns the forces a run covers: o.Force, or each force
// with the profile's located crime in the month.
func profileForces(ctx context.Context, st *store.Store, o Options) ([]string, error) {
	if o.Force != "" {
		force, err := transform.ResolveForce(ctx, st, o.Force)
		if err != nil {
			return nil, err
		}
		return []string{force}, nil
	}
	where, args, err := o.Profile.where()
	if err != nil {
		return nil, err
	}
	forces, err := st.Strings(ctx, `SELECT DISTINCT force FROM crimes_enriched c WHERE located AND month = ? AND `+where+` ORDER BY 1`,
		append([]any{o.Month}, args...)...)
	if err != nil {
		return nil, err
	}
	if len(forces) == 0 {
		return nil, fmt.Errorf("no located %s crimes in %s: run `safercity transform` after loading that month", o.Profile.Name, o.Month.Format("2006-01"))
	}
	return forces, nil
}

// readInput reads the profile's crimes and the footprint of one force for
// months from..to (inclusive).
func readInput(tx *store.Tx, p Profile, force string, from, to time.Time, cellSize float64) (input, error) {
	in := input{force: force}
	for m := from; !m.After(to); m = m.AddDate(0, 1, 0) {
		in.months = append(in.months, m)
	}
	cond, err := profileCondition(tx, p)
	if err != nil {
		return in, err
	}
	pts, err := loadPoints(tx, p, cond, force, from, to, to)
	if err != nil {
		return in, err
	}
	fp, err := loadFootprints(tx, force, from, to, cellSize)
	in.points, in.footprint = pts[force], fp[force]
	return in, err
}

// forceFilter is the SQL condition on force (alias c) for one force, or
// for every force when force is "".
func forceFilter(force string) (string, []any) {
	if force == "" {
		return "true", nil
	}
	return "c.force = ?", []any{force}
}

// loadFootprints returns, per force (one, or every force when force is "")
// and month, the cells holding a located crime of any category the force
// recorded in months from..to: one scan for all forces.
func loadFootprints(tx *store.Tx, force string, from, to time.Time, cellSize float64) (map[string][]monthCell, error) {
	filter, args := forceFilter(force)
	out := map[string][]monthCell{}
	q := `SELECT DISTINCT force, month, floor(easting / ?)::BIGINT, floor(northing / ?)::BIGINT FROM crimes_enriched c
		WHERE located AND month BETWEEN ? AND ? AND ` + filter
	err := tx.QueryArrow(q, append([]any{cellSize, cellSize, from, to}, args...), func(rec arrow.RecordBatch) error {
		f := rec.Column(0).(*array.String)
		mo := rec.Column(1).(*array.Date32)
		x := rec.Column(2).(*array.Int64)
		y := rec.Column(3).(*array.Int64)
		name := ""
		for i := 0; i < int(rec.NumRows()); i++ {
			name = sameString(name, f.Value(i))
			out[name] = append(out[name], monthCell{monthIndex(mo.Value(i).ToTime(), from), cellKey{x.Value(i), y.Value(i)}})
		}
		return nil
	})
	return out, err
}

// loadStreetPlaces returns, per force (one, or every force when force is
// ""), the number of "On or near" points — location and snapped position —
// at which it recorded a located crime of any category in months from..to.
func loadStreetPlaces(tx *store.Tx, force string, from, to time.Time) (map[string]int, error) {
	filter, args := forceFilter(force)
	rows, err := tx.Query(`SELECT force, count(DISTINCT (location, easting, northing)) FROM crimes c
		WHERE located AND location IS NOT NULL AND location <> ? AND month BETWEEN ? AND ? AND `+filter+` GROUP BY force`,
		append([]any{noLocation, from, to}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var f string
		var n int
		if err := rows.Scan(&f, &n); err != nil {
			return nil, err
		}
		out[f] = n
	}
	return out, rows.Err()
}

// sameString returns last when it equals s, else a copy of s: Arrow reuses
// a record's memory after the call, and rows come grouped, so a map keyed
// by the column copies each key once.
func sameString(last, s string) string {
	if s == last {
		return last
	}
	return strings.Clone(s)
}

// monthIndex returns the position of month t in a series starting at from.
func monthIndex(t, from time.Time) int {
	return (t.Year()-from.Year())*12 + int(t.Month()-from.Month())
}

// loadPoints reads, per force (one, or every force when force is ""), the
// located crimes meeting cond (p's condition) for months from..to
// (inclusive), with their location in month only: one scan for all forces.
func loadPoints(tx *store.Tx, p Profile, cond condition, force string, from, to, month time.Time) (map[string][]crimePoint, error) {
	filter, fargs := forceFilter(force)
	out := map[string][]crimePoint{}
	// The location, police.uk's text, is joined from police_street for the
	// month only, not through the view crimes over the whole window. The
	// join returns rows in no fixed order: they are sorted, so that the
	// sums over them (harm, densities) are the same to the last digit on
	// every run.
	q := `SELECT c.force, c.month, c.easting, c.northing, c.harm, s.location FROM crimes_enriched c
		LEFT JOIN (SELECT source_id, line, location FROM police_street WHERE month = ?) s ON s.source_id = c.source_id AND s.line = c.line
		WHERE located AND c.month BETWEEN ? AND ? AND ` + filter + ` AND ` + cond.sql + `
		ORDER BY c.force, c.month, c.source_id, c.line`
	err := tx.QueryArrow(q, append(append([]any{month, from, to}, fargs...), cond.args...), func(rec arrow.RecordBatch) error {
		name := ""
		f := rec.Column(0).(*array.String)
		mo := rec.Column(1).(*array.Date32)
		x := rec.Column(2).(*array.Float64)
		y := rec.Column(3).(*array.Float64)
		h := rec.Column(4).(*array.Float64)
		loc := rec.Column(5).(*array.String)
		for i := 0; i < int(rec.NumRows()); i++ {
			m := 1.0
			if p.Measure == "harm" {
				m = h.Value(i)
			}
			pt := crimePoint{month: monthIndex(mo.Value(i).ToTime(), from), x: x.Value(i), y: y.Value(i), measure: m}
			if loc.IsValid(i) {
				// The record's memory is reused after the call: copy the text.
				pt.location = strings.Clone(loc.Value(i))
			}
			name = sameString(name, f.Value(i))
			out[name] = append(out[name], pt)
		}
		return nil
	})
	return out, err
}

// pointsSince keeps, per force, the points of months from on of points
// loaded from months first on, their month indexes counted from from.
func pointsSince(points map[string][]crimePoint, first, from time.Time) map[string][]crimePoint {
	skip := monthIndex(from, first)
	if skip == 0 {
		return points
	}
	out := make(map[string][]crimePoint, len(points))
	for force, pts := range points {
		var kept []crimePoint
		for _, pt := range pts {
			if pt.month >= skip {
				pt.month -= skip
				kept = append(kept, pt)
			}
		}
		if len(kept) > 0 {
			out[force] = kept
		}
	}
	return out
}

// condition is an SQL condition on crimes_enriched c and its arguments.
type condition struct {
	sql  string
	args []any
}

// profileCondition is the condition selecting the profile's crimes, with
// its night-time economy zone when it has one.
func profileCondition(tx *store.Tx, p Profile) (condition, error) {
	where, args, err := p.where()
	if err != nil {
		return condition{}, err
	}
	zone, err := nteZone(tx, p)
	return condition{where + zone, args}, err
}

// nteZone is the SQL condition keeping crimes (alias c) within the
// profile's NTE zones, when it has them and premises are loaded.
func nteZone(tx *store.Tx, p Profile) (string, error) {
	if !p.NTEZones {
		return "", nil
	}
	ok, err := hasPremises(tx)
	if err != nil || !ok {
		return "", err
	}
	return fmt.Sprintf(` AND EXISTS (SELECT 1 FROM premises z WHERE z.easting IS NOT NULL
		AND greatest(z.close_mon, z.close_tue, z.close_wed, z.close_thu, z.close_fri, z.close_sat, z.close_sun) > %d
		AND (z.easting - c.easting) * (z.easting - c.easting) + (z.northing - c.northing) * (z.northing - c.northing) <= %f)`,
		p.LateAfter, p.ZoneRadius*p.ZoneRadius), nil
}

// loadIncidents reads the partner incidents in the profile's night windows
// for months from..to that fall in the box, released through the
// disclosure policy per cell and month (see releaseIncidents); the caller
// keeps those in its study area. It also returns how many cell-months
// were withheld.
func loadIncidents(tx *store.Tx, p Profile, box [4]float64, from, to time.Time, cellSize float64) ([]crimePoint, int, error) {
	var pts []crimePoint
	q := `SELECT i.month, i.easting, i.northing FROM incidents i
		WHERE i.easting IS NOT NULL AND i.month BETWEEN ? AND ?
		AND i.easting >= ? AND i.northing >= ? AND i.easting < ? AND i.northing < ? AND ` + p.nightWindow()
	err := tx.QueryArrow(q, []any{from, to, box[0], box[1], box[2], box[3]}, func(rec arrow.RecordBatch) error {
		mo := rec.Column(0).(*array.Date32)
		x := rec.Column(1).(*array.Float64)
		y := rec.Column(2).(*array.Float64)
		for i := 0; i < int(rec.NumRows()); i++ {
			pts = append(pts, crimePoint{month: monthIndex(mo.Value(i).ToTime(), from), x: x.Value(i), y: y.Value(i), measure: 1, partner: true})
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	released, withheld := releaseIncidents(pts, cellSize, disclosure.Default())
	return released, withheld, nil
}

// releaseIncidents replaces partner incidents by what the disclosure
// policy releases of them: per lattice cell and month, the released count
// (withheld 1–2 become none, others are rounded to a multiple of 5) of
// points at the cell's centre. Every statistic (Gi* z, KDE density and
// bandwidth, the stored incidents) is then a function of released counts,
// so that a withheld count changing, or an incident moving within its
// cell, changes nothing published; the true counts and positions stay in
// the store's incidents table. It also returns how many cell-months were
// withheld.
func releaseIncidents(pts []crimePoint, cellSize float64, pol disclosure.Policy) ([]crimePoint, int) {
	type cellMonth struct {
		month int
		cell  cellKey
	}
	n := map[cellMonth]int64{}
	for _, p := range pts {
		n[cellMonth{p.month, keyOf(p.x, p.y, cellSize)}]++
	}
	keys := slices.Collect(maps.Keys(n))
	slices.SortFunc(keys, func(a, b cellMonth) int {
		return cmp.Or(cmp.Compare(a.month, b.month), cmp.Compare(a.cell.x, b.cell.x), cmp.Compare(a.cell.y, b.cell.y))
	})
	var out []crimePoint
	withheld := 0
	for _, k := range keys {
		c := pol.Count(n[k])
		if c.Withheld {
			withheld++
		}
		x, y := (float64(k.cell.x)+0.5)*cellSize, (float64(k.cell.y)+0.5)*cellSize
		for range c.Value {
			out = append(out, crimePoint{month: k.month, x: x, y: y, measure: 1, partner: true})
		}
	}
	return out, withheld
}

func hasPremises(tx *store.Tx) (bool, error) {
	var n int
	err := tx.QueryRow(`SELECT count(*) FROM information_schema.tables WHERE table_name = 'premises'`).Scan(&n)
	if err != nil || n == 0 {
		return false, err
	}
	err = tx.QueryRow(`SELECT count(*) FROM premises WHERE easting IS NOT NULL`).Scan(&n)
	return n > 0, err
}

// dataRange returns the first and last month with the profile's located
// crime (of one force, unless force is ""), and the forces holding it.
func dataRange(tx *store.Tx, p Profile, force string) (from, to time.Time, forces []string, err error) {
	where, args, err := p.where()
	if err != nil {
		return from, to, nil, err
	}
	q := `SELECT force, min(month), max(month) FROM crimes_enriched c WHERE located AND ` + where
	if force != "" {
		q += ` AND force = ?`
		args = append(args, force)
	}
	rows, err := tx.Query(q+` GROUP BY force ORDER BY force`, args...)
	if err != nil {
		return from, to, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var f string
		var lo, hi time.Time
		if err := rows.Scan(&f, &lo, &hi); err != nil {
			return from, to, nil, err
		}
		if len(forces) == 0 || lo.Before(from) {
			from = lo.UTC()
		}
		if hi.After(to) {
			to = hi.UTC()
		}
		forces = append(forces, f)
	}
	if err := rows.Err(); err != nil {
		return from, to, nil, err
	}
	if len(forces) == 0 {
		return from, to, nil, fmt.Errorf("no located %s crimes: run `safercity transform` first", p.Name)
	}
	return from, to, forces, nil
}

// clearRuns deletes the stored runs of the profile and month: of o.Force,
// or of every force when it is "".
func clearRuns(tx *store.Tx, o Options) error {
	filter, args := forceFilter(o.Force)
	for _, table := range []string{"hotspot_cells", "hotspot_runs", "hotspot_backtest", "hotspot_forecasts",
		"area_rates", "area_rate_runs", "area_changes", "area_change_periods", "hotspot_knox"} {
		q := `DELETE FROM ` + table + ` c WHERE profile = ? AND month = ? AND ` + filter
		if _, err := tx.Exec(q, append([]any{o.Profile.Name, o.Month}, args...)...); err != nil {
			return err
		}
	}
	return nil
}

// persist stores the run r of (profile, force, month) and hands its cells
// to w; the caller has cleared the earlier run.
func persist(tx *store.Tx, w *cellWriter, o Options, r Result, g gridSpan, cells []cellRow) error {
	if err := w.add(tx, o, r.Force, cells); err != nil {
		return err
	}
	for _, a := range r.Backtest {
		if _, err := tx.Exec(`INSERT INTO hotspot_backtest (profile, force, month, method, hot_set, input_months, cells, area_share,
			hits, total, hit_rate, pai, rri) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.Profile, a.Force, o.Month, a.Method, a.Set, a.Inputs, a.Cells, a.AreaShare, a.Hits, a.Total,
			null(a.HitRate), null(a.PAI), null(a.RRI)); err != nil {
			return err
		}
	}
	_, err := tx.Exec(`INSERT INTO hotspot_runs (profile, force, month, measure, cell_size, band, bandwidth, months,
		x0, y0, nx, ny, crimes, incidents, outside, measure_total, computed,
		study_area, cells, band_method, emerging, time_step, isolated,
		alpha, lisa_permutations, lisa_hh, lisa_ll, lisa_hl, lisa_lh,
		cell_top1, cell_top5, cell_top10, cell_gini, cell_ggini, cell_half, cell_half_share,
		street_places, street_top1, street_top5, street_top10, street_gini, street_ggini, street_half, street_half_share,
		forecast_month, forecast_history, forecast_beats)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
		?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		slices.Concat([]any{o.Profile.Name, r.Force, o.Month, o.Profile.Measure, o.CellSize, r.Band, r.Bandwidth, r.Window,
			g.x0, g.y0, g.nx, g.ny, r.Crimes, r.Incidents, r.Outside, r.Total,
			r.StudyArea, r.Cells, r.BandMethod, r.Emerging, r.TimeStep, r.Isolated, o.Alpha}, lisaCounts(r.Lisa),
			concentrationColumns(r.Concentration), forecastColumns(r.Forecast))...)
	if err != nil || r.Forecast == nil {
		return err
	}
	for _, c := range r.Forecast.Validation {
		if _, err := tx.Exec(`INSERT INTO hotspot_forecasts (profile, force, month, checked_month, crimes, mae, rmse, naive_mae, naive_rmse, beats_naive)
			VALUES (?, ?, ?, strptime(?, '%Y-%m')::DATE, ?, ?, ?, ?, ?, ?)`,
			o.Profile.Name, r.Force, o.Month, c.Month, c.Crimes, c.MAE, c.RMSE, c.NaiveMAE, c.NaiveRMSE, c.Beats); err != nil {
			return err
		}
	}
	return nil
}

// forecastColumns are a run's forecast columns: NULL without a forecast.
func forecastColumns(f *Forecast) []any {
	if f == nil {
		return []any{nil, nil, nil}
	}
	return []any{f.Month + "-01", f.History, f.Beats}
}

// concentrationColumns are a run's concentration columns: NULL where
// undefined.
func concentrationColumns(c *Concentration) []any {
	var cells, streets *PlaceShares
	if c != nil {
		cells, streets = c.Cells, c.Streets
	}
	shares := func(p *PlaceShares) []any {
		if p == nil {
			return []any{nil, nil, nil, nil, nil, nil, nil}
		}
		return []any{p.Top1, p.Top5, p.Top10, p.Gini, p.GeneralizedGini, p.Half, p.HalfShare}
	}
	var places any
	if streets != nil {
		places = streets.Places
	}
	return slices.Concat(shares(cells), []any{places}, shares(streets))
}

// lisaCounts are a run's Local Moran columns: NULL when it is undefined.
func lisaCounts(l *LisaSummary) []any {
	if l == nil {
		return []any{nil, nil, nil, nil, nil}
	}
	return []any{l.Permutations, l.HH, l.LL, l.HL, l.LH}
}

// gridSpan is the lattice box spanning a study area, as hotspot_runs
// records it.
type gridSpan struct {
	x0, y0 float64
	nx, ny int
}

// cellRow is one stored study-area cell.
type cellRow struct {
	cellX, cellY     int64
	gridRef          string
	crimes           int32
	incidents        int32
	measure, density float64
	kdeHot           bool
	neighbours       int32
	z, p, pFDR       float64 // NaN when Gi* is undefined
	bin              int8
	hasGi            bool
	trend            string // "" for no category (no crime in the window)
	mkZ, mkP         float64
	location         string
	// Local Moran's I, z and FDR p (NaN when undefined) and quadrant ("").
	lisaI, lisaZ, lisaPFDR float64
	lisaQuadrant           string
	forecast               float64 // next month's crimes; NaN without a forecast
}

var hotspotCellsSchema = arrow.NewSchema([]arrow.Field{
	{Name: "profile", Type: arrow.BinaryTypes.String},
	{Name: "force", Type: arrow.BinaryTypes.String},
	{Name: "month", Type: arrow.FixedWidthTypes.Date32},
	{Name: "cell_x", Type: arrow.PrimitiveTypes.Int64},
	{Name: "cell_y", Type: arrow.PrimitiveTypes.Int64},
	{Name: "grid_ref", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "crimes", Type: arrow.PrimitiveTypes.Int32},
	{Name: "incidents", Type: arrow.PrimitiveTypes.Int32},
	{Name: "measure", Type: arrow.PrimitiveTypes.Float64},
	{Name: "density", Type: arrow.PrimitiveTypes.Float64},
	{Name: "kde_hot", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "neighbours", Type: arrow.PrimitiveTypes.Int32},
	{Name: "z", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "p", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "p_fdr", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "bin", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
	{Name: "trend", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "mk_z", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "mk_p", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "location", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "lisa_i", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "lisa_z", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "lisa_p_fdr", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "lisa_quadrant", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "forecast", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
}, nil)

// cellWriter appends hotspot_cells rows through Arrow, each column found by
// name, in batches of about a row group: one append per force would cost
// DuckDB a view and a statement each.
type cellWriter struct {
	b                                 *array.RecordBuilder
	profile, force, gridRef           *array.StringBuilder
	trend, location, lisaQuadrant     *array.StringBuilder
	month                             *array.Date32Builder
	cellX, cellY                      *array.Int64Builder
	crimes, incidents, neighbours     *array.Int32Builder
	measure, density, z, p, pFDR, mkZ *array.Float64Builder
	mkP, lisaI, lisaZ, lisaPFDR       *array.Float64Builder
	forecast                          *array.Float64Builder
	kdeHot                            *array.BooleanBuilder
	bin                               *array.Int8Builder
	rows                              int
}

func newCellWriter() *cellWriter {
	b := array.NewRecordBuilder(memory.DefaultAllocator, hotspotCellsSchema)
	byName := map[string]array.Builder{}
	for i, f := range hotspotCellsSchema.Fields() {
		byName[f.Name] = b.Field(i)
	}
	str := func(n string) *array.StringBuilder { return byName[n].(*array.StringBuilder) }
	i64 := func(n string) *array.Int64Builder { return byName[n].(*array.Int64Builder) }
	i32 := func(n string) *array.Int32Builder { return byName[n].(*array.Int32Builder) }
	f64 := func(n string) *array.Float64Builder { return byName[n].(*array.Float64Builder) }
	return &cellWriter{b: b, profile: str("profile"), force: str("force"), gridRef: str("grid_ref"),
		trend: str("trend"), location: str("location"), month: byName["month"].(*array.Date32Builder),
		cellX: i64("cell_x"), cellY: i64("cell_y"), crimes: i32("crimes"), incidents: i32("incidents"),
		neighbours: i32("neighbours"), measure: f64("measure"), density: f64("density"), z: f64("z"),
		p: f64("p"), pFDR: f64("p_fdr"), mkZ: f64("mk_z"), mkP: f64("mk_p"),
		lisaI: f64("lisa_i"), lisaZ: f64("lisa_z"), lisaPFDR: f64("lisa_p_fdr"), lisaQuadrant: str("lisa_quadrant"),
		forecast: f64("forecast"),
		kdeHot:   byName["kde_hot"].(*array.BooleanBuilder), bin: byName["bin"].(*array.Int8Builder)}
}

// add adds one force's cells, writing a batch once it is large enough.
func (w *cellWriter) add(tx *store.Tx, o Options, force string, cells []cellRow) error {
	m := arrow.Date32FromTime(o.Month)
	for _, c := range cells {
		w.profile.Append(o.Profile.Name)
		w.force.Append(force)
		w.month.Append(m)
		w.cellX.Append(c.cellX)
		w.cellY.Append(c.cellY)
		appendString(w.gridRef, c.gridRef)
		w.crimes.Append(c.crimes)
		w.incidents.Append(c.incidents)
		w.measure.Append(c.measure)
		w.density.Append(c.density)
		w.kdeHot.Append(c.kdeHot)
		w.neighbours.Append(c.neighbours)
		appendFloat(w.z, c.z)
		appendFloat(w.p, c.p)
		appendFloat(w.pFDR, c.pFDR)
		if c.hasGi {
			w.bin.Append(c.bin)
		} else {
			w.bin.AppendNull()
		}
		appendString(w.trend, c.trend)
		appendFloat(w.mkZ, c.mkZ)
		appendFloat(w.mkP, c.mkP)
		appendString(w.location, c.location)
		appendFloat(w.lisaI, c.lisaI)
		appendFloat(w.lisaZ, c.lisaZ)
		appendFloat(w.lisaPFDR, c.lisaPFDR)
		appendString(w.lisaQuadrant, c.lisaQuadrant)
		appendFloat(w.forecast, c.forecast)
	}
	if w.rows += len(cells); w.rows >= 1<<17 {
		return w.flush(tx)
	}
	return nil
}

// flush writes the rows added so far.
func (w *cellWriter) flush(tx *store.Tx) error {
	w.rows = 0
	_, err := tx.AppendBuilder("hotspot_cells", w.b)
	return err
}

func (w *cellWriter) release() { w.b.Release() }

func appendString(b *array.StringBuilder, s string) {
	if s == "" {
		b.AppendNull()
		return
	}
	b.Append(s)
}

func appendFloat(b *array.Float64Builder, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		b.AppendNull()
		return
	}
	b.Append(v)
}

// null is v for SQL, NULL when NaN or infinite.
func null(v Float) any {
	if f := float64(v); !math.IsNaN(f) && !math.IsInf(f, 0) {
		return f
	}
	return nil
}

// The reads of the stored hotspots that commands and jobs make: which
// profiles and months are stored, and how many cells a run wrote.

// StoredProfiles are the profiles with stored hotspots, sorted.
func StoredProfiles(ctx context.Context, st *store.Store) ([]string, error) {
	return st.Strings(ctx, `SELECT DISTINCT profile FROM hotspot_runs ORDER BY 1`)
}

// StoredMonths are the months, YYYY-MM, of a profile's stored hotspots.
func StoredMonths(ctx context.Context, st *store.Store, profile string) ([]string, error) {
	return st.Strings(ctx, `SELECT DISTINCT strftime(month, '%Y-%m') FROM hotspot_runs WHERE profile = ? ORDER BY 1`, profile)
}

// CellCount is the number of stored cells of a profile's month.
func CellCount(ctx context.Context, st *store.Store, profile string, month time.Time) (int64, error) {
	var n int64
	err := st.DB.QueryRowContext(ctx, `SELECT count(*) FROM hotspot_cells WHERE profile = ? AND month = ?`, profile, month).Scan(&n)
	return n, err
}

// loadedFeeds counts the located premises and partner incidents stored.
func loadedFeeds(ctx context.Context, st *store.Store) (premises, incidents int64, err error) {
	err = st.DB.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM premises WHERE easting IS NOT NULL),
		(SELECT count(*) FROM incidents WHERE easting IS NOT NULL)`).Scan(&premises, &incidents)
	return premises, incidents, err
}
