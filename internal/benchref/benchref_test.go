package benchref

import (
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/safercity/safercity/internal/shareddata"
)

// TestReadStoresEveryRecord: the reference read of a month of real files,
// street and stop and search, stores as many rows as the files hold CSV
// records after their headers, and passes over the kind with no file.
func TestReadStoresEveryRecord(t *testing.T) {
	month := shareddata.Path(t, "data", "police-uk", "2021-01")
	globs := map[Kind]string{
		Street:        filepath.Join(month, "*-street.csv"),
		Outcomes:      filepath.Join(month, "*-outcomes.csv"),
		StopAndSearch: filepath.Join(month, "*-stop-and-search.csv"),
	}
	var want int64
	for _, g := range globs {
		files, _ := filepath.Glob(g)
		for _, f := range files {
			want += records(t, f)
		}
	}
	got := Read(t, globs)
	if got.Rows != want || want == 0 {
		t.Errorf("read_csv stored %d rows, the files hold %d records", got.Rows, want)
	}
	if got.Took <= 0 {
		t.Errorf("took %v", got.Took)
	}
	if _, err := os.Stat("/proc/self/status"); err == nil && got.PeakRSS <= 0 {
		t.Errorf("peak RSS %d on Linux", got.PeakRSS)
	}
}

// records counts a CSV file's records after its header.
func records(t *testing.T, path string) int64 {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	var n int64
	for {
		_, err := r.Read()
		if err == io.EOF {
			return n - 1
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		n++
	}
}
