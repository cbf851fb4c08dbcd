// Package transform is the stage that places every stored crime in British
// National Grid terms — easting and northing, grid cell, LSOA, local
// authority, comparison unit, profile groups, harm — and writes
// crimes_enriched (the view crimes adds police.uk's text and the cell's OS
// grid reference). Its sub-packages do the geometry and statistics on plain
// values; this package only reads and writes the tables.
package transform

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/safercity/safercity/store"
	"github.com/safercity/safercity/transform/area"
	"github.com/safercity/safercity/transform/enrich"
	"github.com/safercity/safercity/transform/grid"
)

// Config is what enrichment depends on. A change to any of it makes every
// month be recomputed on the next run.
type Config struct {
	CellSize   float64 // metres; a divisor of 1 km from 25 to 1000
	Categories []byte  // CSV, see enrich.ReadCategories
	Units      []byte  // YAML, see enrich.ReadUnits
	Lookup     []byte  // CSV lsoa_code → lad_name, see enrich.ReadLookup
}

// MonthResult says what a run did with one month.
type MonthResult struct {
	Month    string `json:"month"`
	Status   string `json:"status"` // computed | unchanged
	Rows     int64  `json:"rows"`
	Located  int64  `json:"located"`
	Unplaced int64  `json:"unknown_types"` // crime types not in the categories table
}

// Alone sets up st for a transform that is the process's only work, as
// the transform command is: DuckDB on one thread, and Run enriches a month
// group per core, each on its own connection, so that one group is read and
// placed in Go while another is written. On 36 months of every force that
// took 19.4 s against 23.7 s with DuckDB spreading each statement over two
// threads; two groups at once on DuckDB's two threads were slower still, so
// without Alone, Run enriches one group at a time. DuckDB's cache is held
// to AloneMemoryLimit.
func Alone(ctx context.Context, st *store.Store) error {
	return st.Alone(ctx, AloneMemoryLimit)
}

// AloneMemoryLimit is DuckDB's memory limit under Alone. With two groups
// of a million crimes at once, 512 MB took 36 months in the same time as
// the default 1 GB, with a peak RSS of 1.56 GB instead of 1.82; 256 MB ran
// out. This leaves half as much again above what worked.
const AloneMemoryLimit = "768MB"

// Run enriches every month whose street crimes are new or were republished
// since the last run, or all months when the configuration changed; with
// months given, only those. Each month is replaced in one transaction, so an
// interrupted run leaves the previous result of that month intact.
func Run(ctx context.Context, st *store.Store, cfg Config, months []time.Time, log *slog.Logger) ([]MonthResult, error) {
	if log == nil {
		log = slog.Default()
	}
	g, err := grid.New(cfg.CellSize)
	if err != nil {
		return nil, err
	}
	e := &enrich.Enricher{Grid: g}
	if e.Categories, err = enrich.ReadCategories(bytes.NewReader(cfg.Categories)); err != nil {
		return nil, err
	}
	if e.Units, err = enrich.ReadUnits(bytes.NewReader(cfg.Units)); err != nil {
		return nil, err
	}
	if e.Lookup, err = enrich.ReadLookup(bytes.NewReader(cfg.Lookup)); err != nil {
		return nil, err
	}
	layers, layerIDs, err := Layers(ctx, st)
	if err != nil {
		return nil, err
	}
	e.LSOA, e.LAD = layers["lsoa"], layers["lad"]
	delete(layers, "lsoa")
	delete(layers, "lad")

	h := sha256.New()
	fmt.Fprintf(h, "cell=%v\n%s\n%s\n%s\nlayers=%s\n", cfg.CellSize, cfg.Categories, cfg.Units, cfg.Lookup, layerIDs)
	settings := hex.EncodeToString(h.Sum(nil))[:16]

	todo, err := monthsToDo(ctx, st, settings, months)
	if err != nil {
		return nil, err
	}
	var results []MonthResult
	var changed []monthWork
	for _, m := range todo {
		if m.changed {
			changed = append(changed, m)
		} else {
			results = append(results, MonthResult{Month: m.month.Format("2006-01"), Status: "unchanged", Rows: m.rows})
		}
	}
	at, err := groupsAtOnce(ctx, st)
	if err != nil {
		return nil, err
	}
	done, err := enrichGroups(ctx, st, e, layers, monthGroups(changed), at, cfg.CellSize, log)
	results = append(results, done...)
	sort.Slice(results, func(i, j int) bool { return results[i].Month < results[j].Month })
	return results, err
}

// groupsAtOnce is how many month groups Run enriches at once: one per core
// when DuckDB runs on one thread (Alone), else one, DuckDB spreading each
// statement over its threads.
func groupsAtOnce(ctx context.Context, st *store.Store) (int, error) {
	var threads int
	if err := st.DB.QueryRowContext(ctx, `SELECT current_setting('threads')`).Scan(&threads); err != nil {
		return 0, err
	}
	if threads == 1 {
		return runtime.GOMAXPROCS(0), nil
	}
	return 1, nil
}

// monthGroups splits the months into groups of about txRows rows. Months
// are committed in groups: each DuckDB commit that follows deletes costs a
// checkpoint, so one per month would dominate a full recompute; and each
// statement over a group's rows is one scan, not one per month.
func monthGroups(months []monthWork) [][]monthWork {
	var groups [][]monthWork
	for len(months) > 0 {
		n, rows := 0, int64(0)
		for n < len(months) && (n == 0 || rows+months[n].loaded <= txRows) {
			rows += months[n].loaded
			n++
		}
		groups = append(groups, months[:n])
		months = months[n:]
	}
	return groups
}

// enrichGroups enriches the groups, each in its own transaction, at most
// at of them at once, each on its own connection. It returns the months of
// every group committed, and the first failure.
func enrichGroups(ctx context.Context, st *store.Store, e *enrich.Enricher, layers map[string]*area.Layer, groups [][]monthWork, at int, cellSize float64, log *slog.Logger) ([]MonthResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	todo := make(chan []monthWork, len(groups))
	for _, g := range groups {
		todo <- g
	}
	close(todo)
	var (
		mu      sync.Mutex
		results []MonthResult
		first   error
		wg      sync.WaitGroup
	)
	for range min(at, len(groups)) {
		wg.Go(func() {
			for months := range todo { // after a failure, cancelled: the rest fail at once
				group, err := enrichGroup(ctx, st, e, layers, months, cellSize, log)
				mu.Lock()
				if err != nil && first == nil {
					first = err
					cancel()
				}
				results = append(results, group...)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return results, first
}

// enrichGroup enriches one group of months in one transaction; it returns
// their results only once committed.
func enrichGroup(ctx context.Context, st *store.Store, e *enrich.Enricher, layers map[string]*area.Layer, months []monthWork, cellSize float64, log *slog.Logger) ([]MonthResult, error) {
	start := time.Now()
	var group []MonthResult
	err := st.Tx(ctx, func(tx *store.Tx) error {
		var err error
		group, err = enrichMonths(tx, e, layers, months, cellSize)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("transform %s…%s: %w (the months of this batch are as they were; the other batches that ended are stored: run again to resume)",
			months[0].month.Format("2006-01"), months[len(months)-1].month.Format("2006-01"), err)
	}
	log.Debug("transformed", "months", len(group), "took", time.Since(start))
	return group, nil
}

// txRows is roughly how many crimes are enriched per transaction (a
// month's more when one month holds more).
var txRows int64 = 1_000_000 // a var only so that a test can make many groups of a small sample

type monthWork struct {
	month       time.Time
	fingerprint string
	changed     bool
	rows        int64 // enriched when last computed
	loaded      int64 // street rows stored now
}

// monthsToDo compares each month's current street sources (and the
// settings) with what the month was last computed from.
func monthsToDo(ctx context.Context, st *store.Store, settings string, only []time.Time) ([]monthWork, error) {
	rows, err := st.DB.QueryContext(ctx, `
		SELECT s.month, ? || ':' || string_agg(s.source_id::VARCHAR, ',' ORDER BY s.source_id), t.fingerprint, coalesce(t.rows, 0),
			sum(s.rows_loaded)::BIGINT
		FROM sources s LEFT JOIN transform_state t ON t.month = s.month
		WHERE s.kind = 'street' AND s.status = 'loaded' AND s.superseded_by IS NULL
		GROUP BY s.month, t.fingerprint, t.rows ORDER BY s.month`, settings)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	want := map[time.Time]bool{}
	for _, m := range only {
		want[m] = true
	}
	var out []monthWork
	for rows.Next() {
		var w monthWork
		var prev sql.NullString
		if err := rows.Scan(&w.month, &w.fingerprint, &prev, &w.rows, &w.loaded); err != nil {
			return nil, err
		}
		w.month = w.month.UTC()
		if len(want) > 0 && !want[w.month] {
			continue
		}
		w.changed = prev.String != w.fingerprint
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for m := range want {
		found := false
		for _, w := range out {
			found = found || w.month.Equal(m)
		}
		if !found {
			return nil, fmt.Errorf("no street crimes stored for %s: load that month first (safercity ingest police)", m.Format("2006-01"))
		}
	}
	return out, nil
}

// Layers indexes every stored boundary layer, by name, and says which
// loads they came from ("name=source_id,…") so that a new version of a
// layer can be told apart.
func Layers(ctx context.Context, st *store.Store) (map[string]*area.Layer, string, error) {
	rows, err := st.DB.QueryContext(ctx, `SELECT layer, code_prop, coalesce(name_prop, ''), geojson, source_id FROM area_layers ORDER BY layer`)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	layers := map[string]*area.Layer{}
	var ids []string
	for rows.Next() {
		var name, code, nm, text string
		var id int64
		if err := rows.Scan(&name, &code, &nm, &text, &id); err != nil {
			return nil, "", err
		}
		l, err := area.Load(strings.NewReader(text), code, nm)
		if err != nil {
			return nil, "", fmt.Errorf("boundary layer %s: %w (load it again with safercity ingest boundaries)", name, err)
		}
		layers[name] = l
		ids = append(ids, fmt.Sprintf("%s=%d", name, id))
	}
	return layers, strings.Join(ids, ","), rows.Err()
}

// The transform is split so that only numbers cross between DuckDB and Go
// per crime: Go reads each crime's coordinates and returns its grid
// placement (placed); what depends on a few distinct values is computed once
// per value — the district and unit of each LSOA (districts), the groups and
// harm of each crime type (categories) — and DuckDB joins it all onto
// police_street in one statement, copying the columns stages filter by
// itself. Crimes whose file has no LSOA but a boundary layer gives one (the
// 2011 files) carry their areas in filled. police.uk's free text (location,
// last outcome, LSOA name) is not copied: the view crimes joins it back, and
// computes the grid reference (migration 0015).

var placedSchema = arrow.NewSchema([]arrow.Field{
	{Name: "source_id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "line", Type: arrow.PrimitiveTypes.Int64},
	{Name: "longitude", Type: arrow.PrimitiveTypes.Float64, Nullable: true}, // only when derived from easting and northing
	{Name: "latitude", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "easting", Type: arrow.PrimitiveTypes.Float64},
	{Name: "northing", Type: arrow.PrimitiveTypes.Float64},
	{Name: "cell_x", Type: arrow.PrimitiveTypes.Int64},
	{Name: "cell_y", Type: arrow.PrimitiveTypes.Int64},
}, nil)

// districtsSchema is the district and unit of each LSOA as the files give
// it, by code and name.
var districtsSchema = arrow.NewSchema([]arrow.Field{
	{Name: "lsoa_code", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "lsoa_name", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "lad_name", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "unit", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

// filledSchema is the LSOA, district and unit the boundary layers gave a
// crime whose file has none.
var filledSchema = arrow.NewSchema([]arrow.Field{
	{Name: "source_id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "line", Type: arrow.PrimitiveTypes.Int64},
	{Name: "lsoa_code", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "lad_name", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "unit", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

var categoriesSchema = arrow.NewSchema([]arrow.Field{
	{Name: "crime_type", Type: arrow.BinaryTypes.String},
	{Name: "violence", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "acquisitive", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "asb", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "nte", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "weapons", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "harm", Type: arrow.PrimitiveTypes.Float64},
}, nil)

var crimeAreasSchema = arrow.NewSchema([]arrow.Field{
	{Name: "source_id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "line", Type: arrow.PrimitiveTypes.Int64},
	{Name: "month", Type: arrow.FixedWidthTypes.Date32},
	{Name: "layer", Type: arrow.BinaryTypes.String},
	{Name: "code", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

// enrichedRows joins the views onto police_street as crimes_enriched rows;
// %d is the cell size, %s the months. (Staging them in a temporary table
// first made the join and the insert faster apart than together in wall
// time, on an idle machine, but cost more CPU in all: not done.)
const enrichedRows = `SELECT p.source_id, p.line, p.month, p.force, p.crime_type,
		g.source_id IS NOT NULL,
		CASE WHEN g.source_id IS NOT NULL THEN coalesce(g.longitude, p.longitude) END,
		CASE WHEN g.source_id IS NOT NULL THEN coalesce(g.latitude, p.latitude) END,
		g.easting, g.northing, %d, g.cell_x, g.cell_y,
		CASE WHEN f.source_id IS NULL THEN nullif(p.lsoa_code, '') ELSE f.lsoa_code END,
		CASE WHEN f.source_id IS NULL THEN d.lad_name ELSE f.lad_name END,
		CASE WHEN f.source_id IS NULL THEN d.unit ELSE f.unit END,
		coalesce(k.violence, false), coalesce(k.acquisitive, false), coalesce(k.asb, false),
		coalesce(k.nte, false), coalesce(k.weapons, false), coalesce(k.harm, 0)
	FROM police_street p
	LEFT JOIN placed g ON g.source_id = p.source_id AND g.line = p.line
	LEFT JOIN filled f ON f.source_id = p.source_id AND f.line = p.line
	LEFT JOIN districts d ON d.lsoa_code IS NOT DISTINCT FROM p.lsoa_code AND d.lsoa_name IS NOT DISTINCT FROM p.lsoa_name
	LEFT JOIN categories k ON k.crime_type = p.crime_type
	WHERE p.month IN (%s)`

// monthGroup is the work of one transaction: the months' crimes placed,
// ready to insert, and the counts of each month.
type monthGroup struct {
	e        *enrich.Enricher
	in       string // the months as a SQL list
	cellSize int
	placers  []*placer
	counts   map[int32]*MonthResult // by arrow.Date32 of the month
}

// enrichMonths replaces the months' crimes_enriched and crime_areas rows
// and records them in transform_state.
func enrichMonths(tx *store.Tx, e *enrich.Enricher, layers map[string]*area.Layer, months []monthWork, cellSize float64) ([]MonthResult, error) {
	g := &monthGroup{e: e, cellSize: int(cellSize), counts: map[int32]*MonthResult{}}
	for range runtime.GOMAXPROCS(0) {
		p := newPlacer(e, layers)
		defer p.release()
		g.placers = append(g.placers, p)
	}
	var list []string
	for _, m := range months {
		list = append(list, "DATE '"+m.month.Format("2006-01-02")+"'")
		g.counts[int32(arrow.Date32FromTime(m.month))] = &MonthResult{Month: m.month.Format("2006-01"), Status: "computed"}
	}
	g.in = strings.Join(list, ", ")
	for _, table := range []string{"crimes_enriched", "crime_areas"} {
		if _, err := tx.Exec(`DELETE FROM ` + table + ` WHERE month IN (` + g.in + `)`); err != nil {
			return nil, err
		}
	}
	if err := g.placeAll(tx); err != nil {
		return nil, err
	}
	if err := g.insert(tx); err != nil {
		return nil, err
	}
	if err := g.countUnknownTypes(tx); err != nil {
		return nil, err
	}
	var out []MonthResult
	for _, m := range months {
		r := *g.counts[int32(arrow.Date32FromTime(m.month))]
		if _, err := tx.Exec(`INSERT OR REPLACE INTO transform_state VALUES (?, ?, ?, now()::TIMESTAMP)`, m.month, m.fingerprint, r.Rows); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// placeAll places the months' crimes on every core, DuckDB reading the
// next batch while the placers work, and adds up their counts.
func (g *monthGroup) placeAll(tx *store.Tx) error {
	recs := make(chan arrow.RecordBatch, len(g.placers))
	var wg sync.WaitGroup
	for _, p := range g.placers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for rec := range recs {
				p.place(rec)
				rec.Release()
			}
		}()
	}
	err := tx.QueryArrow(`SELECT source_id, line, month, longitude, latitude, easting, northing, coalesce(lsoa_code, '') = ''
		FROM police_street WHERE month IN (`+g.in+`)`, nil, func(rec arrow.RecordBatch) error {
		rec.Retain()
		recs <- rec
		return nil
	})
	close(recs)
	wg.Wait()
	for _, p := range g.placers {
		for m, c := range p.counts {
			g.counts[m].Rows += c.Rows
			g.counts[m].Located += c.Located
		}
	}
	return err
}

// A placer places crimes into builders of its own; a group runs one per
// core.
type placer struct {
	e                     *enrich.Enricher // only Locate and District, which are safe for concurrent use
	layers                map[string]*area.Layer
	placed, filled, areas *array.RecordBuilder
	counts                map[int32]*MonthResult
}

func newPlacer(e *enrich.Enricher, layers map[string]*area.Layer) *placer {
	return &placer{e: e, layers: layers, counts: map[int32]*MonthResult{},
		placed: array.NewRecordBuilder(memAlloc, placedSchema), filled: array.NewRecordBuilder(memAlloc, filledSchema),
		areas: array.NewRecordBuilder(memAlloc, crimeAreasSchema)}
}

func (p *placer) release() {
	p.placed.Release()
	p.filled.Release()
	p.areas.Release()
}

// place places each crime of a batch of police_street rows.
func (p *placer) place(rec arrow.RecordBatch) {
	in := columns(rec)
	months := rec.Column(2).(*array.Date32)
	noLSOA := rec.Column(7).(*array.Boolean)
	b := p.placed.Fields()
	for i := 0; i < int(rec.NumRows()); i++ {
		c := enrich.Crime{Longitude: in.f64(3, i), Latitude: in.f64(4, i), Easting: in.f64(5, i), Northing: in.f64(6, i)}
		if !noLSOA.Value(i) {
			c.LSOACode = "(given)" // any: the file's LSOA is joined in DuckDB
		}
		x := p.e.Locate(c)
		month := int32(months.Value(i))
		r := p.counts[month]
		if r == nil {
			r = &MonthResult{}
			p.counts[month] = r
		}
		r.Rows++
		if !x.Located {
			continue
		}
		r.Located++
		id, line := in.i64(0, i), in.i64(1, i)
		b[0].(*array.Int64Builder).Append(id)
		b[1].(*array.Int64Builder).Append(line)
		if math.IsNaN(c.Longitude) || math.IsNaN(c.Latitude) {
			b[2].(*array.Float64Builder).Append(x.Longitude)
			b[3].(*array.Float64Builder).Append(x.Latitude)
		} else {
			b[2].AppendNull()
			b[3].AppendNull()
		}
		b[4].(*array.Float64Builder).Append(x.Easting)
		b[5].(*array.Float64Builder).Append(x.Northing)
		b[6].(*array.Int64Builder).Append(x.Cell.X)
		b[7].(*array.Int64Builder).Append(x.Cell.Y)
		if noLSOA.Value(i) && (x.LSOACode != "" || x.LADName != "") {
			p.fill(id, line, x)
		}
		p.inLayers(id, line, month, x)
	}
}

// fill keeps the areas the boundary layers gave a crime whose file has no
// LSOA.
func (p *placer) fill(id, line int64, x enrich.Enriched) {
	lad, unit := p.e.District(x.LSOACode, x.LSOAName, x.LADName)
	f := p.filled.Fields()
	f[0].(*array.Int64Builder).Append(id)
	f[1].(*array.Int64Builder).Append(line)
	for k, v := range []string{x.LSOACode, lad, unit} {
		appendString(f[2+k], v)
	}
}

// inLayers adds the crime's area in each of the other boundary layers.
func (p *placer) inLayers(id, line int64, month int32, x enrich.Enriched) {
	for name, l := range p.layers {
		a := p.areas.Fields()
		a[0].(*array.Int64Builder).Append(id)
		a[1].(*array.Int64Builder).Append(line)
		a[2].(*array.Date32Builder).Append(arrow.Date32(month))
		a[3].(*array.StringBuilder).Append(name)
		if f, ok := l.Locate([2]float64{x.Easting, x.Northing}); ok {
			a[4].(*array.StringBuilder).Append(f.Code)
			appendString(a[5], f.Name)
		} else {
			a[4].AppendNull()
			a[5].AppendNull()
		}
	}
}

// insert writes the group's crimes_enriched and crime_areas rows.
func (g *monthGroup) insert(tx *store.Tx) error {
	districts, err := g.districts(tx)
	if err != nil {
		return err
	}
	var placed, filled, areas []arrow.RecordBatch
	for _, p := range g.placers {
		placed = append(placed, p.placed.NewRecordBatch())
		filled = append(filled, p.filled.NewRecordBatch())
		areas = append(areas, p.areas.NewRecordBatch())
	}
	views := [][]arrow.RecordBatch{placed, filled, {districts}, {categoriesRecord(g.e.Categories)}}
	defer func() {
		for _, v := range append(views, areas) {
			for _, r := range v {
				r.Release()
			}
		}
	}()
	var vs []store.ArrowView
	for i, name := range []string{"placed", "filled", "districts", "categories"} {
		vs = append(vs, store.ArrowView{Name: name, Schema: views[i][0].Schema(), Records: views[i]})
	}
	if _, err := tx.ExecArrow("INSERT INTO crimes_enriched "+fmt.Sprintf(enrichedRows, g.cellSize, g.in), vs...); err != nil {
		return fmt.Errorf("insert into crimes_enriched: %w", err)
	}
	_, err = tx.AppendArrow("crime_areas", crimeAreasSchema, areas)
	return err
}

// districts is the district and unit of each LSOA (code and name) that the
// months' files give.
func (g *monthGroup) districts(tx *store.Tx) (arrow.RecordBatch, error) {
	b := array.NewRecordBuilder(memAlloc, districtsSchema)
	defer b.Release()
	f := b.Fields()
	rows, err := tx.Query(`SELECT DISTINCT lsoa_code, lsoa_name FROM police_street WHERE month IN (` + g.in + `)`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var code, name sql.NullString
		if err := rows.Scan(&code, &name); err != nil {
			return nil, err
		}
		lad, unit := g.e.District(code.String, name.String, "")
		for k, v := range []sql.NullString{code, name} {
			if v.Valid {
				f[k].(*array.StringBuilder).Append(v.String)
			} else {
				f[k].AppendNull()
			}
		}
		appendString(f[2], lad)
		appendString(f[3], unit)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return b.NewRecordBatch(), nil
}

// countUnknownTypes counts each month's crimes of types the categories
// table lacks.
func (g *monthGroup) countUnknownTypes(tx *store.Tx) error {
	rows, err := tx.Query(`SELECT month, crime_type, count(*) FROM police_street WHERE month IN (` + g.in + `) GROUP BY ALL`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var m time.Time
		var t string
		var n int64
		if err := rows.Scan(&m, &t, &n); err != nil {
			return err
		}
		if _, ok := g.e.Categories[t]; !ok {
			g.counts[int32(arrow.Date32FromTime(m.UTC()))].Unplaced += n
		}
	}
	return rows.Err()
}

// categoriesRecord is the categories table as a record for the join.
func categoriesRecord(cats enrich.Categories) arrow.RecordBatch {
	b := array.NewRecordBuilder(memAlloc, categoriesSchema)
	defer b.Release()
	for t, c := range cats {
		f := b.Fields()
		f[0].(*array.StringBuilder).Append(t)
		for i, v := range []bool{c.Violence, c.Acquisitive, c.ASB, c.NTE, c.Weapons} {
			f[1+i].(*array.BooleanBuilder).Append(v)
		}
		f[6].(*array.Float64Builder).Append(c.Harm)
	}
	return b.NewRecordBatch()
}

// cols gives typed access to a query result's columns.
type cols []arrow.Array

func columns(rec arrow.RecordBatch) cols { return cols(rec.Columns()) }

func (c cols) f64(j, i int) float64 {
	a := c[j].(*array.Float64)
	if a.IsNull(i) {
		return math.NaN()
	}
	return a.Value(i)
}

func (c cols) i64(j, i int) int64 { return c[j].(*array.Int64).Value(i) }

func appendString(b array.Builder, s string) {
	if s == "" {
		b.AppendNull()
		return
	}
	b.(*array.StringBuilder).Append(s)
}

var memAlloc = memory.DefaultAllocator
