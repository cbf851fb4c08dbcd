package ingest

import (
	"archive/zip"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
	"time"

	"github.com/safercity/safercity/internal/benchref"
	"github.com/safercity/safercity/store"
)

// BenchmarkIngestVersusReadCSV loads the scaled street files (make bench
// builds them: 5,006,050 rows in 7,420 files) with the full ingest — typing,
// validation, quarantine, lineage, partition replace — and then, in the same
// run, with DuckDB's own read_csv into a table with explicit column types and
// no sniffing. It reports both rates, their ratio and the process's peak
// resident memory during the ingest (set up as `ingest police` sets it up).
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
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(GoMemoryLimit)) // as `ingest police` does
	for i := 0; i < b.N; i++ {
		st, err := store.Open(ctx, filepath.Join(b.TempDir(), "ingest.duckdb"))
		if err != nil {
			b.Fatal(err)
		}
		if err := ForLoading(ctx, st); err != nil { // as `ingest police` does
			b.Fatal(err)
		}
		benchref.ResetPeakRSS()
		start := time.Now()
		sum, err := Police(ctx, st, []string{dir}, Options{})
		if err != nil {
			b.Fatal(err)
		}
		ingest := time.Since(start)
		peak := benchref.PeakRSS()
		st.Close()
		rows := sum.Totals.Loaded + sum.Totals.Quarantined

		ref := benchref.Read(b, map[benchref.Kind]string{benchref.Street: filepath.Join(dir, "*", "*.csv")})
		readCSV, n := ref.Took, ref.Rows
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

// BenchmarkArchive loads a data.police.uk-style archive zip straight from
// the zip (make bench builds A.zip, 12 months, and B.zip, next month's
// with one new month and two republished, with ../shared/tools/make-archive
// under $SAFERCITY_BENCH_ARCHIVE, and extracts A.zip into x/). It reports
// the ingest's rate and peak RSS beside DuckDB's read_csv of the extracted
// files, then the time of B.zip as a share of A.zip's, checking that exactly
// the entries whose bytes changed were replaced and that the month that
// fell out of the window is still stored.
func BenchmarkArchive(b *testing.B) {
	dir := os.Getenv("SAFERCITY_BENCH_ARCHIVE")
	if dir == "" {
		b.Skip("set SAFERCITY_BENCH_ARCHIVE to a folder with A.zip, B.zip and x/ (A.zip extracted); make bench does")
	}
	ctx := context.Background()
	a, next := filepath.Join(dir, "A.zip"), filepath.Join(dir, "B.zip")
	for _, p := range []string{a, next} {
		if _, err := os.ReadFile(p); err != nil { // into the page cache, for both contenders
			b.Fatal(err)
		}
	}
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(GoMemoryLimit)) // as `ingest police` does
	for i := 0; i < b.N; i++ {
		st, err := store.Open(ctx, filepath.Join(b.TempDir(), "archive.duckdb"))
		if err != nil {
			b.Fatal(err)
		}
		if err := ForLoading(ctx, st); err != nil { // as `ingest police` does
			b.Fatal(err)
		}
		benchref.ResetPeakRSS()
		start := time.Now()
		sum, err := Police(ctx, st, []string{a}, Options{})
		if err != nil || sum.Totals.Refused > 0 {
			b.Fatalf("%v %+v", err, sum.Totals)
		}
		first := time.Since(start)
		peak := benchref.PeakRSS()
		rows := sum.Totals.Loaded + sum.Totals.Quarantined

		start = time.Now()
		again, err := Police(ctx, st, []string{next}, Options{})
		if err != nil || again.Totals.Refused > 0 {
			b.Fatalf("%v %+v", err, again.Totals)
		}
		second := time.Since(start)
		checkNextArchive(b, st, a, next, again)
		st.Close()

		x := filepath.Join(dir, "x")
		ref := benchref.Read(b, map[benchref.Kind]string{
			benchref.Street:        filepath.Join(x, "*", "*-street.csv"),
			benchref.Outcomes:      filepath.Join(x, "*", "*-outcomes.csv"),
			benchref.StopAndSearch: filepath.Join(x, "*", "*-stop-and-search.csv"),
		})
		readCSV, n, readPeak := ref.Took, ref.Rows, ref.PeakRSS
		if n != rows {
			b.Fatalf("read_csv stored %d rows, ingest accounted for %d", n, rows)
		}
		ingestRate, readRate := float64(rows)/first.Seconds(), float64(n)/readCSV.Seconds()
		b.ReportMetric(float64(rows), "rows")
		b.ReportMetric(ingestRate, "ingest-rows/s")
		b.ReportMetric(readRate, "read_csv-rows/s")
		b.ReportMetric(ingestRate/readRate, "ratio")
		b.ReportMetric(float64(peak)/(1<<20), "ingest-peak-MiB")
		b.ReportMetric(float64(readPeak)/(1<<20), "read_csv-peak-MiB")
		b.ReportMetric(second.Seconds()/first.Seconds(), "next-archive-share")
		b.ReportMetric(float64(len(again.Changed())), "next-replaced-files")
	}
}

// checkNextArchive checks that loading next after first replaced exactly
// the entries whose CRC-32 or size changed (or that are new), and kept the
// months that next no longer holds.
func checkNextArchive(b *testing.B, st *store.Store, first, next string, sum *Summary) {
	b.Helper()
	old := zipEntries(b, first)
	want := 0
	for name, e := range zipEntries(b, next) {
		if o, ok := old[name]; !ok || o != e {
			want++
		}
	}
	if got := len(sum.Changed()); got != want {
		b.Fatalf("next archive wrote %d partitions, %d entries changed", got, want)
	}
	var kept int64
	if err := st.DB.QueryRow(`SELECT count(*) FROM police_street WHERE month = (SELECT min(month) FROM police_street)`).Scan(&kept); err != nil || kept == 0 {
		b.Fatalf("the month that fell out of the window: %d rows, %v", kept, err)
	}
}

func zipEntries(b *testing.B, path string) map[string][2]uint64 {
	zr, err := zip.OpenReader(path)
	if err != nil {
		b.Fatal(err)
	}
	defer zr.Close()
	m := map[string][2]uint64{}
	for _, f := range zr.File {
		m[f.Name] = [2]uint64{uint64(f.CRC32), f.UncompressedSize64}
	}
	return m
}
