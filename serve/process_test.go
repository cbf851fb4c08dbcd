//go:build unix

package serve

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/safercity/safercity/store"
)

// These tests run the safercity binary, built once per test run, as a
// partnership runs it: `safercity serve` on a database file, stopped with
// SIGTERM or killed with SIGKILL in the middle of loading police data.

var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// safercity builds the command (about 20 s the first time: DuckDB links in).
func safercity(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the safercity binary: not with -short")
	}
	buildOnce.Do(func() {
		if binDir, buildErr = os.MkdirTemp("", "safercity-test-"); buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "safercity")
		out, err := exec.Command("go", "build", "-tags", "duckdb_arrow", "-o", binPath, "github.com/safercity/safercity/cmd/safercity").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build ./cmd/safercity: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// A server is a running `safercity serve`.
type server struct {
	cmd  *exec.Cmd
	url  string
	mu   sync.Mutex
	logs strings.Builder
	done chan error // the exit, once it has exited
}

var servingRE = regexp.MustCompile(`msg=serving url=(http://\S+/)`)

func startServer(t *testing.T, db, config string) *server {
	t.Helper()
	s := &server{cmd: exec.Command(safercity(t), "serve", "--db", db, "--config", config, "--addr", "127.0.0.1:0"), done: make(chan error, 1)}
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			s.mu.Lock()
			s.logs.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
			if m := servingRE.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
		s.done <- s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		s.cmd.Process.Kill()
		<-s.done
		if t.Failed() {
			t.Logf("server log:\n%s", s.log())
		}
	})
	select {
	case s.url = <-urls:
	case err := <-s.done:
		t.Fatalf("safercity serve exited (%v) before serving:\n%s", err, s.log())
	case <-time.After(60 * time.Second):
		t.Fatalf("safercity serve did not start:\n%s", s.log())
	}
	return s
}

func (s *server) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logs.String()
}

// wait waits for the process to exit and returns its exit code.
func (s *server) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case err := <-s.done:
		if err == nil {
			return 0
		}
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		t.Fatal(err)
	case <-time.After(timeout):
		t.Fatalf("safercity serve still running after %s:\n%s", timeout, s.log())
	}
	return -1
}

type jobsResponse struct {
	Jobs []jobView
	Runs []Run
}

func (s *server) jobs(t *testing.T) jobsResponse {
	t.Helper()
	resp, err := http.Get(s.url + "api/jobs?limit=1000")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out jobsResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func (s *server) state(t *testing.T, job string) string {
	for _, j := range s.jobs(t).Jobs {
		if j.Name == job {
			return j.State
		}
	}
	t.Fatalf("no job %s", job)
	return ""
}

func (s *server) trigger(t *testing.T, job string) {
	t.Helper()
	resp, err := http.Post(s.url+"api/jobs/"+job+"/run", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("trigger %s: %s", job, resp.Status)
	}
}

// The file of the sample that is fed to the police job through a named
// pipe, so that the test decides when the job is in the middle of it.
const pipedFile = "2020-11/2020-11-city-of-london-street.csv"

// pipedInbox copies the sample police data to an inbox, with pipedFile
// replaced by a named pipe, and writes a configuration for it. It returns
// the database path, the configuration, the pipe and the file's bytes.
func pipedInbox(t *testing.T, grace string) (db, config, pipe string, data []byte) {
	t.Helper()
	dir := t.TempDir()
	inbox := filepath.Join(dir, "inbox")
	err := filepath.WalkDir("../data/police-uk", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel("../data/police-uk", p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(inbox, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(inbox, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	pipe = filepath.Join(inbox, pipedFile)
	if data, err = os.ReadFile(pipe); err != nil {
		t.Fatal(err)
	}
	os.Remove(pipe)
	if err := syscall.Mkfifo(pipe, 0o600); err != nil {
		t.Fatal(err)
	}
	config = filepath.Join(dir, "safercity.yaml")
	// No clocks: the test triggers the jobs.
	cfg := fmt.Sprintf("police:\n  inbox: %s\nschedule:\n  police: \"\"\n  index: \"\"\nserve:\n  grace: %s\n", inbox, grace)
	if err := os.WriteFile(config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "safercity.duckdb"), config, pipe, data
}

// feedPipe waits for the police job to open the pipe and writes the first
// half of the file into it; the job then waits for the rest.
func feedPipe(t *testing.T, pipe string, data []byte) *os.File {
	t.Helper()
	opened := make(chan *os.File, 1)
	go func() {
		f, err := os.OpenFile(pipe, os.O_WRONLY, 0)
		if err != nil {
			t.Error(err)
		}
		opened <- f
	}()
	select {
	case f := <-opened:
		if _, err := f.Write(data[:len(data)/2]); err != nil {
			t.Fatal(err)
		}
		return f
	case <-time.After(60 * time.Second):
		t.Fatal("the police job never opened " + pipedFile)
	}
	return nil
}

// checkConsistent opens the database the way the next process would and
// checks that every stored police.uk partition holds exactly the rows its
// sources row says, that no row lacks its source, and that every enriched
// month holds the rows its transform_state says. It returns the paths of the
// stored partitions and the job history.
func checkConsistent(t *testing.T, db string) (map[string]bool, []Run) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.DB.QueryContext(ctx, `WITH stored AS (
			SELECT source_id, count(*) AS n FROM police_street GROUP BY ALL
			UNION ALL SELECT source_id, count(*) FROM police_outcomes GROUP BY ALL
			UNION ALL SELECT source_id, count(*) FROM police_stop_search GROUP BY ALL)
		SELECT s.path, s.rows_loaded, coalesce(sum(stored.n), 0)::BIGINT
		FROM sources s LEFT JOIN stored USING (source_id)
		WHERE s.status = 'loaded' AND s.superseded_by IS NULL
		GROUP BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	loaded := map[string]bool{}
	for rows.Next() {
		var path string
		var want, got int64
		if err := rows.Scan(&path, &want, &got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: %d rows stored, its sources row says %d", path, got, want)
		}
		rel, _ := filepath.Rel(filepath.Join(filepath.Dir(db), "inbox"), path)
		loaded[rel] = true
	}
	var orphans, badMonths int
	if err := st.DB.QueryRowContext(ctx, `SELECT count(*) FROM (
			SELECT source_id FROM police_street UNION ALL SELECT source_id FROM police_outcomes UNION ALL SELECT source_id FROM police_stop_search)
		WHERE source_id NOT IN (SELECT source_id FROM sources WHERE status = 'loaded' AND superseded_by IS NULL)`).Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	if orphans != 0 {
		t.Errorf("%d police rows without a loaded source", orphans)
	}
	if err := st.DB.QueryRowContext(ctx, `SELECT count(*) FROM transform_state t
		WHERE t.rows <> (SELECT count(*) FROM crimes_enriched c WHERE c.month = t.month)`).Scan(&badMonths); err != nil {
		t.Fatal(err)
	}
	if badMonths != 0 {
		t.Errorf("%d enriched months whose rows differ from their transform_state", badMonths)
	}
	runs, err := Runs(ctx, st, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	return loaded, runs
}

func lines(data []byte) int64 { return int64(strings.Count(strings.TrimSpace(string(data)), "\n")) }

// TestKillMidIngest kills a server with SIGKILL in the middle of loading
// police data: the database is consistent, the next start marks the run
// interrupted and loads the data again, and meanwhile a second writer is
// refused with advice.
func TestKillMidIngest(t *testing.T) {
	db, config, pipe, data := pipedInbox(t, "30s")
	srv := startServer(t, db, config)
	srv.trigger(t, "police")
	w := feedPipe(t, pipe, data)
	defer w.Close()
	if got := srv.state(t, "police"); got != "running" {
		t.Fatalf("police is %s, want running", got)
	}

	// One writer per file: a second server, and a load by hand, are refused.
	for _, args := range [][]string{
		{"serve", "--db", db, "--addr", "127.0.0.1:0"},
		{"ingest", "police", "--db", db, "../data/police-uk"},
	} {
		out, err := exec.Command(safercity(t), args...).CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 ||
			!strings.Contains(string(out), "the database is in use by another process (a running `safercity serve`?); stop it or use its HTTP API") {
			t.Errorf("safercity %s while the server runs: %v\n%s\nwant exit 1 and the advice", args[0], err, out)
		}
	}

	srv.cmd.Process.Signal(syscall.SIGKILL)
	srv.wait(t, 10*time.Second)
	w.Close()

	loaded, runs := checkConsistent(t, db)
	if loaded[pipedFile] {
		t.Errorf("%s is stored, but the process died while reading it", pipedFile)
	}
	if len(runs) != 1 || runs[0].Job != "police" || runs[0].Status != StatusRunning {
		t.Fatalf("history after the kill: %+v, want the police run still marked running", runs)
	}

	// The next start marks the run interrupted and runs it again.
	os.Remove(pipe)
	if err := os.WriteFile(pipe, data, 0o644); err != nil {
		t.Fatal(err)
	}
	srv = startServer(t, db, config)
	waitFor(t, 60*time.Second, "police, transform and hotspots to catch up", func() bool {
		j := srv.jobs(t)
		done := map[string]bool{}
		for _, v := range j.Jobs {
			done[v.Name] = v.State == "idle" && v.Last != nil && v.Last.Status == StatusSucceeded
		}
		return done["police"] && done["transform"] && done["hotspots"]
	})
	h := srv.jobs(t).Runs
	first := h[len(h)-1]
	if first.Job != "police" || first.Status != StatusInterrupted || !strings.Contains(first.Error, "killed") || first.Finished == nil {
		t.Errorf("the killed run: %+v, want police, interrupted, saying so", first)
	}
	if again := h[len(h)-2]; again.Job != "police" || again.Trigger != TriggerStartup || again.Status != StatusSucceeded {
		t.Errorf("the run after it: %+v, want police run again at startup", again)
	}
	if !strings.Contains(srv.log(), "a run was interrupted when an earlier process stopped") {
		t.Error("the start does not log the interrupted run")
	}
	srv.cmd.Process.Signal(syscall.SIGTERM)
	if code := srv.wait(t, 30*time.Second); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0", code)
	}
	loaded, _ = checkConsistent(t, db)
	if !loaded[pipedFile] {
		t.Errorf("%s not stored after the run at startup", pipedFile)
	}
}

// TestTermLetsJobFinish stops a server with SIGTERM while a job runs: it
// takes no new jobs, lets the running one finish within the grace period,
// and exits 0; the next start runs the jobs that follow the new data.
func TestTermLetsJobFinish(t *testing.T) {
	db, config, pipe, data := pipedInbox(t, "30s")
	srv := startServer(t, db, config)
	srv.trigger(t, "police")
	w := feedPipe(t, pipe, data)
	defer w.Close()
	srv.cmd.Process.Signal(syscall.SIGTERM)
	time.Sleep(500 * time.Millisecond)
	select {
	case err := <-srv.done:
		t.Fatalf("exited (%v) without waiting for the running job", err)
	default:
	}
	if _, err := w.Write(data[len(data)/2:]); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if code := srv.wait(t, 30*time.Second); code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	if !strings.Contains(srv.log(), "stopping: no new jobs; waiting for the running one") {
		t.Error("the log does not say the server is waiting for the job")
	}
	loaded, runs := checkConsistent(t, db)
	if !loaded[pipedFile] {
		t.Errorf("%s not stored: the job should have finished", pipedFile)
	}
	if got := summary(runs); got != "police:succeeded" {
		t.Fatalf("runs %s, want police alone, succeeded: a stopping server starts nothing after it", got)
	}
	if runs[0].Rows < lines(data) {
		t.Errorf("police wrote %d rows, want at least the piped file's %d", runs[0].Rows, lines(data))
	}

	// The next start runs transform, hotspots and the index on the data
	// loaded.
	srv = startServer(t, db, config)
	waitFor(t, 60*time.Second, "transform, hotspots and index to catch up", func() bool {
		j := srv.jobs(t)
		return len(j.Runs) == 4 && j.Runs[0].Finished != nil
	})
	for _, r := range srv.jobs(t).Runs[:3] {
		if r.Trigger != TriggerStartup || r.Status != StatusSucceeded {
			t.Errorf("%+v: want a successful run at startup", r)
		}
	}
}

// TestTermCancelsAfterGrace stops a server whose job outlasts the grace
// period: the job is cancelled, its transaction rolls back, the run is
// marked interrupted, and the server exits 0.
func TestTermCancelsAfterGrace(t *testing.T) {
	db, config, pipe, data := pipedInbox(t, "300ms")
	srv := startServer(t, db, config)
	srv.trigger(t, "police")
	w := feedPipe(t, pipe, data)
	srv.cmd.Process.Signal(syscall.SIGTERM)
	// Past the grace the job is cancelled; it notices once its read of the
	// pipe returns.
	time.Sleep(time.Second)
	w.Close()
	if code := srv.wait(t, 30*time.Second); code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	loaded, runs := checkConsistent(t, db)
	if len(loaded) != 0 {
		t.Errorf("stored %v: the cancelled load must roll back", loaded)
	}
	if len(runs) != 1 || runs[0].Status != StatusInterrupted || !strings.Contains(runs[0].Error, "cancelled at shutdown") {
		t.Errorf("runs %+v, want the police run interrupted", runs)
	}
	if !strings.Contains(srv.log(), "cancelling job") {
		t.Error("the log does not say the job was cancelled")
	}
}
