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
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/marcboeker/go-duckdb/v2"
)

// ArrowPath says how record batches reach DuckDB in this build.
const ArrowPath = "the driver's Arrow interface (duckdb_arrow build tag)"

// viewSeq numbers the catalogue views that registerView creates.
var viewSeq atomic.Int64

// registerView makes the records a view named name on the connection,
// until drop is called. The driver's Arrow scan creates a view in the
// database's catalogue, not the connection's, so two connections
// inserting at once with the same name would collide: the scan gets a
// name of its own, and name is a temporary view of it, which only this
// connection sees.
func registerView(ctx context.Context, dc driver.Conn, name string, schema *arrow.Schema, recs []arrow.RecordBatch) (drop func(), err error) {
	ar, err := duckdb.NewArrowFromConn(dc)
	if err != nil {
		return nil, err
	}
	rdr, err := array.NewRecordReader(schema, recs)
	if err != nil {
		return nil, err
	}
	scan := fmt.Sprintf("safercity_arrow_%d", viewSeq.Add(1))
	release, err := ar.RegisterView(rdr, scan)
	if err != nil {
		rdr.Release()
		return nil, err
	}
	ex := dc.(driver.ExecerContext)
	drop = func() {
		// The views outlive release() in the catalogue, pointing at
		// freed memory: drop them while the batches are alive.
		// A failed drop leaves nothing to do but release: the views go
		// with the connection.
		_, _ = ex.ExecContext(ctx, "DROP VIEW IF EXISTS "+quoteIdent(name), nil)
		_, _ = ex.ExecContext(ctx, "DROP VIEW IF EXISTS "+quoteIdent(scan), nil)
		release()
		rdr.Release()
	}
	if _, err := ex.ExecContext(ctx, "CREATE OR REPLACE TEMP VIEW "+quoteIdent(name)+" AS SELECT * FROM "+quoteIdent(scan), nil); err != nil {
		drop()
		return nil, err
	}
	return drop, nil
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
