package transform

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/safercity/safercity/ingest"
	"github.com/safercity/safercity/store"
)

// BenchmarkTransformScaled enriches the scaled street files (make bench
// builds them: 5,006,050 rows) end to end: read from DuckDB as Arrow,
// project, cell, grid reference, district, unit, groups and harm, and write
// crimes_enriched, set up as the transform command is (Alone). The pure
// enrichment rate is BenchmarkEnrich in transform/enrich.
func BenchmarkTransformScaled(b *testing.B) {
	dir := os.Getenv("SAFERCITY_BENCH_DATA")
	if dir == "" {
		b.Skip("set SAFERCITY_BENCH_DATA to a folder of scaled street files (make bench does)")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "t.duckdb"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if _, err := ingest.Police(ctx, st, []string{dir}, ingest.Options{}); err != nil {
		b.Fatal(err)
	}
	if err := Alone(ctx, st); err != nil { // as the transform command runs
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cfg := defaults()
		cfg.CellSize = []float64{100, 50}[i%2] // a new setting recomputes every month
		start := time.Now()
		res, err := Run(ctx, st, cfg, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		var rows int64
		for _, r := range res {
			rows += r.Rows
		}
		b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
	}
}
