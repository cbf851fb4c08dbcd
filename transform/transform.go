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
	layers, layerIDs, err := loadLayers(ctx, st)
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
	// Months are committed in groups: each DuckDB commit that follows deletes
	// costs a checkpoint, so one per month would dominate a full recompute.
	for len(changed) > 0 {
		start := time.Now()
		var group []MonthResult
		err := st.Tx(ctx, func(tx *store.Tx) error {
			group = group[:0]
			rows := int64(0)
			b := newEnrichedBatch()
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

// loadLayers indexes every stored boundary layer.
func loadLayers(ctx context.Context, st *store.Store) (map[string]*area.Layer, string, error) {
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

var enrichedSchema = arrow.NewSchema([]arrow.Field{
	{Name: "source_id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "line", Type: arrow.PrimitiveTypes.Int64},
	{Name: "crime_id", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "month", Type: arrow.FixedWidthTypes.Date32},
	{Name: "force", Type: arrow.BinaryTypes.String},
	{Name: "crime_type", Type: arrow.BinaryTypes.String},
	{Name: "location", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "last_outcome", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "located", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "longitude", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "latitude", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "easting", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "northing", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "grid_ref", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "cell_size", Type: arrow.PrimitiveTypes.Int32},
	{Name: "cell_x", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "cell_y", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "lsoa_code", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "lsoa_name", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "lad_name", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "unit", Type: arrow.BinaryTypes.String, Nullable: true},
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

// enrichedBatch holds the enriched rows of a transaction's months, inserted
// together: one insert per month would leave DuckDB small row groups to
// merge.
type enrichedBatch struct{ out, areas *array.RecordBuilder }

func newEnrichedBatch() *enrichedBatch {
	return &enrichedBatch{out: array.NewRecordBuilder(memAlloc, enrichedSchema), areas: array.NewRecordBuilder(memAlloc, crimeAreasSchema)}
}

func (b *enrichedBatch) flush(tx *store.Tx) error {
	if _, err := tx.AppendBuilder("crimes_enriched", b.out); err != nil {
		return err
	}
	_, err := tx.AppendBuilder("crime_areas", b.areas)
	return err
}

func (b *enrichedBatch) release() {
	b.out.Release()
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
	out, areas := batch.out, batch.areas
	cellSize := int32(e.Grid.Size)
	err := tx.QueryArrow(`SELECT source_id, line, crime_id, month, force, crime_type, location, last_outcome,
			longitude, latitude, easting, northing, lsoa_code, lsoa_name
		FROM police_street WHERE month = ?`, []any{month}, func(rec arrow.Record) error {
		in := columns(rec)
		for i := 0; i < int(rec.NumRows()); i++ {
			c := enrich.Crime{
				Longitude: in.f64(8, i), Latitude: in.f64(9, i),
				Easting: in.f64(10, i), Northing: in.f64(11, i),
				LSOACode: in.str(12, i), LSOAName: in.str(13, i),
				CrimeType: in.str(5, i),
			}
			x := e.Enrich(c)
			r.Rows++
			if !x.KnownType {
				r.Unplaced++
			}
			b := out.Fields()
			b[0].(*array.Int64Builder).Append(in.i64(0, i))
			b[1].(*array.Int64Builder).Append(in.i64(1, i))
			copyString(b[2], rec.Column(2), i)
			b[3].(*array.Date32Builder).Append(arrow.Date32FromTime(month))
			copyString(b[4], rec.Column(4), i)
			copyString(b[5], rec.Column(5), i)
			copyString(b[6], rec.Column(6), i)
			copyString(b[7], rec.Column(7), i)
			b[8].(*array.BooleanBuilder).Append(x.Located)
			b[14].(*array.Int32Builder).Append(cellSize)
			if x.Located {
				r.Located++
				b[9].(*array.Float64Builder).Append(x.Longitude)
				b[10].(*array.Float64Builder).Append(x.Latitude)
				b[11].(*array.Float64Builder).Append(x.Easting)
				b[12].(*array.Float64Builder).Append(x.Northing)
				appendString(b[13], x.GridRef)
				b[15].(*array.Int64Builder).Append(x.Cell.X)
				b[16].(*array.Int64Builder).Append(x.Cell.Y)
			} else {
				for _, k := range []int{9, 10, 11, 12, 13, 15, 16} {
					b[k].AppendNull()
				}
			}
			appendString(b[17], x.LSOACode)
			appendString(b[18], x.LSOAName)
			appendString(b[19], x.LADName)
			appendString(b[20], x.Unit)
			b[21].(*array.BooleanBuilder).Append(x.Category.Violence)
			b[22].(*array.BooleanBuilder).Append(x.Category.Acquisitive)
			b[23].(*array.BooleanBuilder).Append(x.Category.ASB)
			b[24].(*array.BooleanBuilder).Append(x.Category.NTE)
			b[25].(*array.BooleanBuilder).Append(x.Category.Weapons)
			b[26].(*array.Float64Builder).Append(x.Category.Harm)
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

func copyString(b array.Builder, a arrow.Array, i int) {
	s := a.(*array.String)
	if s.IsNull(i) {
		b.AppendNull()
		return
	}
	b.(*array.StringBuilder).Append(s.Value(i))
}

func appendString(b array.Builder, s string) {
	if s == "" {
		b.AppendNull()
		return
	}
	b.(*array.StringBuilder).Append(s)
}

var memAlloc = memory.DefaultAllocator
