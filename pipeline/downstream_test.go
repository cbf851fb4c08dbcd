package pipeline

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/safercity/safercity/config"
	"github.com/safercity/safercity/ingest"
	"github.com/safercity/safercity/internal/shareddata"
	"github.com/safercity/safercity/internal/storetest"
	"github.com/safercity/safercity/scheduler"
	"github.com/safercity/safercity/store"
)

// archives makes this month's and next month's data.police.uk-style
// archives of Leicestershire's real street files with the shared
// make-archive tool: A holds 2020-10 … 2021-01; B holds 2020-11 … 2021-02,
// with 2020-12 and 2021-01 republished (outcomes changed, crimes withdrawn).
func archives(t *testing.T) (a, b string) {
	t.Helper()
	tool := shareddata.Path(t, "tools", "make-archive")
	police := shareddata.Path(t, "data", "police-uk")
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("skipping: make-archive needs python3")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	files, err := filepath.Glob(filepath.Join(police, "*", "*-leicestershire-street.csv"))
	if err != nil || len(files) == 0 {
		t.Skipf("skipping: no Leicestershire street files in %s", police)
	}
	for _, f := range files {
		m := filepath.Join(src, filepath.Base(filepath.Dir(f)))
		if err := os.MkdirAll(m, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(f, filepath.Join(m, filepath.Base(f))); err != nil {
			t.Fatal(err)
		}
	}
	a, b = filepath.Join(dir, "A.zip"), filepath.Join(dir, "B.zip")
	for _, args := range [][]string{{"--end", "2021-01", src, a, "4"}, {"--end", "2021-02", "--alter", "2", src, b, "4"}} {
		if out, err := exec.Command("python3", append([]string{tool}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("make-archive %v: %v\n%s", args, err, out)
		}
	}
	return a, b
}

// runAll runs every job once, in order, as `safercity run` does, on the
// built-in configuration, and returns the notes of the runs.
func runAll(t *testing.T, st *store.Store, month string) string {
	t.Helper()
	t.Setenv(config.EnvFile, "") // the built-in defaults, whatever the environment
	cfg, err := config.Load("")
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := Jobs(slog.New(slog.DiscardHandler), cfg, "", month)
	if err != nil {
		t.Fatal(err)
	}
	runner, err := scheduler.NewRunner(st, jobs, RunnerOptions(cfg, slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	var notes []string
	for _, j := range jobs {
		r, err := runner.Do(context.Background(), j.Name, scheduler.TriggerManual)
		if err != nil && r.Status != scheduler.StatusSucceeded {
			t.Fatalf("job %s: %s: %v", j.Name, r.Status, err)
		}
		notes = append(notes, r.Note)
	}
	return strings.Join(notes, "\n")
}

// load loads a police.uk archive into st.
func load(t *testing.T, st *store.Store, archive string) {
	t.Helper()
	if _, err := ingest.Police(context.Background(), st, []string{archive}, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
}

// computedAt returns when each stored hotspot profile-month and index
// month was computed, by "profile YYYY-MM" and "index YYYY-MM".
func computedAt(t *testing.T, st *store.Store) map[string]time.Time {
	t.Helper()
	rows, err := st.DB.Query(`SELECT profile || ' ' || strftime(month, '%Y-%m'), min(computed) FROM hotspot_runs GROUP BY ALL
		UNION ALL SELECT 'index ' || strftime(month, '%Y-%m'), computed FROM index_reports`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var k string
		var at time.Time
		if err := rows.Scan(&k, &at); err != nil {
			t.Fatal(err)
		}
		out[k] = at
	}
	return out
}

// Next month's archive republishes two months: run recomputes the stored
// hotspot profile-months and index months that read them, computes the new
// month's, leaves the month whose inputs did not change alone, and the job
// history says why.
func TestRunFollowsRepublishedMonths(t *testing.T) {
	a, b := archives(t)
	st, _ := storetest.Open(t)
	load(t, st, a)
	runAll(t, st, "2020-11")
	runAll(t, st, "")
	before := computedAt(t, st)
	for _, k := range []string{"nte 2020-11", "violence 2020-11", "index 2020-11", "nte 2021-01", "violence 2021-01", "index 2021-01"} {
		if before[k].IsZero() {
			t.Fatalf("%s not computed by the first runs (have %v)", k, before)
		}
	}
	// A second run with nothing new recomputes nothing.
	if out := runAll(t, st, ""); strings.Count(out, "up to date") != 2 {
		t.Errorf("a run on unchanged data recomputed something:\n%s", out)
	}

	load(t, st, b)
	runAll(t, st, "")
	after := computedAt(t, st)
	for _, k := range []string{"nte 2020-11", "violence 2020-11", "index 2020-11"} {
		if !after[k].Equal(before[k]) {
			t.Errorf("%s recomputed though none of its months changed", k)
		}
	}
	for _, k := range []string{"nte 2021-01", "violence 2021-01", "index 2021-01"} {
		if !after[k].After(before[k]) {
			t.Errorf("%s not recomputed after 2020-12 and 2021-01 were republished", k)
		}
	}
	for _, k := range []string{"nte 2021-02", "violence 2021-02", "index 2021-02"} {
		if after[k].IsZero() {
			t.Errorf("%s (the new month) not computed", k)
		}
	}

	for job, want := range map[string][]string{
		"hotspots": {"nte 2021-01: enriched 2020-12 changed, enriched 2021-01 changed", "violence 2021-02: new"},
		"index":    {"2021-01: enriched 2020-12 changed, enriched 2021-01 changed", "2021-02: new"},
	} {
		runs, err := scheduler.Runs(context.Background(), st, job, 1)
		if err != nil || len(runs) != 1 {
			t.Fatalf("job history of %s: %v %v", job, runs, err)
		}
		for _, w := range want {
			if !strings.Contains(runs[0].Note, w) {
				t.Errorf("%s's last run notes %q, lacking %q", job, runs[0].Note, w)
			}
		}
		if strings.Contains(runs[0].Note, "2020-11") {
			t.Errorf("%s's last run notes %q: 2020-11 was unchanged", job, runs[0].Note)
		}
	}
}
