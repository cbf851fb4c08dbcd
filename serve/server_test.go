package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/safercity/safercity/internal/poll"
	"github.com/safercity/safercity/internal/schedtest"
	"github.com/safercity/safercity/maps/mapdb"
	"github.com/safercity/safercity/scheduler"
	"github.com/safercity/safercity/store"
)

const testToken = "test-token-0123456789abcdef"

// newServer returns a server over a fresh store with two jobs: index, which writes a row, and slow, which waits to be released.
func newServer(t *testing.T, tokens ...string) (*Server, *store.Store, chan struct{}) {
	t.Helper()
	st := schedtest.Store(t)
	release := make(chan struct{})
	r := schedtest.Runner(t, st, scheduler.RunnerOptions{},
		scheduler.Job{Name: "index", Schedule: "0 6 2 * *", Run: func(ctx context.Context, st *store.Store) (int64, error) { return 1, nil }},
		scheduler.Job{Name: "slow", Run: func(ctx context.Context, st *store.Store) (int64, error) {
			select {
			case <-release:
			case <-ctx.Done():
			}
			return 0, nil
		}},
	)
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { close(release) })
	return NewServer(st, r, ServerOptions{Tokens: tokens, Log: schedtest.Quiet}), st, release
}

// send sends a request as if from remote, with extra headers as
// name, value pairs.
func send(s *Server, method, target, remote string, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	req.RemoteAddr = remote
	req.Host = "127.0.0.1:8080" // what a browser on this machine sends
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i] == "Host" {
			req.Host = headers[i+1]
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	return w
}

const (
	local  = "127.0.0.1:50000"
	remote = "203.0.113.7:50000" // TEST-NET-3: never a real client
)

func TestAuth(t *testing.T) {
	s, _, _ := newServer(t, testToken)
	for _, tt := range []struct {
		name, method, path, from string
		headers                  []string
		want                     int
	}{
		{"loopback", "GET", "/healthz", local, nil, 200},
		{"loopback IPv6", "GET", "/api/jobs", "[::1]:4000", nil, 200},
		{"remote without token", "GET", "/healthz", remote, nil, 401},
		{"remote dashboard without token", "GET", "/", remote, nil, 401},
		{"remote with wrong token", "GET", "/api/jobs", remote, []string{"Authorization", "Bearer not-the-token-at-all-xx"}, 401},
		{"remote with token, not bearer", "GET", "/api/jobs", remote, []string{"Authorization", "Basic " + testToken}, 401},
		{"remote with token", "GET", "/api/jobs", remote, []string{"Authorization", "Bearer " + testToken}, 200},
		{"remote page with token", "GET", "/jobs", remote, []string{"Authorization", "Bearer " + testToken}, 200},
		{"proxied through loopback", "GET", "/api/jobs", local, []string{"X-Forwarded-For", "198.51.100.1"}, 401},
		{"proxied (Forwarded) through loopback", "GET", "/api/jobs", local, []string{"Forwarded", "for=198.51.100.1"}, 401},
		{"proxied (nginx X-Real-IP) through loopback", "GET", "/api/jobs", local, []string{"X-Real-IP", "198.51.100.1"}, 401},
		{"proxied (Via) through loopback", "GET", "/api/jobs", local, []string{"Via", "1.1 proxy"}, 401},
		{"remote with the local key", "GET", "/api/jobs", remote, []string{LocalKeyHeader, s.LocalKey()}, 200},
		{"remote with a wrong local key", "GET", "/api/jobs", remote, []string{LocalKeyHeader, "x" + s.LocalKey()[1:]}, 401},
		{"the local key relayed by a proxy", "GET", "/api/jobs", local, []string{LocalKeyHeader, s.LocalKey(), "X-Forwarded-For", "198.51.100.1"}, 401},
		{"remote job trigger without token", "POST", "/api/jobs/index/run", remote, nil, 401},
	} {
		w := send(s, tt.method, tt.path, tt.from, tt.headers...)
		if w.Code != tt.want {
			t.Errorf("%s: %s %s: %d %s, want %d", tt.name, tt.method, tt.path, w.Code, w.Body, tt.want)
		}
		if w.Code == 401 && !strings.Contains(w.Body.String(), "bearer token") {
			t.Errorf("%s: 401 body %q does not say a bearer token is needed", tt.name, w.Body)
		}
		if w.Code == 401 && w.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("%s: 401 without WWW-Authenticate", tt.name)
		}
	}
	runs, _ := scheduler.Runs(context.Background(), s.st, "index", 0)
	if len(runs) != 0 {
		t.Errorf("a refused request queued a job: %+v", runs)
	}

	open, _, _ := newServer(t)
	w := send(open, "GET", "/healthz", remote)
	if w.Code != 401 || !strings.Contains(w.Body.String(), "no serve.tokens configured") {
		t.Errorf("no tokens configured, remote: %d %s", w.Code, w.Body)
	}
}

// TestBehindProxy: behind a proxy that adds no header of its own, a
// request over the loopback may come from anywhere. With
// serve.behind_proxy it needs a token, as any other does; the raw routes
// then answer only the local key, which the commands beside the database
// read from the run file.
func TestBehindProxy(t *testing.T) {
	st := schedtest.Store(t)
	s := NewServer(st, schedtest.Runner(t, st, scheduler.RunnerOptions{}), ServerOptions{Tokens: []string{testToken}, BehindProxy: true, Log: schedtest.Quiet})
	const q = "/api/sql?q=SELECT+42"
	for _, tt := range []struct {
		name, path string
		headers    []string
		want       int
	}{
		{"loopback without token", "/api/jobs", nil, 401},
		{"loopback with token", "/api/jobs", []string{"Authorization", "Bearer " + testToken}, 200},
		{"loopback with the local key", "/api/jobs", []string{LocalKeyHeader, s.LocalKey()}, 200},
		{"SQL over the loopback with token", q, []string{"Authorization", "Bearer " + testToken}, 403},
		{"SQL with the local key", q, []string{LocalKeyHeader, s.LocalKey()}, 200},
		{"SQL with a token and the local key, relayed", q, []string{"Authorization", "Bearer " + testToken, LocalKeyHeader, s.LocalKey(), "Via", "1.1 proxy"}, 403},
	} {
		if w := send(s, "GET", tt.path, local, tt.headers...); w.Code != tt.want {
			t.Errorf("%s: %d %s, want %d", tt.name, w.Code, w.Body, tt.want)
		}
	}
	other := NewServer(st, schedtest.Runner(t, st, scheduler.RunnerOptions{}), ServerOptions{Log: schedtest.Quiet})
	if other.LocalKey() == s.LocalKey() || len(s.LocalKey()) < 20 {
		t.Errorf("local keys %q and %q: want a long one per server", s.LocalKey(), other.LocalKey())
	}
}

func TestValidation(t *testing.T) {
	s, _, _ := newServer(t, testToken)
	long := "/api/sources?kind=" + strings.Repeat("a", 5000)
	many := "/api/sources?" + strings.Repeat("x=1&", 1) + func() string {
		var b strings.Builder
		for i := range 40 {
			b.WriteString("p" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "=1&")
		}
		return b.String()
	}()
	for _, tt := range []struct {
		method, path string
		want         int
		says         string
	}{
		{"GET", "/api/index/2020-13", 400, "want YYYY-MM"},
		{"GET", "/api/index/latest", 404, "no index yet: run `safercity index`"},
		{"GET", "/api/index/2020-11", 404, "no index for 2020-11: run `safercity index --month 2020-11`, or wait for the index job"},
		{"GET", "/api/hotspots/NTE%21/2020-11", 400, "want a profile name"},
		{"GET", "/api/hotspots/nte/20-11", 400, "want YYYY-MM"},
		{"GET", "/api/hotspots/nte/2020-11", 404, "no nte hotspots stored for 2020-11: run `safercity hotspots --profile nte --month 2020-11`"},
		{"GET", "/api/hotspots/nte/2020-11?class=pink", 400, "class"},
		{"GET", "/api/hotspots/nte/2020-11?force=Bad%20Force", 400, "force"},
		{"GET", "/api/queries/nope", 404, "no query \"nope\"; the catalogue has"},
		{"GET", "/api/queries/violence_profile?top=x", 400, "top must be an INTEGER"},
		{"GET", "/api/queries/violence_profile?top=-5", 400, "top is a number of rows: give 0 or more"},
		{"GET", "/api/queries/nte_nights?min_events=0", 400, "below the disclosure policy"},
		{"GET", "/api/queries/violence_profile?top=2147483648", 400, "top must be an INTEGER from"},
		{"GET", "/api/queries/stop_search?force=leicstershire", 400, "no force \"leicstershire\""},
		{"GET", "/api/queries/violence_profile?from=yesterday", 400, "from must be a DATE"},
		{"GET", "/api/queries/violence_profile?bogus=1", 400, "has no parameter \"bogus\""},
		{"GET", "/api/queries/violence_profile?top=1&top=2", 400, "once"},
		{"GET", "/api/queries/violence_profile?param=top", 400, "param=name=value"},
		{"GET", "/api/queries/violence_profile?format=xml", 400, "want json or csv or xlsx"},
		{"GET", "/api/jobs?limit=0", 400, "limit"},
		{"GET", "/api/jobs?job=nope", 400, "no job \"nope\" (the 2 known: index, slow)"},
		{"GET", "/api/jobs?job=indx", 400, "no job \"indx\": did you mean \"index\"?"},
		{"GET", "/api/sources?limit=abc", 400, "limit"},
		{"GET", long, 414, "at most 4096"},
		{"GET", many, 400, "at most 32"},
		{"GET", "/api/sources?kind=" + strings.Repeat("b", 600), 400, "at most 512 bytes"},
		{"GET", "/api/sources?kind=%ff", 400, "UTF-8"},
		{"GET", "/api/nope", 404, "no such API route"},
		{"POST", "/api/jobs/nope/run", 404, "no such job"},
		{"DELETE", "/api/jobs", 405, "DELETE is not allowed here: use GET"},
		{"POST", "/api/queries/violence_profile", 405, "use GET"},
		{"GET", "/jobs/index/run", 405, "use POST"},
		{"GET", "/index/2020-11", 404, "no index for 2020-11"},
		{"GET", "/hotspots/nte/2020-11", 404, "no nte hotspots stored for 2020-11"},
		{"GET", "/reports/index-2020-11.html", 404, "no index for 2020-11"},
		{"GET", "/reports/passwd", 404, "index-YYYY-MM.html"},
		{"GET", "/queries/violence_profile?top=x", 400, "top must be an INTEGER"},
		{"GET", "/nowhere", 404, "There is no page at /nowhere"},
	} {
		w := send(s, tt.method, tt.path, local)
		body := w.Body.String()
		var e struct{ Error string }
		if json.Unmarshal(w.Body.Bytes(), &e) == nil {
			body = e.Error
		}
		if w.Code != tt.want || !strings.Contains(body, tt.says) {
			t.Errorf("%s %.60s: %d %.300s, want %d saying %q", tt.method, tt.path, w.Code, w.Body, tt.want, tt.says)
		}
		if strings.HasPrefix(tt.path, "/api/") && !json.Valid(w.Body.Bytes()) {
			t.Errorf("%s %.60s: body is not JSON: %.200s", tt.method, tt.path, w.Body)
		}
	}

	req := httptest.NewRequest("POST", "/api/jobs/index/run", strings.NewReader(strings.Repeat("x", 100<<10)))
	req.Host = "localhost:8080"
	req.RemoteAddr = local
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	if w.Code != 413 {
		t.Errorf("100 KiB body: %d %s, want 413", w.Code, w.Body)
	}
}

func TestQueriesAPI(t *testing.T) {
	s, st, _ := newServer(t)
	ctx := context.Background()
	// A few stored rows to read back: the police tables are the stage's,
	// this is a fixture of what a load leaves.
	if _, err := st.DB.ExecContext(ctx, `INSERT INTO police_stop_search (source_id, line, force, month, search_type, datetime, object_of_search, outcome, outcome_linked, officer_defined_ethnicity)
		VALUES (1, 2, 'city-of-london', DATE '2020-11-01', 'Person search', TIMESTAMP '2020-11-05 21:00:00', 'Controlled drugs', 'Arrest', true, 'White'),
		       (1, 3, 'city-of-london', DATE '2020-11-01', 'Person search', TIMESTAMP '2020-11-06 22:00:00', 'Controlled drugs', 'Arrest', false, 'White')`); err != nil {
		t.Fatal(err)
	}
	w := send(s, "GET", "/api/queries", local)
	var cat []struct {
		Name   string
		Params []struct{ Name, Type string }
	}
	if err := json.Unmarshal(w.Body.Bytes(), &cat); err != nil || len(cat) < 5 {
		t.Fatalf("catalogue: %v %.200s", err, w.Body)
	}

	w = send(s, "GET", "/api/queries/stop_search?force=city-of-london&param=from=2020-11", local)
	var res struct {
		Query    string
		Params   map[string]string
		Columns  []string
		Withheld int
		Rows     []map[string]any
	}
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil || w.Code != 200 {
		t.Fatalf("stop_search: %d %v %.300s", w.Code, err, w.Body)
	}
	if res.Query != "stop_search" || res.Params["from"] != "2020-11" || len(res.Rows) == 0 {
		t.Errorf("stop_search: %+v, want rows for the fixture and the params echoed", res)
	}
	w = send(s, "GET", "/api/queries/stop_search?force=city-of-london&format=csv", local)
	if ct := w.Header().Get("Content-Type"); w.Code != 200 || !strings.HasPrefix(ct, "text/csv") || !strings.HasPrefix(w.Body.String(), strings.Join(res.Columns, ",")+"\n") {
		t.Errorf("csv: %d %s %.200s", w.Code, ct, w.Body)
	}

	w = send(s, "GET", "/api/queries/stop_search?force=city-of-london&format=xlsx", local)
	if ct := w.Header().Get("Content-Type"); w.Code != 200 || !strings.Contains(ct, "spreadsheetml") || !bytes.HasPrefix(w.Body.Bytes(), []byte("PK")) {
		t.Errorf("xlsx: %d %s, want a workbook (a zip)", w.Code, ct)
	}

	// The query page offers the store's names instead of a free-text box.
	w = send(s, "GET", "/queries/stop_search", local)
	if body := w.Body.String(); w.Code != 200 || !strings.Contains(body, `<select id="p-force" name="force"`) || !strings.Contains(body, `<option value="city-of-london" selected>city-of-london</option>`) {
		t.Errorf("query page: %d, want a list of the store's forces: %.1500s", w.Code, body)
	}

	// This is just a force the store does not hold (and values are bound,
	// never spliced, anyway).
	w = send(s, "GET", "/api/queries/stop_search?force=x%27%3B+DROP+TABLE+sources%3B+--", local)
	if w.Code != 400 || !strings.Contains(w.Body.String(), `the 1 known: city-of-london`) {
		t.Errorf("quoted force: %d %.200s", w.Code, w.Body)
	}
	var n int
	if err := st.DB.QueryRowContext(ctx, `SELECT count(*) FROM police_stop_search`).Scan(&n); err != nil || n != 2 {
		t.Errorf("after the odd request the store has %d rows (%v), want 2", n, err)
	}
}

func TestJobsAPI(t *testing.T) {
	s, st, release := newServer(t)
	w := send(s, "POST", "/api/jobs/index/run", local)
	if w.Code != 202 || !strings.Contains(w.Body.String(), `"status": "queued"`) {
		t.Fatalf("trigger: %d %s", w.Code, w.Body)
	}
	poll.Until(t, 5*time.Second, "index to run", schedtest.Finished(t, st, "index", scheduler.StatusSucceeded))

	// A browser on this machine showing another site's page must not be
	// able to queue jobs.
	w = send(s, "POST", "/api/jobs/index/run", local, "Sec-Fetch-Site", "cross-site", "Origin", "https://elsewhere.example")
	if w.Code != 403 {
		t.Errorf("cross-site trigger: %d %s, want 403", w.Code, w.Body)
	}

	if w := send(s, "POST", "/api/jobs/slow/run", local); w.Code != 202 {
		t.Fatalf("trigger slow: %d %s", w.Code, w.Body)
	}
	poll.Until(t, 5*time.Second, "slow to run", func() bool { name, _ := s.runner.Running(); return name == "slow" })
	w = send(s, "POST", "/api/jobs/slow/run", local)
	if w.Code != 409 || !strings.Contains(w.Body.String(), "slow has been running since") {
		t.Errorf("trigger while running: %d %s, want 409", w.Code, w.Body)
	}
	w = send(s, "GET", "/healthz", local)
	if !strings.Contains(w.Body.String(), `"job": "slow"`) {
		t.Errorf("healthz does not show the running job: %s", w.Body)
	}
	// The dashboard's button: queued, then back to the jobs page.
	w = send(s, "POST", "/jobs/index/run", local)
	if w.Code != 303 || w.Header().Get("Location") != "/jobs?queued=index" {
		t.Errorf("dashboard trigger: %d %s", w.Code, w.Header())
	}
	release <- struct{}{}
	poll.Until(t, 5*time.Second, "slow", schedtest.Finished(t, st, "slow", scheduler.StatusSucceeded))

	w = send(s, "GET", "/api/jobs?limit=10", local)
	var out struct {
		Jobs []jobView
		Runs []scheduler.Run
	}
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Jobs) != 2 || out.Jobs[0].Name != "index" || out.Jobs[0].Next == nil || out.Jobs[0].Last == nil || out.Jobs[0].Last.Trigger != scheduler.TriggerAPI {
		t.Errorf("jobs %+v: want index with its next run and last run", out.Jobs)
	}
	if len(out.Runs) < 2 || out.Runs[0].ID < out.Runs[1].ID {
		t.Errorf("runs %+v: want newest first", out.Runs)
	}
	w = send(s, "GET", "/api/jobs?format=csv&job=index", local)
	lines := strings.Split(strings.TrimSpace(w.Body.String()), "\n")
	if lines[0] != "id,job,trigger,attempt,started,finished,status,rows,error" || !strings.Contains(lines[1], ",index,api,1,") {
		t.Errorf("csv history: %q", lines)
	}
	w = send(s, "GET", "/jobs", local)
	if body := w.Body.String(); w.Code != 200 || !strings.Contains(body, `class="status-succeeded">succeeded`) || !strings.Contains(body, "Run index now") {
		t.Errorf("jobs page: %d %.500s", w.Code, body)
	}
	// The schedule and the next run in words and local time, not raw cron.
	if body := w.Body.String(); !strings.Contains(body, "on the 2nd of every month at 06:00") || !regexp.MustCompile(`<td>in \d+ (days|h \d+ min|min) \(\w{3} \d+ \w{3} 06:00 (GMT|BST)\)</td>`).MatchString(body) {
		t.Errorf("jobs page does not say when index runs next in words: %.2000s", body)
	}
}

func TestIndexAndReport(t *testing.T) {
	s, st, _ := newServer(t)
	insertIndexFixture(t, st)
	w := send(s, "GET", "/api/index/2020-11", local)
	if w.Code != 200 || strings.TrimSpace(w.Body.String()) != `{"period": "2020-11", "fixture": true}` {
		t.Errorf("index JSON: %d %s", w.Code, w.Body)
	}
	w = send(s, "GET", "/api/index/latest?format=csv", local)
	if lines := strings.Split(strings.TrimSpace(w.Body.String()), "\n"); w.Code != 200 || len(lines) != 10 || !strings.HasPrefix(lines[0], "period,unit,measure,code") {
		t.Errorf("index CSV: %d %q", w.Code, lines)
	}
	w = send(s, "GET", "/reports/index-2020-11.html", local)
	if w.Code != 200 || !strings.Contains(w.Body.String(), "<h1>Fixture report</h1>") {
		t.Errorf("report: %d %.200s", w.Code, w.Body)
	}
	w = send(s, "GET", "/index", local)
	body := w.Body.String()
	for _, want := range []string{
		`<th class="unit" scope="row">City of London</th><td class="rag-green" data-rag="GREEN"`,
		`<th class="unit" scope="row">Charnwood</th><td class="rag-red" data-rag="RED"`,
		`href="/reports/index-2020-11.html"`,
		`▲`, `▼`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("index page lacks %q", want)
		}
	}
}

// insertIndexFixture stores a small index for 2020-11 as the index stage
// would: three units, the overall score, one pillar and one indicator.
func insertIndexFixture(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO index_scores (month, unit, measure, code, name, value, rank, rag, rag_basis, reference, trend_month, trend_year) VALUES
		 ('2020-11-01', 'City of London', 'overall', 'overall', 'Overall', 71.5, 1, 'GREEN', 'peer median', 50, 'improving', 'stable'),
		 ('2020-11-01', 'City of London', 'pillar', 'safety', 'Personal safety', 68, 1, 'GREEN', 'peer median', 50, 'improving', 'no comparison'),
		 ('2020-11-01', 'City of London', 'indicator', 'crime_rate', 'Crime per 1,000 workday population', 12.5, NULL, 'AMBER', 'target', 12, 'worsening', 'stable'),
		 ('2020-11-01', 'Leicester', 'overall', 'overall', 'Overall', 52.25, 2, 'AMBER', 'peer median', 50, 'stable', 'stable'),
		 ('2020-11-01', 'Leicester', 'pillar', 'safety', 'Personal safety', 49, 2, 'AMBER', 'peer median', 50, 'worsening', 'stable'),
		 ('2020-11-01', 'Leicester', 'indicator', 'crime_rate', 'Crime per 1,000 workday population', 9.5, NULL, 'GREEN', 'target', 12, 'improving', 'improving'),
		 ('2020-11-01', 'Charnwood', 'overall', 'overall', 'Overall', 30, 3, 'RED', 'peer median', 50, 'worsening', 'worsening'),
		 ('2020-11-01', 'Charnwood', 'pillar', 'safety', 'Personal safety', 28, 3, 'RED', 'peer median', 50, 'worsening', 'worsening'),
		 ('2020-11-01', 'Charnwood', 'indicator', 'crime_rate', 'Crime per 1,000 workday population', NULL, NULL, 'N/A', NULL, NULL, 'no comparison', 'no comparison')`,
		`INSERT INTO index_reports VALUES ('2020-11-01', '{"period": "2020-11", "fixture": true}',
		 '<!DOCTYPE html><html><body><h1>Fixture report</h1></body></html>', TIMESTAMP '2020-12-02 06:00:00')`,
	} {
		if _, err := st.DB.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPagesSayWhatIsMissing(t *testing.T) {
	s, _, _ := newServer(t)
	for _, tt := range []struct{ path, says string }{
		{"/", "No police data yet"},
		{"/", "No index yet: run <code>safercity index</code>"},
		{"/index", "no index yet: run `safercity index`, or wait for the index job"},
		{"/hotspots", "No hotspots yet: run <code>safercity hotspots --profile nte</code>"},
		{"/jobs", "No runs yet"},
		{"/queries", "violence_profile"},
	} {
		w := send(s, "GET", tt.path, local)
		body, _ := io.ReadAll(w.Body)
		if w.Code != 200 || !strings.Contains(string(body), tt.says) {
			t.Errorf("%s: %d, want 200 saying %q; got %.300s", tt.path, w.Code, tt.says, body)
		}
		if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s: CSP %q", tt.path, csp)
		}
	}
}

// TestHostAllowList is the DNS-rebinding attack: a page at a name the
// attacker controls, rebound to 127.0.0.1, sends its own name as Host.
func TestHostAllowList(t *testing.T) {
	st := schedtest.Store(t)
	r := schedtest.Runner(t, st, scheduler.RunnerOptions{}, scheduler.Job{Name: "index", Run: func(ctx context.Context, st *store.Store) (int64, error) { return 1, nil }})
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := NewServer(st, r, ServerOptions{Hosts: []string{"safercity.example.gov.uk"}, Log: schedtest.Quiet})
	for _, tt := range []struct {
		method, path, host string
		want               int
	}{
		{"POST", "/api/jobs/index/run", "rebind.attacker.example:8080", 421},
		{"GET", "/api/jobs", "rebind.attacker.example", 421},
		{"GET", "/", "rebind.attacker.example", 421},
		{"GET", "/healthz", "", 421},
		{"GET", "/api/jobs", "localhost:8080", 200},
		{"GET", "/api/jobs", "LOCALHOST.:8080", 200},
		{"GET", "/api/jobs", "127.0.0.1:8080", 200},
		{"GET", "/api/jobs", "[::1]:8080", 200},
		{"GET", "/api/jobs", "safercity.example.gov.uk", 200},
		{"GET", "/api/jobs", "safercity.example.gov.uk:443", 200},
	} {
		w := send(s, tt.method, tt.path, local, "Host", tt.host)
		if w.Code != tt.want {
			t.Errorf("%s %s Host %q: %d %s, want %d", tt.method, tt.path, tt.host, w.Code, w.Body, tt.want)
		}
	}
	if runs, err := scheduler.Runs(context.Background(), st, "index", 10); err != nil || len(runs) != 0 {
		t.Errorf("a refused trigger ran the job: %v %v", runs, err)
	}
}

// TestHealthzHasNoPath: /healthz must not tell a caller where the file is.
func TestHealthzHasNoPath(t *testing.T) {
	s, st, _ := newServer(t)
	w := send(s, "GET", "/healthz", local)
	if w.Code != 200 || strings.Contains(w.Body.String(), st.Path) || strings.Contains(w.Body.String(), ".duckdb") {
		t.Errorf("/healthz: %d %s: names the database file %s", w.Code, w.Body, st.Path)
	}
}

// TestTopCellsWithholdAsTheMap is issue 18's attack (d): the table under
// /hotspots/nte/{month} listed cells the map withholds (1–2 partner
// incidents).
func TestTopCellsWithholdAsTheMap(t *testing.T) {
	s, st, _ := newServer(t)
	_, err := st.DB.Exec(`INSERT INTO hotspot_cells (profile, force, month, cell_x, cell_y, grid_ref, crimes, incidents, measure, density, kde_hot, neighbours, z, bin)
		VALUES ('nte', 'city-of-london', DATE '2020-11-01', 5325, 1812, 'TQ3251281250', 4, 2, 6, 1, true, 9, 4.1, 3),
		       ('nte', 'city-of-london', DATE '2020-11-01', 5326, 1812, 'TQ3261281250', 5, 0, 5, 1, true, 9, 3.9, 3),
		       ('nte', 'city-of-london', DATE '2020-11-01', 5327, 1812, 'TQ3271281250', 2, 9, 11, 1, true, 9, 3.5, 3),
		       ('nte', 'city-of-london', DATE '2020-11-01', 5328, 1812, 'TQ3281281250', 3, 1, 4, 1, true, 9, 3.0, 2)`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB.Exec(`INSERT INTO hotspot_runs (profile, force, month, measure, cell_size, band, bandwidth, months,
		x0, y0, nx, ny, crimes, incidents, outside, measure_total, computed) VALUES ('nte', 'city-of-london', DATE '2020-11-01', 'count', 100, 200, 250, 12,
		530000, 180000, 60, 30, 14, 12, 0, 26, TIMESTAMP '2020-12-02 06:00:00')`); err != nil {
		t.Fatal(err)
	}
	w := send(s, "GET", "/api/hotspots/nte/2020-11?force=city-of-londn", local)
	if w.Code != 400 || !strings.Contains(w.Body.String(), `did you mean \"city-of-london\"?`) {
		t.Errorf("a mistyped force: %d %s", w.Code, w.Body)
	}
	top, rep, err := s.topCells(context.Background(), mapdb.Options{Profile: "nte", Force: "city-of-london", Month: time.Date(2020, 11, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, c := range top {
		refs = append(refs, c.GridRef)
	}
	if strings.Join(refs, " ") != "TQ3261281250 TQ3271281250" || rep == nil || rep.Withheld != 2 {
		t.Errorf("table lists %v (report %v), want the two cells the map shows and 2 withheld", refs, rep)
	}
}

// accessible checks what WCAG 2.1 AA asks of a page's structure that can
// be checked without a browser: language, a skip link to the main
// landmark, a labelled navigation landmark, a caption on every table,
// column headers with scope, a label for every form control, and a text
// alternative on the map.
func accessible(t *testing.T, path, body string) {
	t.Helper()
	for _, want := range []string{`<html lang="en-GB">`, `<a class="skip" href="#content">`, `<nav aria-label="Main">`, `<main id="content"`, `<footer>`} {
		if !strings.Contains(body, want) {
			t.Errorf("%s: no %s", path, want)
		}
	}
	if n, c := strings.Count(body, "<table"), strings.Count(body, "<caption>"); n != c {
		t.Errorf("%s: %d tables, %d captions", path, n, c)
	}
	for _, m := range regexp.MustCompile(`(?s)<thead>.*?</thead>`).FindAllString(body, -1) {
		if len(regexp.MustCompile(`<th[ >]`).FindAllString(m, -1)) != strings.Count(m, `scope="col"`) {
			t.Errorf("%s: column headers without scope: %.200s", path, m)
		}
	}
	for _, m := range regexp.MustCompile(`<(input|select) id="([^"]+)"`).FindAllStringSubmatch(body, -1) {
		if !strings.Contains(body, `<label for="`+m[2]+`">`) {
			t.Errorf("%s: %s %s has no label", path, m[1], m[2])
		}
	}
	if strings.Contains(body, `class="map"`) && !regexp.MustCompile(`class="map" id="map" role="img" aria-label="Map of [^"]+"`).MatchString(body) {
		t.Errorf("%s: the map has no text alternative", path)
	}
}

func TestPagesAccessible(t *testing.T) {
	s, st, _ := newServer(t)
	insertIndexFixture(t, st)
	if _, err := st.DB.Exec(`INSERT INTO police_stop_search (source_id, line, force, month, search_type, datetime, object_of_search, outcome, outcome_linked, officer_defined_ethnicity)
		VALUES (1, 2, 'city-of-london', DATE '2020-11-01', 'Person search', TIMESTAMP '2020-11-05 21:00:00', 'Controlled drugs', 'Arrest', true, 'White')`); err != nil {
		t.Fatal(err)
	}
	send(s, "POST", "/api/jobs/index/run", local)
	for _, path := range []string{"/", "/index/2020-11", "/hotspots", "/queries", "/queries/stop_search", "/jobs", "/nope"} {
		w := send(s, "GET", path, local)
		accessible(t, path, w.Body.String())
	}
}

// badRequests checks that each GET target is answered 400 with a message
// holding its want.
func badRequests(t *testing.T, s *Server, cases map[string]string) {
	t.Helper()
	for target, want := range cases {
		if w := send(s, "GET", target, local); w.Code != 400 || !strings.Contains(w.Body.String(), want) {
			t.Errorf("%s: %d %s, want 400 saying %s", target, w.Code, w.Body.String(), want)
		}
	}
}
