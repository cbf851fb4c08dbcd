package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryLineQuarantinedFails: a file whose every line was quarantined
// (here a month after the current one) loaded nothing, and ingest police
// said so only in its table and exited 0; it now fails naming the file,
// while the good file beside it still loads.
func TestEveryLineQuarantinedFails(t *testing.T) {
	dir := t.TempDir()
	sample, err := os.ReadFile("../../data/police-uk/2020-07/2020-07-city-of-london-street.csv")
	if err != nil {
		t.Fatal(err)
	}
	future := filepath.Join(dir, "2099-01-city-of-london-street.csv")
	if err := os.WriteFile(future, bytes.ReplaceAll(sample, []byte(",2020-07,"), []byte(",2099-01,")), 0o644); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "2020-07-city-of-london-street.csv")
	if err := os.WriteFile(good, sample, 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "q.duckdb")
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"ingest", "police", "--db", db, future, good}, &out, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), "1 file(s) had every line quarantined") || !strings.Contains(errOut.String(), future) {
		t.Errorf("exit %d\n%s%s", code, out.String(), errOut.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"sql", "--db", db, "--format", "csv", "SELECT count(*) AS n FROM police_street"}, &out, &errOut); code != 0 || out.String() == "n\n0\n" {
		t.Errorf("the good file beside it: exit %d, %q", code, out.String())
	}
}
