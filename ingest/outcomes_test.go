package ingest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCopyWithoutOutcomesKeepsPartition: a republished street file that
// lost its Last outcome category column replaced a partition that had
// outcomes, as the other poorer copies did before; now it is kept out, as
// they are, unless the stored partition had no outcomes to lose.
func TestCopyWithoutOutcomesKeepsPartition(t *testing.T) {
	dir := t.TempDir()
	var trimmed, blank strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(string(readSample(t, julyStreet))), "\n") {
		f := strings.Split(strings.TrimRight(line, "\r"), ",")
		if len(f) != 12 {
			continue // a quoted comma: leave it out of these copies
		}
		trimmed.WriteString(strings.Join(append(f[:10:10], f[11]), ",") + "\n")
		if !strings.HasPrefix(line, "Crime ID") {
			f[10] = ""
		}
		blank.WriteString(strings.Join(f, ",") + "\n")
	}
	write := func(sub, body string) string {
		path := filepath.Join(dir, sub, "2020-07-city-of-london-street.csv")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	noOutcomes := write("trimmed", trimmed.String())

	st := openStore(t)
	load(t, st, julyStreet)
	withOutcomes := scalar[int64](t, st, `SELECT count(*) FROM police_street WHERE last_outcome IS NOT NULL`)
	if withOutcomes == 0 {
		t.Fatal("the sample's July has no outcomes to lose")
	}
	sum := load(t, st, noOutcomes)
	if f := sum.Files[0]; f.Status != StatusKept || !strings.Contains(f.Error, "Last outcome category") || !strings.Contains(f.Error, "--replace-poorer") {
		t.Fatalf("a copy without outcomes: %+v, want kept naming the column", f)
	}
	if n := scalar[int64](t, st, `SELECT count(*) FROM police_street WHERE last_outcome IS NOT NULL`); n != withOutcomes {
		t.Errorf("%d rows with an outcome after the poorer copy, had %d", n, withOutcomes)
	}
	sum, err := Police(context.Background(), st, []string{noOutcomes}, Options{ReplacePoorer: true})
	if err != nil || sum.Files[0].Status != StatusReplaced {
		t.Fatalf("with --replace-poorer: %+v, %v", sum.Files, err)
	}

	// A stored partition whose outcomes are all blank loses nothing.
	st = openStore(t)
	load(t, st, write("blank", blank.String()))
	if f := load(t, st, noOutcomes).Files[0]; f.Status != StatusReplaced {
		t.Errorf("over a partition without outcomes: %+v, want replaced", f)
	}
}
