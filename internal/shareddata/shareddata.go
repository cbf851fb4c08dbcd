// Package shareddata finds the project's shared folder of real public data and
// reference values (../shared beside the repository), so that tests which need
// more than the bundled sample can use it, or skip with a message when it is
// absent; and it reads the reference tables (CSV) the tests compare with.
package shareddata

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the shared folder: $SAFERCITY_SHARED when set, else the first
// folder named "shared" beside the repository root or one of its parents.
// It returns "" when there is none.
func Dir() string {
	if d := os.Getenv("SAFERCITY_SHARED"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			s := filepath.Join(filepath.Dir(d), "shared")
			if fi, err := os.Stat(s); err == nil && fi.IsDir() {
				return s
			}
			return ""
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// Path joins elem onto the shared folder, or skips the test with a message
// saying what is missing.
func Path(t testing.TB, elem ...string) string {
	t.Helper()
	d := Dir()
	if d == "" {
		t.Skip("skipping: ../shared (real data and reference values) is not beside the repository; set SAFERCITY_SHARED to its path")
	}
	p := filepath.Join(append([]string{d}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("skipping: %s is not in the shared folder: %v", filepath.Join(elem...), err)
	}
	return p
}

// ReadCSV reads a reference table (a CSV file with a header row) into the
// index of each column name and the data rows, failing the test when it
// cannot.
func ReadCSV(t testing.TB, path string) (map[string]int, [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(recs) == 0 {
		t.Fatalf("%s: no header row", path)
	}
	col := make(map[string]int, len(recs[0]))
	for i, name := range recs[0] {
		col[name] = i
	}
	return col, recs[1:]
}
