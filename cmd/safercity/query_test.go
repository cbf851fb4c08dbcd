package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/safercity/safercity/store"
)

// TestArrowNotToATerminal: `query --format arrow` wrote binary to the
// terminal; it must ask for -o there, and still write to a pipe.
func TestArrowNotToATerminal(t *testing.T) {
	tty, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal to test with: %v", err)
	}
	defer tty.Close()
	if err := checkOutput(tty, "arrow", ""); !errors.Is(err, errUsage) {
		t.Errorf("arrow to a terminal: %v, want a usage error", err)
	}
	if err := checkOutput(tty, "arrow", "out.arrow"); err != nil {
		t.Errorf("arrow to a file: %v", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if err := checkOutput(w, "arrow", ""); err != nil {
		t.Errorf("arrow to a pipe: %v", err)
	}
	for _, bad := range []string{"parquet", "xml"} {
		if err := checkOutput(w, bad, ""); !errors.Is(err, errUsage) {
			t.Errorf("%s without -o: %v", bad, err)
		}
	}
}

// TestGlobalFlagsBeforeTheCommand: `safercity --db FILE sql …` was an
// unknown command.
func TestGlobalFlagsBeforeTheCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "g.duckdb")
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	for _, args := range [][]string{
		{"--db", db, "sql", "--format", "csv", "SELECT count(*) AS n FROM sources"},
		{"--db=" + db, "--quiet", "sql", "--format", "csv", "SELECT count(*) AS n FROM sources"},
		{"-db", db, "--config", filepath.Join(dir, "none.yaml"), "sql", "--format", "csv", "SELECT count(*) AS n FROM sources"},
	} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), args, &out, &errOut); code != 0 || out.String() != "n\n0\n" {
			t.Errorf("%q: exit %d, %q %s", args, code, out.String(), errOut.String())
		}
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"--format", "csv", "sql", "SELECT 1"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "only --db, --config and --quiet") {
		t.Errorf("--format before the command: exit %d, %s", code, errOut.String())
	}
	typo := filepath.Join(dir, "typo.duckdb")
	if code := run(context.Background(), []string{"--db", typo, "index"}, &out, &errOut); code == 0 {
		t.Error("index on a missing database succeeded")
	}
	if _, err := os.Stat(typo); err == nil {
		t.Error("index created the mistyped database")
	}
}

// TestTypedNamesSuggest: a mistyped job was "no job" with no suggestion.
func TestTypedNamesSuggest(t *testing.T) {
	var out, errOut bytes.Buffer
	db := filepath.Join(t.TempDir(), "none.duckdb")
	if code := run(context.Background(), []string{"run", "--db", db, "tranform"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), `did you mean "transform"?`) {
		t.Errorf("run tranform: exit %d, %s", code, errOut.String())
	}
	errOut.Reset()
	if code := run(context.Background(), []string{"hotspots", "--db", db, "--profile", "voilence"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), `did you mean "violence"?`) {
		t.Errorf("hotspots --profile voilence: exit %d, %s", code, errOut.String())
	}
}

// TestAttacksRefused: issue 18's `sql "SELECT * FROM read_csv('/etc/…')"`
// read any local file, and `query --min-events 0` switched disclosure
// control off.
func TestAttacksRefused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.duckdb")
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	for _, args := range [][]string{
		{"sql", "--db", db, "SELECT * FROM read_csv('/etc/passwd')"},
		{"sql", "--db", db, "SELECT content FROM read_text('/etc/hostname')"},
		{"query", "--db", db, "nte_nights", "--min-events", "0"},
	} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), args, &out, &errOut); code == 0 || out.Len() > 0 {
			t.Errorf("%q: exit %d, printed %.200q", args, code, out.String())
		}
	}
}
