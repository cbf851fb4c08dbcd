package ingest

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/safercity/safercity/store"
)

// sourceRow is a file's lineage record (table sources).
type sourceRow struct {
	id                  int64
	path                string
	size                int64
	sha256              string
	kind, force, feed   string // force for police.uk files, feed for partner files
	month               time.Time
	loaded, quarantined int64
	started             time.Time
	status              string // loaded | refused
	err                 string
	police              *policeFacts // nil for partner files
}

// policeFacts are what a police.uk file's lineage adds.
type policeFacts struct {
	crc32 uint32 // of the file's bytes
	lsoa  bool   // a street or outcomes file with LSOA columns
}

var sourcesSchema = arrow.NewSchema([]arrow.Field{
	{Name: "source_id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "path", Type: arrow.BinaryTypes.String},
	{Name: "size", Type: arrow.PrimitiveTypes.Int64},
	{Name: "sha256", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "kind", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "force", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "feed", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "month", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "rows_loaded", Type: arrow.PrimitiveTypes.Int64},
	{Name: "rows_quarantined", Type: arrow.PrimitiveTypes.Int64},
	{Name: "started", Type: &arrow.TimestampType{Unit: arrow.Microsecond}},
	{Name: "finished", Type: &arrow.TimestampType{Unit: arrow.Microsecond}},
	{Name: "status", Type: arrow.BinaryTypes.String},
	{Name: "error", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "crc32", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "lsoa_columns", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
}, nil)

var quarantineSchema = arrow.NewSchema([]arrow.Field{
	{Name: "source_id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "path", Type: arrow.BinaryTypes.String},
	{Name: "line", Type: arrow.PrimitiveTypes.Int64},
	{Name: "raw", Type: arrow.BinaryTypes.String},
	{Name: "reason", Type: arrow.BinaryTypes.String},
}, nil)

// lineage stages the sources and quarantine rows of one transaction, so
// that they are inserted in bulk with the data they describe.
type lineage struct {
	src, quar *array.RecordBuilder
}

func newLineage() *lineage {
	return &lineage{
		src:  array.NewRecordBuilder(memory.DefaultAllocator, sourcesSchema),
		quar: array.NewRecordBuilder(memory.DefaultAllocator, quarantineSchema),
	}
}

// source stages a file's lineage record.
func (l *lineage) source(r sourceRow) {
	b := l.src
	b.Field(0).(*array.Int64Builder).Append(r.id)
	b.Field(1).(*array.StringBuilder).Append(r.path)
	b.Field(2).(*array.Int64Builder).Append(r.size)
	appendString(b.Field(3), r.sha256) // none for a zip entry: its CRC-32 and size name it
	appendString(b.Field(4), r.kind)
	appendString(b.Field(5), r.force)
	appendString(b.Field(6), r.feed)
	if r.month.IsZero() {
		b.Field(7).AppendNull()
	} else {
		b.Field(7).(*array.Date32Builder).Append(arrow.Date32FromTime(r.month))
	}
	b.Field(8).(*array.Int64Builder).Append(r.loaded)
	b.Field(9).(*array.Int64Builder).Append(r.quarantined)
	b.Field(10).(*array.TimestampBuilder).AppendTime(r.started)
	b.Field(11).(*array.TimestampBuilder).AppendTime(time.Now().UTC())
	b.Field(12).(*array.StringBuilder).Append(r.status)
	appendString(b.Field(13), r.err)
	if r.police == nil {
		b.Field(14).AppendNull()
		b.Field(15).AppendNull()
		return
	}
	b.Field(14).(*array.Int64Builder).Append(int64(r.police.crc32))
	if r.kind == "stop-and-search" || r.status != "loaded" {
		b.Field(15).AppendNull()
	} else {
		b.Field(15).(*array.BooleanBuilder).Append(r.police.lsoa)
	}
}

// quarantine stages a row set aside from the file with lineage id.
func (l *lineage) quarantine(id int64, path string, line int64, raw, reason string) {
	b := l.quar
	b.Field(0).(*array.Int64Builder).Append(id)
	b.Field(1).(*array.StringBuilder).Append(path)
	b.Field(2).(*array.Int64Builder).Append(line)
	b.Field(3).(*array.StringBuilder).Append(raw)
	b.Field(4).(*array.StringBuilder).Append(reason)
}

// flush inserts what is staged.
func (l *lineage) flush(tx *store.Tx) error {
	if _, err := tx.AppendBuilder("sources", l.src); err != nil {
		return err
	}
	_, err := tx.AppendBuilder("quarantine", l.quar)
	return err
}

func (l *lineage) release() {
	l.src.Release()
	l.quar.Release()
}

func appendString(b array.Builder, s string) {
	if s == "" {
		b.AppendNull()
		return
	}
	b.(*array.StringBuilder).Append(s)
}
