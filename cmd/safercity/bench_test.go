package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/safercity/safercity/internal/benchref"
	"github.com/safercity/safercity/internal/inflate"
	"github.com/safercity/safercity/queries"
	"github.com/safercity/safercity/store"
	"github.com/safercity/safercity/transform"
)

// BenchmarkArchive36 is the monthly job of a national user on the whole
// archive (make bench-archive builds it: 36 months, 48 forces, ≈17.6M
// street rows): safercity ingest police archive.zip, then safercity
// transform, each its own process; then every named query with its default
// parameters. Beside them, DuckDB's own read_csv of the archive's extracted
// street files into a table. It reports each step's time and peak resident
// memory and the DuckDB file's size.
func BenchmarkArchive36(b *testing.B) {
	dir := os.Getenv("SAFERCITY_BENCH_ARCHIVE")
	if dir == "" {
		b.Skip("set SAFERCITY_BENCH_ARCHIVE to the folder make bench-archive fills")
	}
	bin := filepath.Join(b.TempDir(), "safercity")
	tags := "duckdb_arrow" // as the Makefile builds: with libdeflate where this test has it
	if inflate.Available {
		tags += ",libdeflate"
	}
	if out, err := exec.Command("go", "build", "-tags", tags, "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	for i := 0; i < b.N; i++ {
		db := filepath.Join(b.TempDir(), "archive.duckdb")
		ingest, ingestRSS := benchCommand(b, bin, "ingest", "police", "--db", db, "--quiet", filepath.Join(dir, "archive.zip"))
		transform, transformRSS := benchCommand(b, bin, "transform", "--db", db, "--quiet")
		fi, err := os.Stat(db)
		if err != nil {
			b.Fatal(err)
		}
		rows := countRows(b, db)

		qs, err := queries.Catalogue()
		if err != nil {
			b.Fatal(err)
		}
		var slowest time.Duration
		for _, q := range qs {
			start := time.Now()
			benchCLI(b, "query", "--db", db, q.Name)
			took := time.Since(start)
			b.Logf("query %-20s %6d ms", q.Name, took.Milliseconds())
			slowest = max(slowest, took)
		}

		readCSV := benchref.Read(b, map[benchref.Kind]string{benchref.Street: filepath.Join(dir, "csv", "*", "*-street.csv")}).Took
		total := ingest + transform
		b.Logf("%d street rows: zip to enriched %.1f s (ingest %.1f s = %.0f%%, peak RSS %d MiB; transform %.1f s = %.0f%%, peak RSS %d MiB); DuckDB read_csv of the extracted street files %.1f s; DuckDB file %d MiB; slowest query %d ms",
			rows, total.Seconds(), ingest.Seconds(), 100*ingest.Seconds()/total.Seconds(), ingestRSS>>20, transform.Seconds(),
			100*transform.Seconds()/total.Seconds(), transformRSS>>20, readCSV.Seconds(), fi.Size()>>20, slowest.Milliseconds())
		b.ReportMetric(float64(rows), "street-rows")
		b.ReportMetric(total.Seconds(), "zip-to-enriched-s")
		b.ReportMetric(ingest.Seconds(), "ingest-s")
		b.ReportMetric(transform.Seconds(), "transform-s")
		b.ReportMetric(readCSV.Seconds(), "read_csv-street-s")
		b.ReportMetric(transform.Seconds()/readCSV.Seconds(), "transform/read_csv")
		b.ReportMetric(float64(ingestRSS>>20), "ingest-RSS-MiB")
		b.ReportMetric(float64(transformRSS>>20), "transform-RSS-MiB")
		b.ReportMetric(float64(fi.Size()>>20), "db-MiB")
		b.ReportMetric(float64(slowest.Milliseconds()), "slowest-query-ms")
	}
}

func benchCLI(b *testing.B, args ...string) {
	b.Helper()
	if code := run(context.Background(), args, io.Discard, io.Discard); code != 0 {
		b.Fatalf("safercity %v: exit %d", args, code)
	}
}

func countRows(b *testing.B, db string) int64 {
	st, err := store.OpenReadOnly(context.Background(), db)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	n, err := transform.Enriched(context.Background(), st)
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// benchCommand runs the safercity binary and returns how long it took and
// its peak resident memory.
func benchCommand(b *testing.B, bin string, args ...string) (time.Duration, int64) {
	b.Helper()
	start := time.Now()
	cmd := exec.Command(bin, args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("safercity %v: %v\n%s", args, err, out)
	}
	took := time.Since(start)
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return took, 0
	}
	return took, ru.Maxrss << 10 // kilobytes on Linux
}
