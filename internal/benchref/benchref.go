// Package benchref is the benchmarks' reference figure: DuckDB's own
// read_csv of police.uk files into tables, with each column's type given and
// no sniffing, so that a benchmark prints what the project does beside what
// DuckDB alone does with the same bytes. It also reads and restarts the
// process's peak resident memory, which both sides report.
package benchref

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/safercity/safercity/store"
)

// Kind is a kind of police.uk file, as its name ends: "-street.csv" and so
// on.
type Kind string

// The kinds of police.uk file, in the order Read reads them.
const (
	Street        Kind = "street"
	Outcomes      Kind = "outcomes"
	StopAndSearch Kind = "stop-and-search"
)

// columns are read_csv's columns for each kind: the published header with
// the types the ingest gives them.
var columns = map[Kind]string{
	Street: `{'Crime ID': 'VARCHAR', 'Month': 'VARCHAR', 'Reported by': 'VARCHAR', 'Falls within': 'VARCHAR',
		'Longitude': 'DOUBLE', 'Latitude': 'DOUBLE', 'Location': 'VARCHAR', 'LSOA code': 'VARCHAR',
		'LSOA name': 'VARCHAR', 'Crime type': 'VARCHAR', 'Last outcome category': 'VARCHAR', 'Context': 'VARCHAR'}`,
	Outcomes: `{'Crime ID': 'VARCHAR', 'Month': 'VARCHAR', 'Reported by': 'VARCHAR', 'Falls within': 'VARCHAR',
		'Longitude': 'DOUBLE', 'Latitude': 'DOUBLE', 'Location': 'VARCHAR', 'LSOA code': 'VARCHAR',
		'LSOA name': 'VARCHAR', 'Outcome type': 'VARCHAR'}`,
	StopAndSearch: `{'Type': 'VARCHAR', 'Date': 'TIMESTAMPTZ', 'Part of a policing operation': 'BOOLEAN',
		'Policing operation': 'VARCHAR', 'Latitude': 'DOUBLE', 'Longitude': 'DOUBLE', 'Gender': 'VARCHAR',
		'Age range': 'VARCHAR', 'Self-defined ethnicity': 'VARCHAR', 'Officer-defined ethnicity': 'VARCHAR',
		'Legislation': 'VARCHAR', 'Object of search': 'VARCHAR', 'Outcome': 'VARCHAR',
		'Outcome linked to object of search': 'BOOLEAN', 'Removal of more than just outer clothing': 'BOOLEAN'}`,
}

// Figure is what one reference read measured.
type Figure struct {
	Took    time.Duration // the read_csv statements' wall time
	Rows    int64         // rows stored, all kinds
	PeakRSS int64         // the process's peak resident memory during the read, bytes; 0 where unknown
}

// Read stores, for each kind in globs, the files its glob matches in a table
// of a fresh database under tb's temporary folder, one read_csv statement a
// kind, Street, Outcomes then StopAndSearch. A kind whose glob matches
// nothing is passed over (an archive may hold no stop and search); globs
// that match no file at all fail tb.
func Read(tb testing.TB, globs map[Kind]string) Figure {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(tb.TempDir(), "read_csv.duckdb"))
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	ResetPeakRSS()
	var f Figure
	read := 0
	for _, k := range []Kind{Street, Outcomes, StopAndSearch} {
		files, err := filepath.Glob(globs[k])
		if err != nil {
			tb.Fatalf("benchref: %s files %q: %v", k, globs[k], err)
		}
		if len(files) == 0 {
			continue
		}
		start := time.Now()
		var n int64
		// CREATE TABLE AS answers with the rows it stored.
		err = db.DB.QueryRowContext(ctx, fmt.Sprintf(`CREATE TABLE "%s" AS SELECT * FROM read_csv(?, header = true,
			auto_detect = false, columns = %s)`, k, columns[k]), files).Scan(&n)
		if err != nil {
			tb.Fatalf("benchref: DuckDB's read_csv of %d %s files (%s): %v", len(files), k, globs[k], err)
		}
		f.Took += time.Since(start)
		f.Rows += n
		read += len(files)
	}
	if read == 0 {
		tb.Fatalf("benchref: no police.uk file matches %v: build the benchmark's data first (see the Makefile's bench targets)", globs)
	}
	f.PeakRSS = PeakRSS()
	return f
}

// PeakRSS is the process's high-water resident set size in bytes (Linux;
// 0 elsewhere).
func PeakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			// A line not in the documented shape reads as 0: unknown.
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// ResetPeakRSS restarts the process's high-water mark (Linux), so that each
// contender's peak is its own.
func ResetPeakRSS() {
	debug.FreeOSMemory()
	// Where /proc cannot be written the mark stays where it was: a peak too
	// high, never a read that fails.
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}
