package serve

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/safercity/safercity/hotspots"
	"github.com/safercity/safercity/internal/names"
	"github.com/safercity/safercity/internal/sampletest"
	"github.com/safercity/safercity/internal/schedtest"
	"github.com/safercity/safercity/scheduler"
)

// TestBacktestRoute: the API had no back-test, so `safercity hotspots
// backtest` could not run beside the server. The route builds the profile
// from the server's configuration and checks names as the command does.
func TestBacktestRoute(t *testing.T) {
	st := schedtest.Store(t)
	sampletest.NTEHotspots(t, st, "..")
	nte := hotspots.Profile{Name: "nte", Groups: []string{"nte"}, Measure: "count"}
	s := NewServer(st, schedtest.Runner(t, st, scheduler.RunnerOptions{}), ServerOptions{Log: schedtest.Quiet,
		Profile: func(name string) (hotspots.Options, error) {
			if err := names.Check("profile", name, []string{"nte"}); err != nil {
				return hotspots.Options{}, err
			}
			return hotspots.Options{Profile: nte}, nil
		}})
	w := send(s, "GET", "/api/hotspots/nte/all/backtest?force=City-of-London&inputs=3", local)
	var all []hotspots.Accuracy
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &all) != nil || len(all) == 0 {
		t.Fatalf("back-test: %d %.300s", w.Code, w.Body.String())
	}
	months := map[string]int{}
	for _, a := range all {
		months[a.Month]++
		if a.Force != "city-of-london" || a.Inputs != 3 {
			t.Errorf("row %+v: want city-of-london from 3 months", a)
		}
	}
	last := all[len(all)-1].Month
	w = send(s, "GET", "/api/hotspots/nte/"+last+"/backtest?force=city-of-london&inputs=3&format=text", local)
	body := w.Body.String()
	if w.Code != 200 || strings.Count(body, "\n") != months[last]+1 || !strings.Contains(body, "hit rate %") {
		t.Errorf("the text of %s: %d\n%s(want %d rows)", last, w.Code, body, months[last])
	}
	first := all[0].Month
	w = send(s, "GET", "/api/hotspots/nte/"+first+"/backtest?force=city-of-london&inputs=3", local)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"month": "`+first+`"`) {
		t.Errorf("the first month that has a back-test, %s: %d %s", first, w.Code, w.Body.String())
	}
	early, _ := time.Parse("2006-01", first)
	early = early.AddDate(0, -1, 0)
	w = send(s, "GET", "/api/hotspots/nte/"+early.Format("2006-01")+"/backtest?force=city-of-london&inputs=3", local)
	if w.Code != 404 || !strings.Contains(w.Body.String(), "a test month needs the months before it") {
		t.Errorf("the month before %s, without enough months before it: %d %s, want 404 saying why", first, w.Code, w.Body.String())
	}
	badRequests(t, s, map[string]string{
		"/api/hotspots/nt/all/backtest":                      `did you mean \"nte\"?`,
		"/api/hotspots/nte/all/backtest?force=city-of-londn": `did you mean \"city-of-london\"?`,
		"/api/hotspots/nte/2020-13/backtest":                 "want all",
		"/api/hotspots/nte/all/backtest?inputs=0":            "inputs",
		"/api/hotspots/nte/all/backtest?cell=1":              "cell size",
		"/api/hotspots/nte/all/backtest?format=csv":          "format",
		"/api/hotspots/nte/all/backtest?band=x":              "band",
	})
	// A back-test cut off by the request's time limit says so and what to
	// do, not a bare 500 "context deadline exceeded".
	req := httptest.NewRequest("GET", "/api/hotspots/nte/all/backtest", nil)
	req.RemoteAddr, req.Host = local, "127.0.0.1:8080"
	ctx, cancel := context.WithCancel(req.Context())
	cancel()
	cut := httptest.NewRecorder()
	s.ServeHTTP(cut, req.WithContext(ctx))
	if cut.Code != http.StatusServiceUnavailable || !strings.Contains(cut.Body.String(), "force=") {
		t.Errorf("a back-test cut off: %d %s, want 503 saying how to narrow it", cut.Code, cut.Body.String())
	}
	withIncidents := nte
	withIncidents.Incidents = true
	s = NewServer(st, schedtest.Runner(t, st, scheduler.RunnerOptions{}), ServerOptions{Tokens: []string{testToken}, Log: schedtest.Quiet,
		Profile: func(string) (hotspots.Options, error) { return hotspots.Options{Profile: withIncidents}, nil }})
	if w := send(s, "GET", "/api/hotspots/nte/all/backtest", "192.0.2.7:5000", "Authorization", "Bearer "+testToken); w.Code != 403 {
		t.Errorf("a back-test with partner incidents for another machine: %d %s, want 403", w.Code, w.Body.String())
	}
}
