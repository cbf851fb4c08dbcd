package policeapi

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/safercity/safercity/ingest/policeuk"
	"github.com/safercity/safercity/internal/shareddata"
)

var june2019 = time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC)

// readBack reads a download as the loader does, and fails the test unless
// every row is loaded.
func readBack(t *testing.T, d Download) *policeuk.File {
	t.Helper()
	p, err := policeuk.ParsePartition(d.Name)
	if err != nil {
		t.Fatalf("%s: %v", d.Name, err)
	}
	f, err := policeuk.Read(bytes.NewReader(d.Body), p, 1, memory.DefaultAllocator)
	if err != nil {
		t.Fatalf("%s: %v", d.Name, err)
	}
	t.Cleanup(f.Release)
	for _, r := range f.Rejected {
		t.Errorf("%s line %d rejected: %s: %s", d.Name, r.Line, r.Reason, r.Raw)
	}
	// Only the 2011 layout's grid columns may be missing.
	if f.Record.NumRows() != f.DataLines || len(f.Ignored) > 0 || len(f.Missing) > 0 && !slices.Equal(f.Missing, []string{"Easting", "Northing"}) {
		t.Errorf("%s: %d of %d rows loaded, missing columns %v, ignored %v", d.Name, f.Record.NumRows(), f.DataLines, f.Missing, f.Ignored)
	}
	return f
}

// csvRows returns a download's rows without the header.
func csvRows(t *testing.T, d Download) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(d.Body)).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", d.Name, err)
	}
	return rows[1:]
}

func byName(t *testing.T, ds []Download, name string) Download {
	t.Helper()
	for _, d := range ds {
		if d.Name == name {
			return d
		}
	}
	t.Fatalf("no %s among %d downloads", name, len(ds))
	return Download{}
}

// sameRows reports the difference between two multisets of rows.
func sameRows(t *testing.T, what string, got, want [][]string) {
	t.Helper()
	key := func(rows [][]string) []string {
		ks := make([]string, len(rows))
		for i, r := range rows {
			ks[i] = strings.Join(r, "|")
		}
		slices.Sort(ks)
		return ks
	}
	g, w := key(got), key(want)
	if !slices.Equal(g, w) {
		t.Errorf("%s: got %d rows, want %d", what, len(g), len(w))
		for _, k := range g {
			if !slices.Contains(w, k) {
				t.Errorf("  unexpected %s", k)
			}
		}
		for _, k := range w {
			if !slices.Contains(g, k) {
				t.Errorf("  missing %s", k)
			}
		}
	}
}

// wantStreet is the City of London street file the fake's data must give:
// every crime of type Force located in a neighbourhood, and every crime
// without a location, once each, written as the archive writes them.
func (f *fakeAPI) wantStreet(t *testing.T) [][]string {
	t.Helper()
	var cats []struct{ URL, Name string }
	readJSON(t, "crime-categories.json", &cats)
	names := map[string]string{}
	for _, c := range cats {
		names[c.URL] = c.Name
	}
	var rows [][]string
	for _, r := range f.crimes {
		var c apiCrime
		if err := json.Unmarshal(r.raw, &c); err != nil {
			t.Fatal(err)
		}
		if !(f.inCity(t, r) && c.LocationType == "Force" || !r.located) {
			continue
		}
		lon, lat, loc, outcome := "", "", "No Location", ""
		if r.located {
			lon, lat, loc = c.Location.Longitude, c.Location.Latitude, c.Location.Street.Name
		}
		if c.OutcomeStatus != nil {
			outcome = c.OutcomeStatus.Category
		}
		rows = append(rows, []string{c.PersistentID, c.Month, "City of London Police", "City of London Police",
			lon, lat, loc, "", "", names[c.Category], outcome, c.Context})
	}
	return rows
}

// inCity reports whether a record is located in one of the City's
// neighbourhoods.
func (f *fakeAPI) inCity(t *testing.T, r record) bool {
	t.Helper()
	for _, raw := range f.borders {
		var pts []struct{ Latitude, Longitude string }
		if err := json.Unmarshal(raw, &pts); err != nil {
			t.Fatal(err)
		}
		var poly []LatLng
		for _, p := range pts {
			poly = append(poly, LatLng{parseFloat(t, p.Latitude), parseFloat(t, p.Longitude)})
		}
		if r.located && inPolygon(LatLng{r.lat, r.lng}, poly) {
			return true
		}
	}
	return false
}

func TestFetchForceMonth(t *testing.T) {
	f := newFakeAPI(t)
	// Three crimes inside the City become British Transport Police ones:
	// they belong to the btp files, not the City's.
	var btp []int64
	for _, r := range f.crimes {
		if len(btp) < 3 && f.inCity(t, r) {
			btp = append(btp, r.id)
		}
	}
	f.markBTP(btp...)
	ds, err := f.client().FetchForceMonth(context.Background(), "city-of-london", june2019, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range ds {
		names = append(names, d.Name)
		readBack(t, d)
	}
	want := []string{"2019-06-city-of-london-street.csv", "2019-06-city-of-london-outcomes.csv", "2019-06-city-of-london-stop-and-search.csv"}
	if !slices.Equal(names, want) {
		t.Fatalf("downloads %v, want %v", names, want)
	}

	street := csvRows(t, byName(t, ds, want[0]))
	wantStreet := f.wantStreet(t)
	sameRows(t, "street", street, wantStreet)
	if len(wantStreet) < 150 {
		t.Fatalf("only %d crimes expected: the fixture is not what this test assumes", len(wantStreet))
	}
	outside := 0
	for _, r := range f.crimes {
		if r.located && !f.inCity(t, r) {
			outside++
		}
	}
	if outside == 0 {
		t.Fatal("the fixture has no crime outside the City: the test cannot show they are left out")
	}

	// Each outcome is a located Force crime's, with the crime's place.
	crimeByID := map[string][]string{}
	for _, r := range street {
		crimeByID[r[0]] = r
	}
	outcomes := csvRows(t, byName(t, ds, want[1]))
	for _, o := range outcomes {
		c, ok := crimeByID[o[0]]
		if !ok || c[4] == "" || o[4] != c[4] || o[5] != c[5] || o[6] != c[6] || o[9] != c[10] || o[1] != "2019-06" {
			t.Errorf("outcome %v does not match its crime %v", o, c)
		}
	}
	withOutcome := 0
	for _, c := range street {
		if c[0] != "" && c[4] != "" && c[10] != "" {
			withOutcome++
		}
	}
	if len(outcomes) != withOutcome {
		t.Errorf("%d outcomes, want one per located crime with an outcome: %d", len(outcomes), withOutcome)
	}

	stops := csvRows(t, byName(t, ds, want[2]))
	if len(stops) != len(f.stops) {
		t.Errorf("%d searches, want all %d the force reported", len(stops), len(f.stops))
	}
}

// TestMatchesBulkFile checks the round trip bulk file → API records → CSV
// against the real archive file the fixtures were made from: every row
// written is a row of the archive, but for the LSOA that the API lacks.
func TestMatchesBulkFile(t *testing.T) {
	dir := shareddata.Path(t, "data", "police-uk", "2019-06")
	f := newFakeAPI(t)
	ds, err := f.client().FetchForceMonth(context.Background(), "city-of-london", june2019, "")
	if err != nil {
		t.Fatal(err)
	}
	bulk := func(name string) [][]string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return rows[1:]
	}
	archive := map[string]int{}
	for _, r := range bulk("2019-06-city-of-london-street.csv") {
		r[7], r[8] = "", ""
		archive[strings.Join(r, "|")]++
	}
	for _, r := range csvRows(t, byName(t, ds, "2019-06-city-of-london-street.csv")) {
		k := strings.Join(r, "|")
		if archive[k] == 0 {
			t.Errorf("street row not in the archive file: %s", k)
		}
		archive[k]--
	}
	// The fixture holds every third search of the archive file.
	var want [][]string
	for i, r := range bulk("2019-06-city-of-london-stop-and-search.csv") {
		if i%3 == 0 {
			want = append(want, r)
		}
	}
	sameRows(t, "stop and search", csvRows(t, byName(t, ds, "2019-06-city-of-london-stop-and-search.csv")), want)
}

// TestStopsNoLocation checks that searches without a location are written
// once whether stops-force includes them (as its documentation says it
// reports all of a force's searches) or not.
func TestStopsNoLocation(t *testing.T) {
	var bodies [][]byte
	for _, all := range []bool{true, false} {
		f := newFakeAPI(t)
		f.stopsForceAll = all
		ds, err := f.client().FetchForceMonth(context.Background(), "city-of-london", june2019, "")
		if err != nil {
			t.Fatal(err)
		}
		d := byName(t, ds, "2019-06-city-of-london-stop-and-search.csv")
		if n := len(csvRows(t, d)); n != len(f.stops) {
			t.Errorf("stops-force with no-location searches %v: %d rows, want %d", all, n, len(f.stops))
		}
		bodies = append(bodies, d.Body)
	}
	if !bytes.Equal(bodies[0], bodies[1]) {
		t.Error("the two ways of serving searches without a location give different files")
	}
}

func TestSplitOnTooMany(t *testing.T) {
	whole := newFakeAPI(t)
	want, err := whole.client().FetchForceMonth(context.Background(), "city-of-london", june2019, "")
	if err != nil {
		t.Fatal(err)
	}
	if whole.answers(http.StatusServiceUnavailable) != 0 {
		t.Fatal("the fake refused an area with its default limit")
	}

	split := newFakeAPI(t)
	split.limit = 10 // the real limit is 10,000: scaled down to the fixture
	got, err := split.client().FetchForceMonth(context.Background(), "city-of-london", june2019, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if n := split.answers(http.StatusServiceUnavailable); n < 5 {
		t.Fatalf("only %d areas refused: the test does not exercise splitting", n)
	}
	if len(got) != len(want) {
		t.Fatalf("%d downloads split, %d whole", len(got), len(want))
	}
	// Every crime fetched exactly once: the same bytes as without splitting.
	for i := range want {
		if got[i].Name != want[i].Name || !bytes.Equal(got[i].Body, want[i].Body) {
			t.Errorf("%s differs when areas are split:\n%s\nwant\n%s", got[i].Name, got[i].Body, want[i].Body)
		}
		readBack(t, got[i])
	}
}

// TestSplitSharedEdge fetches a square centred on a crime, so that its cut
// lines cross at the crime and every quarter answers with it.
func TestSplitSharedEdge(t *testing.T) {
	f := newFakeAPI(t)
	const h = 0.003
	var centre record
	var pid string
	var square []LatLng
	var inSquare []record
	// The crime with the most neighbours, alone at its point, so that a
	// limit below the square's count is above any quarter's.
	for _, r := range f.crimes {
		var c apiCrime
		if err := json.Unmarshal(r.raw, &c); err != nil {
			t.Fatal(err)
		}
		sq := []LatLng{{r.lat - h, r.lng - h}, {r.lat - h, r.lng + h}, {r.lat + h, r.lng + h}, {r.lat + h, r.lng - h}}
		in := selectRecords(f.crimes, "2019-06", func(o record) bool { return o.located && inPolygon(LatLng{o.lat, o.lng}, sq) })
		alone := len(selectRecords(f.crimes, "2019-06", func(o record) bool { return o.located && o.lat == r.lat && o.lng == r.lng })) == 1
		if r.located && c.PersistentID != "" && alone && len(in) > len(inSquare) {
			centre, pid, square, inSquare = r, c.PersistentID, sq, in
		}
	}
	if len(inSquare) < 20 {
		t.Fatalf("the best square holds %d crimes: too few to split", len(inSquare))
	}
	f.limit = len(inSquare) - 1
	ds, err := f.client().FetchArea(context.Background(), "square", square, june2019, "")
	if err != nil {
		t.Fatal(err)
	}
	if n := f.timesServed(centre.id); n < 2 {
		t.Fatalf("the centre crime was served %d times: the cut lines do not cross at it", n)
	}
	street := byName(t, ds, "2019-06-square-street.csv")
	readBack(t, street)
	rows := csvRows(t, street)
	if len(rows) != len(inSquare) {
		t.Errorf("%d rows, want the %d crimes in the square once each", len(rows), len(inSquare))
	}
	n := 0
	for _, r := range rows {
		if r[0] == pid {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the crime on the shared corner is written %d times, want once", n)
	}
}

func TestSplitDepthLimit(t *testing.T) {
	f := newFakeAPI(t)
	f.limit = 0 // every area with a crime is refused
	c := f.client()
	c.MaxSplitDepth = 2
	city := []LatLng{{51.505, -0.115}, {51.505, -0.07}, {51.525, -0.07}, {51.525, -0.115}}
	_, err := c.FetchArea(context.Background(), "city", city, june2019, "")
	if err == nil || !strings.Contains(err.Error(), "still holds more than 10,000 results after 2 cuts") || !strings.Contains(err.Error(), "MaxSplitDepth") {
		t.Fatalf("error %v, want one saying the area is still too big and what to do", err)
	}
	n := 0
	for _, r := range f.requests() {
		if strings.Contains(r, "crimes-street/") {
			n++
		}
	}
	if n > 1+4+16 {
		t.Errorf("%d street requests, more than two levels of quarters allow", n)
	}
}

// TestResume interrupts a fetch, runs it again on the same spool, and
// checks that no answer kept by the first run is asked for again and that
// the result is the same as an uninterrupted fetch's.
func TestResume(t *testing.T) {
	want, err := newFakeAPI(t).client().FetchForceMonth(context.Background(), "city-of-london", june2019, "")
	if err != nil {
		t.Fatal(err)
	}

	f := newFakeAPI(t)
	f.limit = 10
	spool := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	f.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n == 40 {
			cancel()
		}
		return false
	}
	_, err = f.client().FetchForceMonth(ctx, "city-of-london", june2019, spool)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "run again with the same spool") {
		t.Fatalf("interrupted fetch: %v, want context.Canceled and how to resume", err)
	}
	kept := map[string]bool{}
	files, _ := os.ReadDir(spool)
	for _, e := range files {
		kept[filepath.Join(spool, e.Name())] = true
	}
	first := len(f.requests())
	if len(kept) < 20 || first < 40 {
		t.Fatalf("the first run kept %d answers of %d requests: not far enough to test resuming", len(kept), first)
	}

	f.hook = nil
	got, err := f.client().FetchForceMonth(context.Background(), "city-of-london", june2019, spool)
	if err != nil {
		t.Fatal(err)
	}
	again := f.requests()[first:]
	for _, logged := range again {
		answer, tooMany := spoolPaths(spool, loggedRequest(t, logged))
		if kept[answer] || kept[tooMany] {
			t.Errorf("asked again after the first run kept the answer: %s", shorten(logged))
		}
	}
	if len(again) == 0 {
		t.Error("the second run asked for nothing, though the first was interrupted")
	}
	for i := range want {
		if got[i].Name != want[i].Name || !bytes.Equal(got[i].Body, want[i].Body) {
			t.Errorf("%s differs after resuming", got[i].Name)
		}
	}

	// A third run finds everything in the spool.
	before := len(f.requests())
	if _, err := f.client().FetchForceMonth(context.Background(), "city-of-london", june2019, spool); err != nil {
		t.Fatal(err)
	}
	if n := len(f.requests()) - before; n != 0 {
		t.Errorf("a run on a complete spool sent %d requests", n)
	}
	for name := range kept {
		if strings.Contains(filepath.Base(name), ".partial-") {
			t.Errorf("a partial file was left in the spool: %s", name)
		}
	}
}

// loggedRequest turns a line of the fake's log back into the request.
func loggedRequest(t *testing.T, logged string) request {
	t.Helper()
	_, target, _ := strings.Cut(logged, " ")
	path, query, _ := strings.Cut(target, "?")
	params, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	if len(params) == 0 {
		params = nil
	}
	return request{path: strings.TrimPrefix(path, "/api/"), params: params}
}

func TestLongPolygonIsPosted(t *testing.T) {
	f := newFakeAPI(t)
	var circle []LatLng
	for i := range 400 {
		a := 2 * math.Pi * float64(i) / 400
		circle = append(circle, LatLng{51.515 + 0.006*math.Sin(a), -0.092 + 0.01*math.Cos(a)})
	}
	if len(DefaultBaseURL)+len("/crimes-street/all-crime?date=2019-06&poly=")+len(url.QueryEscape(encodePoly(circle))) <= maxGetURL {
		t.Fatal("the polygon is not long enough to need POST")
	}
	ds, err := f.client().FetchArea(context.Background(), "circle", circle, june2019, "")
	if err != nil {
		t.Fatal(err)
	}
	var posts, gets int
	for _, r := range f.requests() {
		if strings.Contains(r, "crimes-street/") || strings.Contains(r, "outcomes-at-location") || strings.Contains(r, "stops-street") {
			if strings.HasPrefix(r, "POST ") {
				posts++
			} else {
				gets++
			}
		}
	}
	if posts != 3 || gets != 0 {
		t.Errorf("%d POST and %d GET area requests, want 3 POST", posts, gets)
	}
	for _, d := range ds {
		readBack(t, d)
	}
	if len(csvRows(t, byName(t, ds, "2019-06-circle-street.csv"))) < 20 {
		t.Error("too few crimes in the circle: the posted area was not read")
	}

	// A short area goes by GET.
	f.mu.Lock()
	f.log = nil
	f.mu.Unlock()
	if _, err := f.client().FetchArea(context.Background(), "square", circle[:4], june2019, ""); err != nil {
		t.Fatal(err)
	}
	for _, r := range f.requests() {
		if strings.HasPrefix(r, "POST ") {
			t.Errorf("short area posted: %s", r)
		}
	}
}

// scripted serves the given statuses in turn, then 200 with an empty list.
func scripted(t *testing.T, answers ...func(w http.ResponseWriter)) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if i < len(answers) {
			answers[i](w)
			return
		}
		w.Write([]byte(`{"date":"2020-09-01"}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func status(code int, retryAfter string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(code)
	}
}

func TestRetry(t *testing.T) {
	for _, tc := range []struct {
		name     string
		answers  []func(http.ResponseWriter)
		requests int32
		slept    func([]time.Duration) bool
	}{
		{"429 with backoff", []func(http.ResponseWriter){status(429, ""), status(429, "")}, 3,
			func(d []time.Duration) bool {
				return len(d) == 2 && d[0] >= 500*time.Millisecond && d[0] <= time.Second && d[1] >= time.Second && d[1] <= 2*time.Second
			}},
		{"503 with Retry-After", []func(http.ResponseWriter){status(503, "7")}, 2,
			func(d []time.Duration) bool { return slices.Equal(d, []time.Duration{7 * time.Second}) }},
		{"500 then 502", []func(http.ResponseWriter){status(500, ""), status(502, "")}, 3,
			func(d []time.Duration) bool { return len(d) == 2 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, n := scripted(t, tc.answers...)
			clk := newFakeClock()
			c := &Client{BaseURL: srv.URL, clock: clk}
			if _, err := c.LastUpdated(context.Background()); err != nil {
				t.Fatal(err)
			}
			if n.Load() != tc.requests {
				t.Errorf("%d requests, want %d", n.Load(), tc.requests)
			}
			if !tc.slept(clk.slept) {
				t.Errorf("waits %v", clk.slept)
			}
		})
	}
}

// TestAreaRetryAfter checks that a 503 with Retry-After on an area is the
// API being busy, to retry, not the area being too big, to split.
func TestAreaRetryAfter(t *testing.T) {
	srv, n := scripted(t, status(503, "2"))
	c := &Client{BaseURL: srv.URL, clock: newFakeClock()}
	r := request{path: "crimes-street/all-crime", params: url.Values{"date": {"2019-06"}, "poly": {"51.5,-0.1:51.6,-0.1:51.6,0"}}}
	if _, err := c.do(context.Background(), r); err != nil || n.Load() != 2 {
		t.Errorf("%d requests, error %v; want a retry and success", n.Load(), err)
	}
	srv, _ = scripted(t, status(503, ""))
	c = &Client{BaseURL: srv.URL, clock: newFakeClock()}
	if _, err := c.do(context.Background(), r); !errors.Is(err, errTooMany) {
		t.Errorf("503 without Retry-After on an area: %v, want errTooMany", err)
	}
}

func TestRetryGivesUp(t *testing.T) {
	always := func(code int, retryAfter string) []func(http.ResponseWriter) {
		return slices.Repeat([]func(http.ResponseWriter){status(code, retryAfter)}, 10)
	}
	for _, tc := range []struct {
		name     string
		answers  []func(http.ResponseWriter)
		requests int32
		status   int
		says     string
	}{
		{"500 every time", always(500, ""), 4, 500, "HTTP 500 Internal Server Error after 4 attempts: the API is failing; run again later"},
		{"429 every time", always(429, ""), 4, 429, "after 4 attempts: something else is using this address's allowance"},
		{"404 at once", always(404, ""), 1, 404, "check the force and neighbourhood ids"},
		{"Retry-After of an hour", always(503, "3600"), 1, 503, "asks to wait 1h0m0s before trying again: run again after that"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, n := scripted(t, tc.answers...)
			c := &Client{BaseURL: srv.URL, MaxAttempts: 4, clock: newFakeClock()}
			_, err := c.LastUpdated(context.Background())
			var serr *StatusError
			if !errors.As(err, &serr) || serr.StatusCode != tc.status || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error %v, want HTTP %d saying %q", err, tc.status, tc.says)
			}
			if n.Load() != tc.requests {
				t.Errorf("%d requests, want %d", n.Load(), tc.requests)
			}
		})
	}
}

func TestNetworkErrorGivesUp(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close() // nothing listens there any more
	c := &Client{BaseURL: srv.URL, MaxAttempts: 3, clock: newFakeClock()}
	_, err := c.Forces(context.Background())
	if err == nil || !strings.Contains(err.Error(), "gave up after 3 attempts: check the network and run again later") {
		t.Errorf("error %v, want one saying it gave up and what to do", err)
	}
}

func TestTokenBucket(t *testing.T) {
	clk := newFakeClock()
	b := newTokenBucket(clk, 15, 30)
	start := clk.Now()
	var at []time.Duration
	for range 60 {
		if err := b.wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		at = append(at, clk.Now().Sub(start))
	}
	if at[29] != 0 {
		t.Errorf("the first 30 requests took %v, want a burst at once", at[29])
	}
	if at[59] < 2*time.Second-time.Millisecond || at[59] > 2*time.Second+time.Millisecond {
		t.Errorf("60 requests took %v, want 2s at 15/s after a burst of 30", at[59])
	}
	for i, d := range at {
		if float64(i+1) > 30+15*d.Seconds()+1e-6 {
			t.Errorf("request %d at %v: more than a burst of 30 plus 15/s", i+1, d)
		}
	}
}

func TestRateLimitedClient(t *testing.T) {
	clk := newFakeClock()
	var mu sync.Mutex
	var arrivals []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		arrivals = append(arrivals, clk.Now())
		w.Write([]byte(`{"date":"2020-09-01"}`))
	}))
	defer srv.Close()
	c := &Client{BaseURL: srv.URL, clock: clk}
	for range 60 {
		if _, err := c.LastUpdated(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if d := arrivals[59].Sub(arrivals[0]); d < 2*time.Second-time.Millisecond {
		t.Errorf("60 requests arrived within %v, want at least 2s", d)
	}
	for i, a := range arrivals {
		for j := i; j < len(arrivals); j++ {
			if window := arrivals[j].Sub(a); j-i+1 > 30+int(15*window.Seconds()+1e-6) {
				t.Fatalf("%d requests arrived within %v", j-i+1, window)
			}
		}
	}
}

func TestMonthNotServed(t *testing.T) {
	f := newFakeAPI(t)
	_, err := f.client().FetchForceMonth(context.Background(), "city-of-london", time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC), "")
	if err == nil || !strings.Contains(err.Error(), "holds 2017-09 to 2020-08, not 2014-01: take older months from the bulk archive") {
		t.Errorf("error %v, want one naming the months served and where to go", err)
	}
}

func TestUnknownForce(t *testing.T) {
	f := newFakeAPI(t)
	for force, says := range map[string]string{
		"atlantis":        `the API has no force "atlantis"`,
		"City of London!": "is not an id",
	} {
		_, err := f.client().FetchForceMonth(context.Background(), force, june2019, "")
		if err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("%s: error %v, want %q", force, err, says)
		}
	}
}

func TestForceNames(t *testing.T) {
	f := newFakeAPI(t)
	c := f.client()
	c.ForceNames = map[string]string{"city-of-london": "City of London Police (test)"}
	ds, err := c.FetchForceMonth(context.Background(), "city-of-london", june2019, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range csvRows(t, byName(t, ds, "2019-06-city-of-london-street.csv")) {
		if r[2] != "City of London Police (test)" || r[3] != r[2] {
			t.Fatalf("Reported by %q, Falls within %q, want the given name", r[2], r[3])
		}
	}
}

func TestAvailabilityAndMetadata(t *testing.T) {
	f := newFakeAPI(t)
	c := f.client()
	ctx := context.Background()
	av, err := c.Availability(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(av) != 36 || monthText(av[0].Month) != "2020-08" || monthText(av[35].Month) != "2017-09" {
		t.Fatalf("availability: %d months, %v to %v", len(av), av[len(av)-1].Month, av[0].Month)
	}
	for _, a := range av {
		if monthText(a.Month) == "2019-06" && !slices.Contains(a.StopAndSearch, "city-of-london") {
			t.Error("2019-06 does not list the City's stop and search")
		}
	}
	updated, err := c.LastUpdated(ctx)
	if err != nil || !updated.Equal(time.Date(2020, 9, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("LastUpdated = %v, %v", updated, err)
	}
	forces, err := c.Forces(ctx)
	if err != nil || !slices.Contains(forces, Force{"city-of-london", "City of London Police"}) {
		t.Errorf("Forces = %v, %v", forces, err)
	}
	hoods, err := c.Neighbourhoods(ctx, "city-of-london")
	if err != nil || len(hoods) != 6 || hoods[0] != (Neighbourhood{"E01000001", "City of London 001A"}) {
		t.Fatalf("Neighbourhoods = %v, %v", hoods, err)
	}
	poly, err := c.Boundary(ctx, "city-of-london", hoods[0].ID)
	if err != nil || len(poly) != 27 || poly[0] != (LatLng{51.521577, -0.097289}) {
		t.Errorf("Boundary = %d points from %v, %v", len(poly), poly[:1], err)
	}
}

// TestRecordRows writes the real single records of testdata, and records
// with the older stop-and-search shape, as archive rows.
func TestRecordRows(t *testing.T) {
	w := rowWriter{cats: map[string]string{"violent-crime": "Violence and sexual offences"},
		reportedBy: func(string) string { return "Leicestershire Police" }, log: slog.New(slog.DiscardHandler)}
	var crime apiCrime
	readJSON(t, "crime.json", &crime)
	var unknown apiCrime
	readJSON(t, "crime.json", &unknown)
	unknown.ID, unknown.Category = 1, "public-disorder-weapons"
	got := w.streetRows([][]apiCrime{{crime}, {crime, unknown}}, func(apiCrime) bool { return true })
	want := [][]string{
		{"0e51b9ceb4aedef3f9679481aa11262a6c5ea90a68d0dd0e0002a0b521c445e0", "2020-02", "Leicestershire Police", "Leicestershire Police",
			"-1.132073", "52.629909", "On or near Marquis Street", "", "", "Violence and sexual offences", "Status update unavailable", ""},
		{"0e51b9ceb4aedef3f9679481aa11262a6c5ea90a68d0dd0e0002a0b521c445e0", "2020-02", "Leicestershire Police", "Leicestershire Police",
			"-1.132073", "52.629909", "On or near Marquis Street", "", "", "public-disorder-weapons", "Status update unavailable", ""},
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("street rows\n%q\nwant\n%q", got, want)
	}

	var outcome apiOutcome
	readJSON(t, "outcome.json", &outcome)
	gotO := w.outcomeRows([][]apiOutcome{{outcome}, {outcome}}, func(apiOutcome) bool { return true })
	wantO := [][]string{{"c69de56fd2fcd523ab65b588811caf53e7ff3a577b2bfd2f731173f5f95af99d", "2020-09", "Leicestershire Police",
		"Leicestershire Police", "-1.122319", "52.640374", "On or near Christow Street", "", "", "Investigation complete; no suspect identified"}}
	if !slices.EqualFunc(gotO, wantO, slices.Equal) {
		t.Errorf("outcome rows\n%q\nwant\n%q", gotO, wantO)
	}

	var stop apiStop
	readJSON(t, "stop-and-search.json", &stop)
	var old apiStop // the shape of the API's 2017 documentation
	if err := json.Unmarshal([]byte(`{"type":"Person search","datetime":"2017-01-24T01:50:00+00:00","operation":false,
		"operation_name":null,"location":null,"gender":"Male","age_range":"over 34","outcome":false,
		"outcome_linked_to_object_of_search":null,"removal_of_more_than_outer_clothing":true}`), &old); err != nil {
		t.Fatal(err)
	}
	gotS := stopRows([][]apiStop{{stop, old}})
	wantS := [][]string{
		{"Person search", "2017-01-24T01:50:00+00:00", "False", "", "", "", "Male", "over 34", "", "", "", "", "", "", "True"},
		{"Person search", "2018-06-08T13:40:00+00:00", "", "", "52.63625", "-1.133691", "Male", "over 34",
			"White - English/Welsh/Scottish/Northern Irish/British", "White", "Police and Criminal Evidence Act 1984 (section 1)",
			"Offensive weapons", "A no further action disposal", "", ""},
	}
	if !slices.EqualFunc(gotS, wantS, slices.Equal) {
		t.Errorf("stop rows\n%q\nwant\n%q", gotS, wantS)
	}
}

func TestMergePieces(t *testing.T) {
	a, b, c := []string{"a"}, []string{"b"}, []string{"c"}
	got := mergePieces([][][]string{{a, a, b}, {a, b, c}, {c}})
	sortRows(got, 0)
	if want := [][]string{a, a, b, c}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("merged %v, want %v: twins within a piece kept, repeats across pieces dropped", got, want)
	}
}

func TestClipCoversPolygon(t *testing.T) {
	// An L-shaped (concave) area and a triangle: the quarters' pieces must
	// add up to the whole.
	for _, poly := range [][]LatLng{
		{{51.50, -0.12}, {51.50, -0.06}, {51.51, -0.06}, {51.51, -0.10}, {51.53, -0.10}, {51.53, -0.12}},
		{{51.50, -0.12}, {51.50, -0.06}, {51.53, -0.09}},
	} {
		sum := 0.0
		for _, q := range bounds(poly).quarters() {
			sum += area(clip(poly, q))
		}
		if whole := area(poly); math.Abs(sum-whole) > 1e-12 {
			t.Errorf("quarters cover %g of %g", sum, whole)
		}
	}
	q := box{51.5, -0.12, 51.53, -0.06}.quarters()
	if q[0].maxLat != q[2].minLat || q[0].maxLng != q[1].minLng || math.Round(q[0].maxLat*1e6)/1e6 != q[0].maxLat {
		t.Errorf("quarters %v do not share 6-decimal cut lines", q)
	}
}
