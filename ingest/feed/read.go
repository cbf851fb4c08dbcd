package feed

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Rejected is a row set aside instead of loaded.
type Rejected struct {
	Line int64 // line in the file where the row starts (a CSV header is line 1)
	// Raw is the row as published, decoded to UTF-8 (invalid bytes
	// replaced), but with the fields the contract does not declare left
	// empty (CSV) or out (JSON), so that nothing undeclared is ever stored;
	// a CSV row whose fields do not line up with the header is kept whole
	// only when the contract reads every column.
	Raw    string
	Reason string
}

// File is one source file of a feed read into a columnar batch.
type File struct {
	Record   arrow.RecordBatch // the loaded rows, with Schema of the feed's kind
	Rejected []Rejected
	Rows     int64 // rows read: Record.NumRows() + len(Rejected)
	Blank    int64 // CSV rows whose every field is empty, ignored
	// Dropped lists the source columns (JSON keys, GeoJSON properties) the
	// contract does not declare: they were never read.
	Dropped []string
}

// Release frees the batch's memory.
func (f *File) Release() {
	if f.Record != nil {
		f.Record.Release()
		f.Record = nil
	}
}

// Read reads one source file of feed f, stamping every row with sourceID so
// that each stored row links back to its file. A file that cannot be read as
// the contract says — empty, a header without a declared column, JSON that
// does not parse — is refused with an error that says why; rows that cannot
// be typed are returned in Rejected.
func Read(r io.Reader, f *Feed, sourceID int64, mem memory.Allocator) (*File, error) {
	spec := kindSpecs[f.Kind]
	if spec == nil || f.fixed == nil {
		return nil, errors.New("the feed contract was not validated; load it with Load or Parse")
	}
	bd := &builder{f: f, spec: spec, sourceID: sourceID, cells: make([]cell, len(spec.cols)), idx: map[string]int{}}
	for i, c := range spec.cols {
		bd.idx[c.name] = i
	}
	bd.b = array.NewRecordBuilder(mem, spec.schema)
	defer bd.b.Release()
	file := &File{}
	text := utf8Text(r, f.Encoding)
	var err error
	switch f.Format {
	case CSV:
		err = bd.readCSV(text, file)
	case JSON:
		err = bd.readJSON(text, file, false)
	case GeoJSON:
		err = bd.readJSON(text, file, true)
	default:
		err = fmt.Errorf("format %q is not csv, json or geojson", f.Format)
	}
	if err != nil {
		return nil, err
	}
	file.Record = bd.b.NewRecordBatch()
	return file, nil
}

// source is one row of a source file.
type source interface {
	// value returns the text of a source column or key, "" when it is
	// absent or null.
	value(name string) (string, error)
	// geometry returns a GeoJSON Point's coordinates as written, or "" for
	// a feature without a geometry.
	geometry() (x, y string, err error)
}

// builder types a feed's rows into an Arrow record builder.
type builder struct {
	f        *Feed
	spec     *kindSpec
	b        *array.RecordBuilder
	cells    []cell
	idx      map[string]int // column name → index in spec.cols and cells
	sourceID int64
}

// declared returns every source column the contract reads.
func (bd *builder) declared() []string {
	var names []string
	for _, c := range bd.spec.cols {
		names = append(names, bd.f.Columns[c.name]...)
	}
	if c := bd.f.Coordinates; c != nil && c.X != "" {
		names = append(names, c.X, c.Y)
	}
	return names
}

// add types one source row and appends it, or sets it aside with its
// reason and its declared fields (raw, called only then).
func (bd *builder) add(file *File, line int64, raw func() string, src source) {
	if why := bd.row(src); why != "" {
		file.reject(line, raw(), why)
		return
	}
	file.Rows++
	bd.append(line)
}

func (f *File) reject(line int64, raw, why string) {
	f.Rows++
	f.Rejected = append(f.Rejected, Rejected{Line: line, Raw: raw, Reason: why})
}

// row types src into bd.cells, or returns why it cannot. Nothing is
// appended here, so a bad row leaves no partial values behind.
func (bd *builder) row(src source) string {
	f := bd.f
	for i := range bd.spec.cols {
		c := &bd.spec.cols[i]
		bd.cells[i] = cell{null: true}
		if !c.mapped {
			continue
		}
		if v, ok := f.fixed[c.name]; ok {
			bd.cells[i] = v
			continue
		}
		names, ok := f.Columns[c.name]
		if !ok {
			continue
		}
		s, err := joined(src, names)
		if err != nil {
			return err.Error()
		}
		label := strings.Join(names, " + ")
		if s == "" {
			if c.required {
				return fmt.Sprintf("%s is empty, and %s needs it", label, c.name)
			}
			continue
		}
		if c.name == bd.spec.category && f.cats != nil {
			if to, ok := f.cats[strings.ToLower(s)]; ok {
				s = to
			} else if f.Categories.Unmapped != "keep" {
				return fmt.Sprintf("%s %q is not in the contract's categories.map (add it, or set categories.unmapped: keep)", label, s)
			}
		}
		v, why := f.typeValue(c, s)
		if why != "" {
			return fmt.Sprintf("%s %q: %s", label, s, why)
		}
		bd.cells[i] = v
	}
	if why := bd.location(src); why != "" {
		return why
	}
	switch f.Kind {
	case Incidents:
		t := bd.cells[bd.idx["occurred_at"]]
		at := arrow.Timestamp(t.i).ToTime(arrow.Microsecond)
		bd.cells[bd.idx["month"]] = cell{i: int64(arrow.Date32FromTime(londonMonth(at)))}
		bd.cells[bd.idx["occurred_local"]] = cell{i: londonWallClock(at).UnixMicro()}
		bd.cells[bd.idx["source"]] = cell{s: f.Partner}
	case Indicators:
		code := bd.cells[bd.idx["indicator"]].s
		ind, ok := f.Indicators[code]
		if !ok {
			return fmt.Sprintf("indicator %q is not declared in the contract's indicators (declare its pillar and direction)", code)
		}
		bd.cells[bd.idx["pillar"]] = cell{s: ind.Pillar}
		bd.cells[bd.idx["direction"]] = cell{i: int64(ind.Direction)}
		bd.cells[bd.idx["source"]] = cell{s: f.Partner}
	}
	return ""
}

// location fills the row's longitude, latitude, easting and northing.
func (bd *builder) location(src source) string {
	c := bd.f.Coordinates
	if !bd.spec.located || c == nil {
		return ""
	}
	var x, y string
	var err error
	label := "geometry"
	if c.X != "" {
		label = c.X + ", " + c.Y
		if x, err = src.value(c.X); err == nil {
			y, err = src.value(c.Y)
		}
	} else {
		x, y, err = src.geometry()
	}
	if err != nil {
		return err.Error()
	}
	p, ok, why := bd.f.point(x, y)
	if why != "" {
		return fmt.Sprintf("%s %s, %s (%s): %s", label, x, y, c.CRS, why)
	}
	if ok {
		for k, name := range []string{"longitude", "latitude", "easting", "northing"} {
			bd.cells[bd.idx[name]] = cell{f: p[k]}
		}
	}
	return ""
}

// joined returns the values of the named source columns, trimmed and joined
// with a space.
func joined(src source, names []string) (string, error) {
	if len(names) == 1 {
		s, err := src.value(names[0])
		return strings.TrimSpace(s), err
	}
	var parts []string
	for _, n := range names {
		s, err := src.value(n)
		if err != nil {
			return "", err
		}
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " "), nil
}

// append appends the typed row.
func (bd *builder) append(line int64) {
	bd.b.Field(0).(*array.Int64Builder).Append(bd.sourceID)
	bd.b.Field(1).(*array.Int64Builder).Append(line)
	bd.b.Field(2).(*array.StringBuilder).Append(bd.f.Name)
	for i, c := range bd.spec.cols {
		b := bd.b.Field(len(leading) + i)
		v := bd.cells[i]
		if v.null {
			b.AppendNull()
			continue
		}
		switch c.typ {
		case count:
			b.(*array.Int64Builder).Append(v.i)
		case number, coordinate:
			b.(*array.Float64Builder).Append(v.f)
		case closing, year:
			b.(*array.Int32Builder).Append(int32(v.i))
		case instant, localTime:
			b.(*array.TimestampBuilder).Append(arrow.Timestamp(v.i))
		case date:
			b.(*array.Date32Builder).Append(arrow.Date32(v.i))
		case direction:
			b.(*array.Int8Builder).Append(int8(v.i))
		default:
			b.(*array.StringBuilder).Append(v.s)
		}
	}
}
