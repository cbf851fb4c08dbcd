package policeapi

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock moves only when slept on, so tests see minutes of waiting
// without taking them.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	f.slept = append(f.slept, d)
	return nil
}

// record is one served record with what the fake needs to select it.
type record struct {
	raw      json.RawMessage
	id       int64
	month    string
	located  bool
	lat, lng float64
}

// fakeAPI replays data.police.uk: answers in the real API's shape, built
// from testdata (real City of London records of June 2019, see
// testdata/README.md), areas selected by point in polygon, 503 for an area
// holding more than limit results, 400 for a GET longer than 4,094
// characters.
type fakeAPI struct {
	t        *testing.T
	srv      *httptest.Server
	crimes   []record
	outcomes []record
	stops    []record
	hoods    json.RawMessage
	borders  map[string]json.RawMessage

	mu sync.Mutex
	// limit is the most results an area may hold; the real API's is 10,000.
	limit int
	// stopsForceAll makes stops-force include the searches without a
	// location, as well as stops-no-location.
	stopsForceAll bool
	// hook, when set, sees each request first (n counts from 1) and may
	// answer it itself.
	hook   func(w http.ResponseWriter, r *http.Request, n int) bool
	log    []string      // method, path and parameters of each request
	served map[int64]int // times each record id was served by an area request
	status map[int]int   // answers by status
}

func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	f := &fakeAPI{t: t, limit: 10000, stopsForceAll: true, served: map[int64]int{}, status: map[int]int{}}
	var crimes []json.RawMessage
	readJSON(t, "city-of-london-2019-06-crimes.json", &crimes)
	for _, raw := range crimes {
		var c apiCrime
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatal(err)
		}
		rec := record{raw: raw, id: c.ID, month: c.Month}
		if c.Location != nil {
			rec.located, rec.lat, rec.lng = true, parseFloat(t, c.Location.Latitude), parseFloat(t, c.Location.Longitude)
		}
		f.crimes = append(f.crimes, rec)
		if c.OutcomeStatus != nil && c.Location != nil {
			f.outcomes = append(f.outcomes, outcomeOf(t, raw, rec))
		}
	}
	var stops []json.RawMessage
	readJSON(t, "city-of-london-2019-06-stops.json", &stops)
	for i, raw := range stops {
		var s apiStop
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatal(err)
		}
		at, err := time.Parse(time.RFC3339, s.Datetime)
		if err != nil {
			t.Fatal(err)
		}
		// police.uk files a search under its month in London time.
		rec := record{raw: raw, id: int64(-1 - i), month: at.In(london).Format("2006-01")}
		if s.Location != nil {
			rec.located, rec.lat, rec.lng = true, parseFloat(t, s.Location.Latitude), parseFloat(t, s.Location.Longitude)
		}
		f.stops = append(f.stops, rec)
	}
	f.hoods = readFile(t, "city-of-london-neighbourhoods.json")
	readJSON(t, "city-of-london-boundaries.json", &f.borders)
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// outcomeOf makes the outcomes-at-location record of a crime's latest
// outcome, in the documented shape.
func outcomeOf(t *testing.T, crimeRaw json.RawMessage, crime record) record {
	var c map[string]any
	if err := json.Unmarshal(crimeRaw, &c); err != nil {
		t.Fatal(err)
	}
	status := c["outcome_status"].(map[string]any)
	delete(c, "outcome_status")
	name := status["category"].(string)
	raw, err := json.Marshal(map[string]any{
		"category":  map[string]any{"code": strings.ToLower(strings.ReplaceAll(name, " ", "-")), "name": name},
		"date":      status["date"],
		"person_id": nil,
		"crime":     c,
	})
	if err != nil {
		t.Fatal(err)
	}
	crime.raw, crime.month = raw, status["date"].(string)
	return crime
}

// client returns a client of the fake with a fake clock, so that no test
// sleeps.
func (f *fakeAPI) client() *Client {
	return &Client{BaseURL: f.srv.URL + "/api", UserAgent: "safercity-test", clock: newFakeClock(),
		Logger: slog.New(slog.DiscardHandler)}
}

// answers counts the answers given with status.
func (f *fakeAPI) answers(status int) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status[status]
}

// timesServed counts the area answers that held the record.
func (f *fakeAPI) timesServed(id int64) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.served[id]
}

func (f *fakeAPI) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.log...)
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.log = append(f.log, r.Method+" "+r.URL.Path+"?"+r.Form.Encode())
	n, hook := len(f.log), f.hook
	f.mu.Unlock()
	if hook != nil && hook(w, r, n) {
		return
	}
	if r.Method == http.MethodGet && len(r.URL.RequestURI()) > maxGetURL {
		f.answer(w, http.StatusBadRequest, nil)
		return
	}
	month := r.Form.Get("date")
	path := strings.TrimPrefix(r.URL.Path, "/api/")
	switch {
	case path == "crimes-street-dates":
		w.Write(readFile(f.t, "crimes-street-dates.json"))
	case path == "crime-categories":
		w.Write(readFile(f.t, "crime-categories.json"))
	case path == "forces":
		w.Write(readFile(f.t, "forces.json"))
	case path == "crime-last-updated":
		w.Write([]byte(`{"date":"2020-09-01"}`))
	case path == "city-of-london/neighbourhoods":
		w.Write(f.hoods)
	case strings.HasPrefix(path, "city-of-london/") && strings.HasSuffix(path, "/boundary"):
		b, ok := f.borders[strings.TrimSuffix(strings.TrimPrefix(path, "city-of-london/"), "/boundary")]
		if !ok {
			f.answer(w, http.StatusNotFound, nil)
			return
		}
		w.Write(b)
	case path == "crimes-street/all-crime":
		f.area(w, f.crimes, month, r.Form.Get("poly"))
	case path == "outcomes-at-location":
		f.area(w, f.outcomes, month, r.Form.Get("poly"))
	case path == "stops-street":
		f.area(w, f.stops, month, r.Form.Get("poly"))
	case path == "crimes-no-location" && r.Form.Get("force") == "city-of-london":
		f.answer(w, http.StatusOK, selectRecords(f.crimes, month, func(r record) bool { return !r.located }))
	case path == "stops-force" && r.Form.Get("force") == "city-of-london":
		f.answer(w, http.StatusOK, selectRecords(f.stops, month, func(r record) bool { return r.located || f.stopsForceAll }))
	case path == "stops-no-location" && r.Form.Get("force") == "city-of-london":
		f.answer(w, http.StatusOK, selectRecords(f.stops, month, func(r record) bool { return !r.located }))
	default:
		f.answer(w, http.StatusNotFound, nil)
	}
}

func (f *fakeAPI) area(w http.ResponseWriter, recs []record, month, polyParam string) {
	poly, err := parsePoly(polyParam)
	if err != nil {
		f.answer(w, http.StatusBadRequest, nil)
		return
	}
	in := selectRecords(recs, month, func(r record) bool { return r.located && inPolygon(LatLng{r.lat, r.lng}, poly) })
	f.mu.Lock()
	limit := f.limit
	f.mu.Unlock()
	if len(in) > limit {
		f.answer(w, http.StatusServiceUnavailable, nil)
		return
	}
	f.mu.Lock()
	for _, r := range in {
		f.served[r.id]++
	}
	f.mu.Unlock()
	f.answer(w, http.StatusOK, in)
}

func (f *fakeAPI) answer(w http.ResponseWriter, status int, recs []record) {
	f.mu.Lock()
	f.status[status]++
	f.mu.Unlock()
	if status != http.StatusOK {
		w.WriteHeader(status)
		return
	}
	raws := make([]string, len(recs))
	for i, r := range recs {
		raws[i] = string(r.raw)
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, "[%s]", strings.Join(raws, ","))
}

func selectRecords(recs []record, month string, keep func(record) bool) []record {
	var out []record
	for _, r := range recs {
		if r.month == month && keep(r) {
			out = append(out, r)
		}
	}
	return out
}

func parsePoly(s string) ([]LatLng, error) {
	var poly []LatLng
	for _, pt := range strings.Split(s, ":") {
		lat, lng, ok := strings.Cut(pt, ",")
		if !ok {
			return nil, fmt.Errorf("point %q", pt)
		}
		la, err1 := strconv.ParseFloat(lat, 64)
		ln, err2 := strconv.ParseFloat(lng, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("point %q", pt)
		}
		poly = append(poly, LatLng{la, ln})
	}
	return poly, nil
}

// inPolygon reports whether p is inside poly or on its boundary. Counting
// the boundary in makes a point on a cut line come back from both sides, as
// the client must expect.
func inPolygon(p LatLng, poly []LatLng) bool {
	in := false
	for i, a := range poly {
		b := poly[(i+1)%len(poly)]
		cross := (b.Lng-a.Lng)*(p.Lat-a.Lat) - (b.Lat-a.Lat)*(p.Lng-a.Lng)
		if math.Abs(cross) < 1e-12 && min(a.Lat, b.Lat) <= p.Lat && p.Lat <= max(a.Lat, b.Lat) &&
			min(a.Lng, b.Lng) <= p.Lng && p.Lng <= max(a.Lng, b.Lng) {
			return true
		}
		if (a.Lat > p.Lat) != (b.Lat > p.Lat) && p.Lng < a.Lng+(p.Lat-a.Lat)*(b.Lng-a.Lng)/(b.Lat-a.Lat) {
			in = !in
		}
	}
	return in
}

var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	return loc
}()

// markBTP makes the crimes with these ids, and their outcomes, British
// Transport Police crimes.
func (f *fakeAPI) markBTP(ids ...int64) {
	f.t.Helper()
	mark := func(raw json.RawMessage, inner bool) json.RawMessage {
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			f.t.Fatal(err)
		}
		if inner {
			m["crime"].(map[string]any)["location_type"] = "BTP"
		} else {
			m["location_type"] = "BTP"
		}
		b, err := json.Marshal(m)
		if err != nil {
			f.t.Fatal(err)
		}
		return b
	}
	for _, id := range ids {
		for i := range f.crimes {
			if f.crimes[i].id == id {
				f.crimes[i].raw = mark(f.crimes[i].raw, false)
			}
		}
		for i := range f.outcomes {
			if f.outcomes[i].id == id {
				f.outcomes[i].raw = mark(f.outcomes[i].raw, true)
			}
		}
	}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	if err := json.Unmarshal(readFile(t, name), v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func parseFloat(t *testing.T, s string) float64 {
	t.Helper()
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return x
}
