//go:build duckdb_arrow

package store

// With the duckdb_arrow build tag (the Makefile's), record batches cross
// between Go and DuckDB through the driver's Arrow interface, in memory and
// without copies. Without it, arrow_parquet.go does the same through
// temporary Parquet files.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/marcboeker/go-duckdb/v2"
)

// ArrowPath says how record batches reach DuckDB in this build.
const ArrowPath = "the driver's Arrow interface (duckdb_arrow build tag)"

// registerView makes the records a view named name on the connection,
// until drop is called.
func registerView(ctx context.Context, dc driver.Conn, name string, schema *arrow.Schema, recs []arrow.RecordBatch) (drop func(), err error) {
	ar, err := duckdb.NewArrowFromConn(dc)
	if err != nil {
		return nil, err
	}
	rdr, err := array.NewRecordReader(schema, recs)
	if err != nil {
		return nil, err
	}
	release, err := ar.RegisterView(rdr, name)
	if err != nil {
		rdr.Release()
		return nil, err
	}
	return func() {
		// The view outlives release() in the catalogue, pointing at
		// freed memory: drop it while the batches are alive.
		// A failed drop leaves nothing to do but release: the view goes
		// with the connection.
		_, _ = dc.(driver.ExecerContext).ExecContext(ctx, "DROP VIEW IF EXISTS "+quoteIdent(name), nil)
		release()
		rdr.Release()
	}, nil
}

func queryArrow(ctx context.Context, dc driver.Conn, query string, args []any, fn func(arrow.RecordBatch) error) error {
	ar, err := duckdb.NewArrowFromConn(dc)
	if err != nil {
		return err
	}
	rdr, err := ar.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rdr.Release()
	for rdr.Next() {
		if err := fn(rdr.RecordBatch()); err != nil {
			return err
		}
	}
	return rdr.Err()
}

// writeParquet uses DuckDB's own writer, through a private in-memory
// database.
func writeParquet(ctx context.Context, rec arrow.RecordBatch, path string) error {
	c, err := duckdb.NewConnector("", nil)
	if err != nil {
		return err
	}
	db := sql.OpenDB(c)
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		drop, err := registerView(ctx, dc.(driver.Conn), "result", rec.Schema(), []arrow.RecordBatch{rec})
		if err != nil {
			return err
		}
		defer drop()
		_, err = dc.(driver.ExecerContext).ExecContext(ctx,
			"COPY result TO '"+strings.ReplaceAll(path, "'", "''")+"' (FORMAT parquet, COMPRESSION snappy)", nil)
		return err
	})
}
