package queries

import (
	"fmt"
	"io"
	"math/big"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Record converts the result to one Arrow record, typing each column from
// DuckDB's type: integers, floats (DECIMAL too), booleans, dates, timestamps
// (UTC) and text; anything else as text.
func (r *Result) Record(mem memory.Allocator) (arrow.RecordBatch, error) {
	fields := make([]arrow.Field, len(r.Columns))
	for j, name := range r.Columns {
		fields[j] = arrow.Field{Name: name, Type: arrowType(r.Types[j]), Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for _, row := range r.Rows {
		for j, v := range row {
			if err := appendValue(b.Field(j), v); err != nil {
				return nil, fmt.Errorf("column %s: %w", r.Columns[j], err)
			}
		}
	}
	return b.NewRecordBatch(), nil
}

func arrowType(duck string) arrow.DataType {
	switch duck {
	case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "HUGEINT":
		return arrow.PrimitiveTypes.Int64
	case "FLOAT", "DOUBLE", "DECIMAL":
		return arrow.PrimitiveTypes.Float64
	case "BOOLEAN":
		return arrow.FixedWidthTypes.Boolean
	case "DATE":
		return arrow.FixedWidthTypes.Date32
	case "TIMESTAMP", "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE":
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	}
	if len(duck) > 7 && duck[:7] == "DECIMAL" {
		return arrow.PrimitiveTypes.Float64
	}
	return arrow.BinaryTypes.String
}

func appendValue(b array.Builder, v any) error {
	if v == nil {
		b.AppendNull()
		return nil
	}
	switch b := b.(type) {
	case *array.Int64Builder:
		switch x := v.(type) {
		case int64:
			b.Append(x)
		case int32:
			b.Append(int64(x))
		case int16:
			b.Append(int64(x))
		case int8:
			b.Append(int64(x))
		case uint64:
			b.Append(int64(x))
		case uint32:
			b.Append(int64(x))
		case *big.Int:
			b.Append(x.Int64())
		default:
			return fmt.Errorf("unexpected %T for an integer", v)
		}
	case *array.Float64Builder:
		switch x := v.(type) {
		case float64:
			b.Append(x)
		case float32:
			b.Append(float64(x))
		case interface{ Float64() float64 }: // duckdb.Decimal
			b.Append(x.Float64())
		default:
			return fmt.Errorf("unexpected %T for a float", v)
		}
	case *array.BooleanBuilder:
		x, ok := v.(bool)
		if !ok {
			return fmt.Errorf("unexpected %T for a boolean", v)
		}
		b.Append(x)
	case *array.Date32Builder:
		switch x := v.(type) {
		case time.Time:
			b.Append(arrow.Date32FromTime(x))
		case Month:
			b.Append(arrow.Date32FromTime(time.Time(x)))
		default:
			return fmt.Errorf("unexpected %T for a date", v)
		}
	case *array.TimestampBuilder:
		x, ok := v.(time.Time)
		if !ok {
			return fmt.Errorf("unexpected %T for a timestamp", v)
		}
		b.AppendTime(x.UTC())
	case *array.StringBuilder:
		b.Append(Text(v))
	}
	return nil
}

// WriteArrow writes the result as an Arrow IPC file (Feather v2), which
// pandas, polars and R arrow open.
func (r *Result) WriteArrow(w io.Writer) error {
	rec, err := r.Record(memory.DefaultAllocator)
	if err != nil {
		return err
	}
	defer rec.Release()
	fw, err := ipc.NewFileWriter(w, ipc.WithSchema(rec.Schema()))
	if err != nil {
		return err
	}
	if err := fw.Write(rec); err != nil {
		return err
	}
	return fw.Close()
}
