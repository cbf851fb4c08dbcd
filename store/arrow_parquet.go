//go:build !duckdb_arrow

package store

// Without the duckdb_arrow build tag the driver has no Arrow interface
// (go-duckdb keeps it behind that tag so that its other users need not
// link Arrow). A plain `go build` or `go install` must still give a working
// program, so here record batches cross through temporary Parquet files,
// written and read by arrow-go's own Parquet package: columnar and typed
// both ways, as with the tag, only with a round trip through the disk. The
// Makefile builds with the tag.

import (
	"context"
	"database/sql/driver"
	"fmt"
	"os"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// ArrowPath says how record batches reach DuckDB in this build.
const ArrowPath = "temporary Parquet files (built without the duckdb_arrow tag: `make build` is faster)"

// tempParquet returns a new temporary file name for a Parquet hand-over.
func tempParquet() (string, error) {
	f, err := os.CreateTemp("", "safercity-*.parquet")
	if err != nil {
		return "", fmt.Errorf("temporary file for DuckDB: %w", err)
	}
	f.Close()
	return f.Name(), nil
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// registerView writes the records to a temporary Parquet file and makes
// it a view named name on the connection, until drop is called.
func registerView(ctx context.Context, dc driver.Conn, name string, schema *arrow.Schema, recs []arrow.RecordBatch) (drop func(), err error) {
	path, err := tempParquet()
	if err != nil {
		return nil, err
	}
	// The temporary files are removed on a best-effort basis: one left
	// behind in the temp folder harms nothing, and the error that matters
	// is the one returned.
	if err := writeRecords(path, schema, recs, compress.Codecs.Uncompressed); err != nil {
		_ = os.Remove(path)
		return nil, err
	}
	ex := dc.(driver.ExecerContext)
	if _, err := ex.ExecContext(ctx, "CREATE OR REPLACE TEMP VIEW "+quoteIdent(name)+" AS SELECT * FROM read_parquet("+sqlString(path)+")", nil); err != nil {
		_ = os.Remove(path)
		return nil, err
	}
	return func() {
		// A temp view ends with the connection; dropping it early is tidiness.
		_, _ = ex.ExecContext(ctx, "DROP VIEW IF EXISTS "+quoteIdent(name), nil)
		_ = os.Remove(path)
	}, nil
}

// queryArrow stores the query's result in a temporary table (binding the
// arguments), copies it to a temporary Parquet file and reads that back
// batch by batch.
func queryArrow(ctx context.Context, dc driver.Conn, query string, args []any, fn func(arrow.RecordBatch) error) error {
	path, err := tempParquet()
	if err != nil {
		return err
	}
	defer os.Remove(path) // best effort, as in registerView
	ex := dc.(driver.ExecerContext)
	named := make([]driver.NamedValue, len(args))
	for i, a := range args {
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	const tmp = "safercity_query_result"
	if _, err := ex.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE "+tmp+" AS "+query, named); err != nil {
		return err
	}
	// Best effort: a temp table ends with the connection, and the next
	// query replaces it anyway.
	defer ex.ExecContext(ctx, "DROP TABLE IF EXISTS "+tmp, nil)
	if _, err := ex.ExecContext(ctx, "COPY "+tmp+" TO "+sqlString(path)+" (FORMAT parquet, COMPRESSION uncompressed)", nil); err != nil {
		return err
	}
	return readRecords(ctx, path, fn)
}

// writeParquet writes with arrow-go's Parquet writer.
func writeParquet(ctx context.Context, rec arrow.RecordBatch, path string) error {
	return writeRecords(path, rec.Schema(), []arrow.RecordBatch{rec}, compress.Codecs.Snappy)
}

func writeRecords(path string, schema *arrow.Schema, recs []arrow.RecordBatch, codec compress.Compression) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	props := parquet.NewWriterProperties(parquet.WithCompression(codec))
	w, err := pqarrow.NewFileWriter(schema, f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		f.Close()
		return err
	}
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			w.Close()
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	return w.Close()
}

// readBatchRows is how many rows readRecords hands over at a time:
// DuckDB's row group.
const readBatchRows = 122880

func readRecords(ctx context.Context, path string, fn func(arrow.RecordBatch) error) error {
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		return err
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: readBatchRows}, memory.DefaultAllocator)
	if err != nil {
		return err
	}
	rr, err := fr.GetRecordReader(ctx, nil, nil)
	if err != nil {
		return err
	}
	defer rr.Release()
	for rr.Next() {
		if err := fn(rr.RecordBatch()); err != nil {
			return err
		}
	}
	return rr.Err()
}
