//go:build unix

package serve

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/safercity/safercity/internal/poll"
	"github.com/safercity/safercity/internal/schedtest"
	"github.com/safercity/safercity/scheduler"
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
	Runs []scheduler.Run
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

// heldJob is the job the tests stop in the middle of a load: a partner
// feed read over HTTP from a server that stops halfway until the test lets
// it go on. (A named pipe in the police inbox did this once; ingest now
// refuses anything but regular files, so a load can only be held this way.)
const heldJob = "feed-held"

// heldFeed serves the ONS population file as heldJob's source.
type heldFeed struct {
	url     string
	data    []byte
	middle  chan struct{} // a request has sent the first half
	release chan struct{} // closed: send the rest, and everything from now on
}

func (h *heldFeed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/csv")
	half := len(h.data) / 2
	w.Write(h.data[:half])
	w.(http.Flusher).Flush()
	select {
	case h.middle <- struct{}{}:
	default:
	}
	select {
	case <-h.release:
		w.Write(h.data[half:])
	case <-r.Context().Done():
	}
}

// waitMiddle waits until the feed job is halfway through the file.
func (h *heldFeed) waitMiddle(t *testing.T) {
	t.Helper()
	select {
	case <-h.middle:
	case <-time.After(60 * time.Second):
		t.Fatal("the feed job never fetched its source")
	}
}

// heldInbox copies the sample police data to an inbox, starts the held
// feed's server and writes a configuration for both. It returns the
// database path, the configuration and the feed.
func heldInbox(t *testing.T, grace string) (db, config string, h *heldFeed) {
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
	h = &heldFeed{middle: make(chan struct{}, 1), release: make(chan struct{})}
	if h.data, err = os.ReadFile("../data/feeds/population/ons-mid-2019-lsoa-population-col-leics.csv"); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	t.Cleanup(func() {
		select {
		case <-h.release:
		default:
			close(h.release)
		}
	})
	h.url = ts.URL + "/population.csv"
	config = filepath.Join(dir, "safercity.yaml")
	// No clocks: the test triggers the jobs.
	cfg := fmt.Sprintf(`police:
  inbox: %s
schedule:
  police: ""
  index: ""
serve:
  grace: %s
feeds:
  - name: held
    kind: population
    format: csv
    source: %s
    columns:
      area_code: LSOA Code
      area_name: LSOA Name
      residents: All Ages
    fixed:
      area_type: lsoa
      year: 2019
`, inbox, grace, h.url)
	if err := os.WriteFile(config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "safercity.duckdb"), config, h
}

// checkConsistent opens the database the way the next process would and
// checks that every stored police.uk partition holds exactly the rows its
// sources row says, that no row lacks its source, and that every enriched
// month holds the rows its transform_state says. It returns the paths of the
// stored partitions and the job history.
func checkConsistent(t *testing.T, db string) (map[string]bool, []scheduler.Run) {
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
		SELECT s.path, s.rows_loaded, coalesce(sum(stored.n), 0)::BIGINT, s.feed IS NOT NULL
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
		var feed bool // a partner feed's rows are in its own table
		if err := rows.Scan(&path, &want, &got, &feed); err != nil {
			t.Fatal(err)
		}
		if got != want && !feed {
			t.Errorf("%s: %d rows stored, its sources row says %d", path, got, want)
		}
		rel, err := filepath.Rel(filepath.Join(filepath.Dir(db), "inbox"), path)
		if err != nil {
			rel = path // a URL
		}
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
	runs, err := scheduler.Runs(ctx, st, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	return loaded, runs
}

func lines(data []byte) int64 { return int64(strings.Count(strings.TrimSpace(string(data)), "\n")) }

// TestKillMidIngest kills a server with SIGKILL in the middle of a load:
// the database is consistent, the next start marks the run interrupted and
// loads the data again, and meanwhile a second writer is refused with
// advice.
func TestKillMidIngest(t *testing.T) {
	db, config, h := heldInbox(t, "30s")
	srv := startServer(t, db, config)
	srv.trigger(t, heldJob)
	h.waitMiddle(t)
	if got := srv.state(t, heldJob); got != "running" {
		t.Fatalf("%s is %s, want running", heldJob, got)
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
	close(h.release)

	loaded, runs := checkConsistent(t, db)
	if loaded[h.url] {
		t.Errorf("%s is stored, but the process died while reading it", h.url)
	}
	if len(runs) != 1 || runs[0].Job != heldJob || runs[0].Status != scheduler.StatusRunning {
		t.Fatalf("history after the kill: %+v, want the %s run still marked running", runs, heldJob)
	}

	// The next start marks the run interrupted and runs it again.
	srv = startServer(t, db, config)
	poll.Until(t, 60*time.Second, heldJob+" to load again", func() bool {
		for _, v := range srv.jobs(t).Jobs {
			if v.Name == heldJob {
				return v.State == "idle" && v.Last != nil && v.Last.Status == scheduler.StatusSucceeded
			}
		}
		return false
	})
	var held []scheduler.Run // newest first
	for _, r := range srv.jobs(t).Runs {
		if r.Job == heldJob {
			held = append(held, r)
		}
	}
	if len(held) != 2 {
		t.Fatalf("%s runs: %+v, want the killed one and the one after it", heldJob, held)
	}
	if first := held[1]; first.Status != scheduler.StatusInterrupted || !strings.Contains(first.Error, "killed") || first.Finished == nil {
		t.Errorf("the killed run: %+v, want interrupted, saying so", first)
	}
	if again := held[0]; again.Trigger != scheduler.TriggerStartup || again.Status != scheduler.StatusSucceeded {
		t.Errorf("the run after it: %+v, want run again at startup", again)
	}
	if !strings.Contains(srv.log(), "a run was interrupted when an earlier process stopped") {
		t.Error("the start does not log the interrupted run")
	}
	srv.cmd.Process.Signal(syscall.SIGTERM)
	if code := srv.wait(t, 60*time.Second); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0", code)
	}
	loaded, _ = checkConsistent(t, db)
	if !loaded[h.url] {
		t.Errorf("%s not stored after the run at startup", h.url)
	}
}

// TestTermLetsJobFinish stops a server with SIGTERM while a job runs: it
// takes no new jobs, lets the running one finish within the grace period,
// and exits 0.
func TestTermLetsJobFinish(t *testing.T) {
	db, config, h := heldInbox(t, "30s")
	srv := startServer(t, db, config)
	srv.trigger(t, heldJob)
	h.waitMiddle(t)
	srv.cmd.Process.Signal(syscall.SIGTERM)
	time.Sleep(500 * time.Millisecond)
	select {
	case err := <-srv.done:
		t.Fatalf("exited (%v) without waiting for the running job", err)
	default:
	}
	close(h.release)
	if code := srv.wait(t, 30*time.Second); code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	if !strings.Contains(srv.log(), "stopping: no new jobs; waiting for the running one") {
		t.Error("the log does not say the server is waiting for the job")
	}
	loaded, runs := checkConsistent(t, db)
	if !loaded[h.url] {
		t.Errorf("%s not stored: the job should have finished", h.url)
	}
	if got := schedtest.Summary(runs); got != heldJob+":succeeded" {
		t.Fatalf("runs %s, want %s alone, succeeded: a stopping server starts nothing after it", got, heldJob)
	}
	if want := lines(h.data); runs[0].Rows != want {
		t.Errorf("%s wrote %d rows, want the file's %d", heldJob, runs[0].Rows, want)
	}
}

// TestTermCancelsAfterGrace stops a server whose job outlasts the grace
// period: the job is cancelled, its transaction rolls back, the run is
// marked interrupted, and the server exits 0.
func TestTermCancelsAfterGrace(t *testing.T) {
	db, config, h := heldInbox(t, "300ms")
	srv := startServer(t, db, config)
	srv.trigger(t, heldJob)
	h.waitMiddle(t)
	srv.cmd.Process.Signal(syscall.SIGTERM)
	// Past the grace the job is cancelled, which ends its read at once:
	// the feed is never released.
	if code := srv.wait(t, 30*time.Second); code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	loaded, runs := checkConsistent(t, db)
	if len(loaded) != 0 {
		t.Errorf("stored %v: the cancelled load must roll back", loaded)
	}
	if len(runs) != 1 || runs[0].Status != scheduler.StatusInterrupted || !strings.Contains(runs[0].Error, "cancelled at shutdown") {
		t.Errorf("runs %+v, want the %s run interrupted", runs, heldJob)
	}
	if !strings.Contains(srv.log(), "cancelling job") {
		t.Error("the log does not say the job was cancelled")
	}
}

// TestCLIBesideServer: the command line could not read while a server
// held the database, and its hint named a hard-coded port. Reads now go
// through the server's API (found from the address it records beside the
// database) and give what a direct read gives; a load is refused with the
// server's real address.
func TestCLIBesideServer(t *testing.T) {
	bin := safercity(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "s.duckdb")
	cli := func(args ...string) (string, int) {
		t.Helper()
		out, err := exec.Command(bin, args...).Output()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
			out = append(out, ee.Stderr...)
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), code
	}
	for _, args := range [][]string{
		{"ingest", "police", "--db", db, "--quiet", "../data/police-uk/2020-11"},
		{"transform", "--db", db, "--quiet"},
	} {
		if out, code := cli(args...); code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, code, out)
		}
	}
	config := filepath.Join(dir, "safercity.yaml")
	if err := os.WriteFile(config, []byte("schedule:\n  index: \"\"\n  feeds: \"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	query := []string{"--db", db, "query", "crime_by_month", "--param", "from=2020-11", "--format", "csv"}
	srv := startServer(t, db, config)
	beside, code := cli(query...)
	if code != 0 || !strings.HasPrefix(beside, "month,crime_type,crimes,harm\n2020-11,") {
		t.Errorf("query beside the server: exit %d\n%s", code, beside)
	}
	if out, code := cli("jobs", "--db", db, "--json"); code != 0 || !strings.HasPrefix(out, "[") {
		t.Errorf("jobs beside the server: exit %d\n%s", code, out)
	}
	base := strings.TrimSuffix(srv.url, "/")
	if out, code := cli("ingest", "police", "--db", db, "../data/police-uk/2020-11"); code != 1 || !strings.Contains(out, "answers at "+base) {
		t.Errorf("a load beside the server: exit %d, want 1 and the server's address %s\n%s", code, base, out)
	}
	srv.cmd.Process.Signal(syscall.SIGTERM)
	srv.wait(t, 30*time.Second)
	if _, err := os.Stat(RunFilePath(db)); err == nil {
		t.Error("the server left its address behind when it stopped")
	}
	if direct, code := cli(query...); code != 0 || direct != beside {
		t.Errorf("read directly (exit %d):\n%s\nthrough the server:\n%s", code, direct, beside)
	}
}
