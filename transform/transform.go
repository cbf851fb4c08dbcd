// Package transform is the stage that places every stored crime in British
// National Grid terms — easting and northing, grid cell, OS grid reference,
// LSOA, local authority, comparison unit, profile groups, harm — and writes
// crimes_enriched. Its sub-packages do the geometry and statistics on plain
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
	"sort"
	"strings"
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
	cats := categoriesRecord(e.Categories)
	defer cats.Release()
	var results []MonthResult
	var changed []monthWork
	for _, m := range todo {
		if m.changed {
			changed = append(changed, m)
		} else {
			results = append(results, MonthResult{Month: m.month.Format("2006-01"), Status: "unchanged", Rows: m.rows})
		}
	}
	// Months are committed in groups: each DuckDB commit that follows deletes
	// costs a checkpoint, so one per month would dominate a full recompute.
	for len(changed) > 0 {
		start := time.Now()
		var group []MonthResult
		err := st.Tx(ctx, func(tx *store.Tx) error {
			group = group[:0]
			rows := int64(0)
			b := newEnrichedBatch(cats, cfg.CellSize)
			defer b.release()
			for i, m := range changed {
				if i > 0 && rows+m.rows > txRows {
					break
				}
				r, err := enrichMonth(tx, e, layers, m.month, m.fingerprint, b)
				if err != nil {
					return fmt.Errorf("%s: %w", r.Month, err)
				}
				group = append(group, r)
				rows += r.Rows
			}
			return b.flush(tx)
		})
		if err != nil {
			return results, fmt.Errorf("transform %w (the months of this batch are as they were; earlier batches are stored: run again to resume)", err)
		}
		log.Debug("transformed", "months", len(group), "took", time.Since(start))
		results = append(results, group...)
		changed = changed[len(group):]
	}
	sort.Slice(results, func(i, j int) bool { return results[i].Month < results[j].Month })
	return results, nil
}

// txRows is roughly how many crimes are enriched per transaction.
const txRows = 1_000_000

type monthWork struct {
	month       time.Time
	fingerprint string
	changed     bool
	rows        int64
}

// monthsToDo compares each month's current street sources (and the
// settings) with what the month was last computed from.
func monthsToDo(ctx context.Context, st *store.Store, settings string, only []time.Time) ([]monthWork, error) {
	rows, err := st.DB.QueryContext(ctx, `
		SELECT s.month, ? || ':' || string_agg(s.source_id::VARCHAR, ',' ORDER BY s.source_id), t.fingerprint, coalesce(t.rows, 0)
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
		if err := rows.Scan(&w.month, &w.fingerprint, &prev, &w.rows); err != nil {
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

// placedSchema holds what enrichment computes for each crime; the rest of
// crimes_enriched is joined from police_street and the categories inside
// DuckDB, which copies those columns far faster than a round trip through Go.
var placedSchema = arrow.NewSchema([]arrow.Field{
	{Name: "source_id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "line", Type: arrow.PrimitiveTypes.Int64},
	{Name: "located", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "longitude", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "latitude", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "easting", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "northing", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "grid_ref", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "cell_x", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "cell_y", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "lsoa_code", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "lsoa_name", Type: arrow.BinaryTypes.String, Nullable: true},
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

// categoriesRecord is the categories table as a record for the join.
func categoriesRecord(cats enrich.Categories) arrow.Record {
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
	return b.NewRecord()
}

var crimeAreasSchema = arrow.NewSchema([]arrow.Field{
	{Name: "source_id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "line", Type: arrow.PrimitiveTypes.Int64},
	{Name: "month", Type: arrow.FixedWidthTypes.Date32},
	{Name: "layer", Type: arrow.BinaryTypes.String},
	{Name: "code", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

// enrichedBatch holds the placed crimes of a transaction's months, inserted
// together: one insert per month would leave DuckDB small row groups to
// merge.
type enrichedBatch struct {
	placed, areas *array.RecordBuilder
	categories    arrow.Record
	cellSize      int
	from, to      time.Time // the months placed
}

func newEnrichedBatch(categories arrow.Record, cellSize float64) *enrichedBatch {
	return &enrichedBatch{placed: array.NewRecordBuilder(memAlloc, placedSchema), areas: array.NewRecordBuilder(memAlloc, crimeAreasSchema),
		categories: categories, cellSize: int(cellSize)}
}

func (b *enrichedBatch) flush(tx *store.Tx) error {
	placed := b.placed.NewRecord()
	defer placed.Release()
	if placed.NumRows() > 0 {
		_, err := tx.ExecArrow(fmt.Sprintf(`INSERT INTO crimes_enriched
			SELECT p.source_id, p.line, p.crime_id, p.month, p.force, p.crime_type, p.location, p.last_outcome,
				g.located, g.longitude, g.latitude, g.easting, g.northing, g.grid_ref, %d, g.cell_x, g.cell_y,
				g.lsoa_code, g.lsoa_name, g.lad_name, g.unit,
				coalesce(k.violence, false), coalesce(k.acquisitive, false), coalesce(k.asb, false),
				coalesce(k.nte, false), coalesce(k.weapons, false), coalesce(k.harm, 0)
			FROM placed g
			JOIN police_street p ON p.source_id = g.source_id AND p.line = g.line
			LEFT JOIN categories k ON k.crime_type = p.crime_type
			WHERE p.month BETWEEN '%s' AND '%s'`, b.cellSize, b.from.Format("2006-01-02"), b.to.Format("2006-01-02")),
			store.ArrowView{Name: "placed", Schema: placedSchema, Records: []arrow.Record{placed}},
			store.ArrowView{Name: "categories", Schema: categoriesSchema, Records: []arrow.Record{b.categories}})
		if err != nil {
			return fmt.Errorf("insert into crimes_enriched: %w", err)
		}
	}
	_, err := tx.AppendBuilder("crime_areas", b.areas)
	return err
}

func (b *enrichedBatch) release() {
	b.placed.Release()
	b.areas.Release()
}

// enrichMonth replaces one month of crimes_enriched and crime_areas: it
// deletes the month's rows and adds the new ones to the batch.
func enrichMonth(tx *store.Tx, e *enrich.Enricher, layers map[string]*area.Layer, month time.Time, fingerprint string, batch *enrichedBatch) (MonthResult, error) {
	r := MonthResult{Month: month.Format("2006-01"), Status: "computed"}
	for _, table := range []string{"crimes_enriched", "crime_areas"} {
		if _, err := tx.Exec(`DELETE FROM `+table+` WHERE month = ?`, month); err != nil {
			return r, err
		}
	}
	placed, areas := batch.placed, batch.areas
	if batch.from.IsZero() || month.Before(batch.from) {
		batch.from = month
	}
	if month.After(batch.to) {
		batch.to = month
	}
	err := tx.QueryArrow(`SELECT source_id, line, crime_type, longitude, latitude, easting, northing, lsoa_code, lsoa_name
		FROM police_street WHERE month = ?`, []any{month}, func(rec arrow.Record) error {
		in := columns(rec)
		for i := 0; i < int(rec.NumRows()); i++ {
			c := enrich.Crime{
				Longitude: in.f64(3, i), Latitude: in.f64(4, i),
				Easting: in.f64(5, i), Northing: in.f64(6, i),
				LSOACode: in.str(7, i), LSOAName: in.str(8, i),
				CrimeType: in.str(2, i),
			}
			x := e.Enrich(c)
			r.Rows++
			if !x.KnownType {
				r.Unplaced++
			}
			b := placed.Fields()
			b[0].(*array.Int64Builder).Append(in.i64(0, i))
			b[1].(*array.Int64Builder).Append(in.i64(1, i))
			b[2].(*array.BooleanBuilder).Append(x.Located)
			if x.Located {
				r.Located++
				b[3].(*array.Float64Builder).Append(x.Longitude)
				b[4].(*array.Float64Builder).Append(x.Latitude)
				b[5].(*array.Float64Builder).Append(x.Easting)
				b[6].(*array.Float64Builder).Append(x.Northing)
				appendString(b[7], x.GridRef)
				b[8].(*array.Int64Builder).Append(x.Cell.X)
				b[9].(*array.Int64Builder).Append(x.Cell.Y)
			} else {
				for k := 3; k <= 9; k++ {
					b[k].AppendNull()
				}
			}
			appendString(b[10], x.LSOACode)
			appendString(b[11], x.LSOAName)
			appendString(b[12], x.LADName)
			appendString(b[13], x.Unit)
			if x.Located {
				for name, l := range layers {
					a := areas.Fields()
					a[0].(*array.Int64Builder).Append(in.i64(0, i))
					a[1].(*array.Int64Builder).Append(in.i64(1, i))
					a[2].(*array.Date32Builder).Append(arrow.Date32FromTime(month))
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
		}
		return nil
	})
	if err != nil {
		return r, err
	}
	_, err = tx.Exec(`INSERT OR REPLACE INTO transform_state VALUES (?, ?, ?, now()::TIMESTAMP)`, month, fingerprint, r.Rows)
	return r, err
}

// cols gives typed access to a query result's columns.
type cols []arrow.Array

func columns(rec arrow.Record) cols { return cols(rec.Columns()) }

func (c cols) f64(j, i int) float64 {
	a := c[j].(*array.Float64)
	if a.IsNull(i) {
		return math.NaN()
	}
	return a.Value(i)
}

func (c cols) i64(j, i int) int64 { return c[j].(*array.Int64).Value(i) }

func (c cols) str(j, i int) string {
	a := c[j].(*array.String)
	if a.IsNull(i) {
		return ""
	}
	return a.Value(i)
}

func appendString(b array.Builder, s string) {
	if s == "" {
		b.AppendNull()
		return
	}
	b.(*array.StringBuilder).Append(s)
}

var memAlloc = memory.DefaultAllocator
