package ingest

import (
	"archive/zip"
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
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
		resetPeakRSS()
		start := time.Now()
		sum, err := Police(ctx, st, []string{a}, Options{})
		if err != nil || sum.Totals.Refused > 0 {
			b.Fatalf("%v %+v", err, sum.Totals)
		}
		first := time.Since(start)
		peak := peakRSS()
		rows := sum.Totals.Loaded + sum.Totals.Quarantined

		start = time.Now()
		again, err := Police(ctx, st, []string{next}, Options{})
		if err != nil || again.Totals.Refused > 0 {
			b.Fatalf("%v %+v", err, again.Totals)
		}
		second := time.Since(start)
		checkNextArchive(b, st, a, next, again)
		st.Close()

		readCSV, n, readPeak := readExtracted(b, filepath.Join(dir, "x"))
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

// readExtracted stores the extracted archive with DuckDB's read_csv, one
// statement per kind with explicit column types, and returns the time,
// rows and peak RSS.
func readExtracted(b *testing.B, dir string) (time.Duration, int64, int64) {
	raw, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "raw.duckdb"))
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	resetPeakRSS()
	start := time.Now()
	var total int64
	for _, k := range []struct{ kind, columns string }{
		{"street", `{'Crime ID': 'VARCHAR', 'Month': 'VARCHAR', 'Reported by': 'VARCHAR', 'Falls within': 'VARCHAR',
			'Longitude': 'DOUBLE', 'Latitude': 'DOUBLE', 'Location': 'VARCHAR', 'LSOA code': 'VARCHAR',
			'LSOA name': 'VARCHAR', 'Crime type': 'VARCHAR', 'Last outcome category': 'VARCHAR', 'Context': 'VARCHAR'}`},
		{"outcomes", `{'Crime ID': 'VARCHAR', 'Month': 'VARCHAR', 'Reported by': 'VARCHAR', 'Falls within': 'VARCHAR',
			'Longitude': 'DOUBLE', 'Latitude': 'DOUBLE', 'Location': 'VARCHAR', 'LSOA code': 'VARCHAR',
			'LSOA name': 'VARCHAR', 'Outcome type': 'VARCHAR'}`},
		{"stop-and-search", `{'Type': 'VARCHAR', 'Date': 'TIMESTAMPTZ', 'Part of a policing operation': 'BOOLEAN',
			'Policing operation': 'VARCHAR', 'Latitude': 'DOUBLE', 'Longitude': 'DOUBLE', 'Gender': 'VARCHAR',
			'Age range': 'VARCHAR', 'Self-defined ethnicity': 'VARCHAR', 'Officer-defined ethnicity': 'VARCHAR',
			'Legislation': 'VARCHAR', 'Object of search': 'VARCHAR', 'Outcome': 'VARCHAR',
			'Outcome linked to object of search': 'BOOLEAN', 'Removal of more than just outer clothing': 'BOOLEAN'}`},
	} {
		files, _ := filepath.Glob(filepath.Join(dir, "*", "*-"+k.kind+".csv"))
		if len(files) == 0 {
			continue
		}
		var n int64
		_, err := raw.DB.Exec(fmt.Sprintf(`CREATE TABLE "%s" AS SELECT * FROM read_csv(?, header = true,
			auto_detect = false, columns = %s)`, k.kind, k.columns), files)
		if err == nil {
			err = raw.DB.QueryRow(fmt.Sprintf(`SELECT count(*) FROM "%s"`, k.kind)).Scan(&n)
		}
		if err != nil {
			b.Fatal(err)
		}
		total += n
	}
	return time.Since(start), total, peakRSS()
}

// resetPeakRSS restarts the process's high-water mark (Linux), so that each
// contender's peak is its own.
func resetPeakRSS() {
	debug.FreeOSMemory()
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}
