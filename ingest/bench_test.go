package ingest

import (
	"bufio"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/safercity/safercity/store"
)

// BenchmarkIngestVersusReadCSV loads the scaled street files (make bench
// builds them: 5,006,050 rows in 7,420 files) with the full ingest — typing,
// validation, quarantine, lineage, partition replace — and then, in the same
// run, with DuckDB's own read_csv into a table with explicit column types and
// no sniffing. It reports both rates, their ratio and the process's peak
// resident memory after the ingest (before read_csv runs).
func BenchmarkIngestVersusReadCSV(b *testing.B) {
	dir := os.Getenv("SAFERCITY_BENCH_DATA")
	if dir == "" {
		b.Skip("set SAFERCITY_BENCH_DATA to a folder of scaled street files (make bench does)")
	}
	ctx := context.Background()
	// Both contenders read the files from the page cache: read them once
	// first, so that neither pays for the disk.
	if err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			_, err = os.ReadFile(p)
		}
		return err
	}); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		st, err := store.Open(ctx, filepath.Join(b.TempDir(), "ingest.duckdb"))
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		sum, err := Police(ctx, st, []string{dir}, Options{})
		if err != nil {
			b.Fatal(err)
		}
		ingest := time.Since(start)
		peak := peakRSS()
		st.Close()
		rows := sum.Totals.Loaded + sum.Totals.Quarantined

		raw, err := store.Open(ctx, filepath.Join(b.TempDir(), "raw.duckdb"))
		if err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		var n int64
		err = raw.DB.QueryRow(`CREATE TABLE raw AS SELECT * FROM read_csv(?, header = true, auto_detect = false,
			columns = {'Crime ID': 'VARCHAR', 'Month': 'VARCHAR', 'Reported by': 'VARCHAR', 'Falls within': 'VARCHAR',
			'Longitude': 'DOUBLE', 'Latitude': 'DOUBLE', 'Location': 'VARCHAR', 'LSOA code': 'VARCHAR',
			'LSOA name': 'VARCHAR', 'Crime type': 'VARCHAR', 'Last outcome category': 'VARCHAR', 'Context': 'VARCHAR'})`,
			filepath.Join(dir, "*", "*.csv")).Scan(&n)
		if err != nil {
			b.Fatal(err)
		}
		readCSV := time.Since(start)
		raw.Close()
		if n != rows {
			b.Fatalf("read_csv stored %d rows, ingest accounted for %d", n, rows)
		}
		ingestRate := float64(rows) / ingest.Seconds()
		readRate := float64(n) / readCSV.Seconds()
		b.ReportMetric(float64(rows), "rows")
		b.ReportMetric(ingestRate, "ingest-rows/s")
		b.ReportMetric(readRate, "read_csv-rows/s")
		b.ReportMetric(ingestRate/readRate, "ratio")
		b.ReportMetric(float64(peak)/(1<<20), "ingest-peak-MiB")
	}
}

// peakRSS is the process's high-water resident set size in bytes (Linux).
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
