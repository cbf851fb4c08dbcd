package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/safercity/safercity/bng"
	"github.com/safercity/safercity/disclosure"
	"github.com/safercity/safercity/index/indexstage"
	"github.com/safercity/safercity/internal/names"
	"github.com/safercity/safercity/maps"
	"github.com/safercity/safercity/maps/mapdb"
	"github.com/safercity/safercity/queries"
	"github.com/safercity/safercity/scheduler"
)

func (s *Server) routeAPI(rt *router) {
	rt.handle("GET", "/healthz", s.health)
	rt.handle("GET", "/api/jobs", s.apiJobs)
	rt.handle("POST", "/api/jobs/{name}/run", s.apiRunJob)
	rt.handle("GET", "/api/queries", s.apiCatalogue)
	rt.handle("GET", "/api/queries/{name}", s.apiQuery)
	rt.handle("GET", "/api/index/{month}", s.apiIndex)
	rt.handle("GET", "/api/hotspots/{profile}/{month}", s.apiHotspots)
	rt.handle("GET", "/api/hotspots/{profile}/{month}/backtest", s.apiBacktest)
	rt.handle("GET", "/api/maps/{profile}/{month}", s.apiMap)
	rt.handle("GET", "/api/sources", s.apiSources)
	rt.handle("GET", "/api/sql", s.apiSQL)
	rt.handle("POST", "/api/sql", s.apiSQL)
	rt.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusNotFound, "no such API route; the routes are GET /healthz, /api/jobs, /api/queries, /api/queries/{name}, /api/index/{month}, /api/hotspots/{profile}/{month}, /api/hotspots/{profile}/{month}/backtest, /api/maps/{profile}/{month}, /api/sources, /api/sql and POST /api/jobs/{name}/run")
	})
}

// A router registers routes by method and path, and answers other methods
// on a known path with 405 rather than the catch-all's 404.
type router struct {
	s       *Server
	mux     *http.ServeMux
	methods map[string][]string
	paths   []string
}

func (rt *router) handle(method, path string, h http.HandlerFunc) {
	rt.mux.HandleFunc(method+" "+path, h)
	if rt.methods[path] == nil {
		rt.paths = append(rt.paths, path)
	}
	rt.methods[path] = append(rt.methods[path], method)
}

// finish adds the 405 answers.
func (rt *router) finish() {
	for _, path := range rt.paths {
		allow := strings.Join(rt.methods[path], ", ")
		rt.mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			rt.s.fail(w, r, http.StatusMethodNotAllowed, fmt.Sprintf("%s is not allowed here: use %s", r.Method, allow))
		})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		b.Reset()
		fmt.Fprintf(&b, "{\"error\": %q}\n", err.Error())
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// badRequest is an error in what a request asked for; its message says
// what to fix.
type badRequest struct {
	status int
	msg    string
}

func (e *badRequest) Error() string { return e.msg }

func invalid(format string, args ...any) error {
	return &badRequest{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) error {
	return &badRequest{http.StatusNotFound, fmt.Sprintf(format, args...)}
}

// failErr answers with err: its own status for a badRequest, 500 (logged)
// for anything else.
func (s *Server) failErr(w http.ResponseWriter, r *http.Request, err error) {
	var br *badRequest
	if errors.As(err, &br) {
		s.fail(w, r, br.status, br.msg)
		return
	}
	s.log.Error("request failed", "path", r.URL.Path, "error", err)
	s.fail(w, r, http.StatusInternalServerError, err.Error())
}

// Validation of path and query values.
var (
	monthRE = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)
	nameRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,63}$`)
)

func parseMonth(s string) (time.Time, error) {
	if !monthRE.MatchString(s) {
		return time.Time{}, invalid("month %.20q: want YYYY-MM, e.g. 2020-11", s)
	}
	return time.Parse("2006-01", s)
}

// single returns the one value of a query parameter, or def.
func single(q url.Values, key, def string) (string, error) {
	vs, ok := q[key]
	switch {
	case !ok:
		return def, nil
	case len(vs) > 1:
		return "", invalid("give %s once", key)
	}
	return vs[0], nil
}

// format returns the format asked for, one of allowed (the first by default).
func format(q url.Values, allowed ...string) (string, error) {
	f, err := single(q, "format", allowed[0])
	if err != nil {
		return "", err
	}
	for _, a := range allowed {
		if f == a {
			return f, nil
		}
	}
	return "", invalid("format %.20q: want %s", f, strings.Join(allowed, " or "))
}

func limitParam(q url.Values, def, max int) (int, error) {
	s, err := single(q, "limit", strconv.Itoa(def))
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > max {
		return 0, invalid("limit %.20q: want a whole number from 1 to %d", s, max)
	}
	return n, nil
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if err := s.st.DB.PingContext(ctx); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unavailable", "error": err.Error()})
		return
	}
	running, since := s.runner.Running()
	// No file path: it would tell any caller where the data lives.
	out := map[string]any{"status": "ok", "time": time.Now().In(scheduler.London)}
	if running != "" {
		out["running"] = map[string]any{"job": running, "since": since.In(scheduler.London)}
	}
	writeJSON(w, http.StatusOK, out)
}

// jobView is a job with its last run.
type jobView struct {
	scheduler.JobInfo
	Last *scheduler.Run `json:"last"`
}

func (s *Server) jobViews(ctx context.Context) ([]jobView, error) {
	var out []jobView
	for _, ji := range s.runner.Jobs() {
		v := jobView{JobInfo: ji}
		runs, err := scheduler.Runs(ctx, s.st, ji.Name, 1)
		if err != nil {
			return nil, err
		}
		if len(runs) == 1 {
			v.Last = &runs[0]
		}
		out = append(out, v)
	}
	return out, nil
}

// historyParams reads ?job= and ?limit= of the job history.
func (s *Server) historyParams(q url.Values) (job string, limit int, err error) {
	if job, err = single(q, "job", ""); err != nil {
		return "", 0, err
	}
	if job != "" {
		if err := names.Check("job", job, s.runner.Names()); err != nil {
			return "", 0, invalid("%v", err)
		}
	}
	limit, err = limitParam(q, 100, 10000)
	return job, limit, err
}

func (s *Server) apiJobs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := format(q, "json", "csv")
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	job, limit, err := s.historyParams(q)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	runs, err := scheduler.Runs(r.Context(), s.st, job, limit)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	if f == "csv" {
		res := &queries.Result{Columns: []string{"id", "job", "trigger", "attempt", "started", "finished", "status", "rows", "error"}}
		for _, run := range runs {
			var fin any
			if run.Finished != nil {
				fin = run.Finished.Format(time.RFC3339)
			}
			res.Rows = append(res.Rows, []any{run.ID, run.Job, string(run.Trigger), run.Attempt, run.Started.Format(time.RFC3339), fin, string(run.Status), run.Rows, run.Error})
		}
		writeCSV(w, res)
		return
	}
	jobs, err := s.jobViews(r.Context())
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"jobs": jobs, "runs": nonNil(runs)})
}

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

func writeCSV(w http.ResponseWriter, res *queries.Result) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	// The status line has gone out; a failed write means the client went
	// away, and there is no one left to tell.
	_ = res.WriteCSV(w)
}

// trigger queues a job for the API and the dashboard.
func (s *Server) trigger(name string) error {
	err := s.runner.Trigger(name, scheduler.TriggerAPI)
	switch {
	case errors.Is(err, scheduler.ErrUnknownJob):
		return &badRequest{http.StatusNotFound, err.Error()}
	case errors.Is(err, scheduler.ErrBusy):
		return &badRequest{http.StatusConflict, err.Error()}
	case errors.Is(err, scheduler.ErrStopping):
		return &badRequest{http.StatusServiceUnavailable, err.Error()}
	}
	return err
}

func (s *Server) apiRunJob(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if err := s.trigger(name); err != nil {
		s.failErr(w, r, err)
		return
	}
	s.log.Info("job queued by request", "job", name, "remote", r.RemoteAddr)
	writeJSON(w, http.StatusAccepted, map[string]string{"job": name, "status": "queued", "history": "/api/jobs?job=" + url.QueryEscape(name)})
}

func (s *Server) apiCatalogue(w http.ResponseWriter, r *http.Request) {
	qs, err := queries.Catalogue()
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, qs)
}

// reservedParams are query-string keys that are not query parameters.
var reservedParams = map[string]bool{"format": true, "min_events": true}

// queryParams reads a named query's parameters from a query string: as
// name=value, or as param=name=value like the command line's --param.
func queryParams(q url.Values) (map[string]string, error) {
	params := map[string]string{}
	set := func(k, v string) error {
		if _, dup := params[k]; dup {
			return invalid("give parameter %.40q once", k)
		}
		params[k] = v
		return nil
	}
	for k, vs := range q {
		if reservedParams[k] {
			continue
		}
		for _, v := range vs {
			if k == "param" {
				pk, pv, ok := strings.Cut(v, "=")
				if !ok || pk == "" {
					return nil, invalid("param=%.40q: want param=name=value", v)
				}
				k, v = pk, pv
			}
			if err := set(k, v); err != nil {
				return nil, err
			}
		}
	}
	return params, nil
}

// runQuery looks up and runs a named query with the request's parameters.
func (s *Server) runQuery(ctx context.Context, name string, q url.Values) (queries.Query, map[string]string, *queries.Result, error) {
	qu, err := queries.Lookup(name)
	if err != nil {
		return qu, nil, nil, notFound("%v", err)
	}
	params, err := queryParams(q)
	if err != nil {
		return qu, params, nil, err
	}
	if _, err := qu.Args(params); err != nil {
		return qu, params, nil, invalid("%v", err)
	}
	pol := disclosure.Default()
	if v, err := single(q, "min_events", ""); err != nil {
		return qu, params, nil, err
	} else if v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return qu, params, nil, invalid("min_events %.20q: want a whole number", v)
		}
		if pol, err = pol.WithThreshold(n); err != nil {
			return qu, params, nil, invalid("min_events: %v", err)
		}
	}
	res, err := queries.Run(ctx, s.st, qu, params, pol)
	if errors.Is(err, names.ErrUnknown) {
		err = invalid("%v", err)
	}
	return qu, params, res, err
}

func (s *Server) apiQuery(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := format(q, "json", "csv", "xlsx")
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	qu, params, res, err := s.runQuery(r.Context(), r.PathValue("name"), q)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	switch f {
	case "csv":
		writeCSV(w, res)
		return
	case "xlsx":
		var b bytes.Buffer
		if err := res.WriteXLSX(&b); err != nil {
			s.failErr(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="`+qu.Name+`.xlsx"`)
		w.Write(b.Bytes())
		return
	}
	var rows bytes.Buffer
	if err := res.WriteJSON(&rows); err != nil {
		s.failErr(w, r, err)
		return
	}
	out := map[string]any{
		"query": qu.Name, "params": params, "columns": nonNil(res.Columns), "types": nonNil(res.Types),
		"withheld": 0, "rows": json.RawMessage(rows.Bytes()),
	}
	if res.Disclosure != nil {
		out["withheld"], out["disclosure"] = res.Disclosure.Withheld, res.Disclosure
	}
	writeJSON(w, http.StatusOK, out)
}

// indexMonths lists the months with a stored index report, newest first.
func (s *Server) indexMonths(ctx context.Context) ([]string, error) {
	return indexstage.Months(ctx, s.st)
}

// noIndex says that a month has no index and what to do about it.
func (s *Server) noIndex(month string, months []string) error {
	msg := "no index yet: run `safercity index`"
	if month != "" {
		msg = fmt.Sprintf("no index for %s: run `safercity index --month %s`", month, month)
	}
	if j, ok := s.runner.Job("index"); ok && j.Schedule != "" {
		msg += fmt.Sprintf(", or wait for the index job (schedule %q)", j.Schedule)
	}
	if len(months) > 0 {
		msg += "; months with an index: " + strings.Join(months, ", ")
	}
	return notFound("%s", msg)
}

// indexMonth resolves a month of the index API and pages: YYYY-MM or latest.
func (s *Server) indexMonth(ctx context.Context, m string) (time.Time, error) {
	months, err := s.indexMonths(ctx)
	if err != nil {
		return time.Time{}, err
	}
	if m == "latest" {
		if len(months) == 0 {
			return time.Time{}, s.noIndex("", nil)
		}
		m = months[0]
	}
	t, err := parseMonth(m)
	if err != nil {
		return t, err
	}
	for _, have := range months {
		if have == m {
			return t, nil
		}
	}
	return t, s.noIndex(m, months)
}

func (s *Server) apiIndex(w http.ResponseWriter, r *http.Request) {
	f, err := format(r.URL.Query(), "json", "csv")
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	m, err := s.indexMonth(r.Context(), r.PathValue("month"))
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	if f == "csv" {
		rows, err := indexstage.ScoreTable(r.Context(), s.st, m)
		if err != nil {
			s.failErr(w, r, err)
			return
		}
		res, err := queries.Collect(rows)
		if err != nil {
			s.failErr(w, r, err)
			return
		}
		writeCSV(w, res)
		return
	}
	js, err := indexstage.ReportJSON(r.Context(), s.st, m)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write([]byte(js))
}

// hotspotOptions reads a hotspot map's path and query values and checks
// that the hotspots are stored.
func (s *Server) hotspotOptions(ctx context.Context, r *http.Request) (mapdb.Options, error) {
	profile := r.PathValue("profile")
	if !nameRE.MatchString(profile) {
		return mapdb.Options{}, invalid("profile %.40q: want a profile name such as nte or violence", profile)
	}
	m, err := parseMonth(r.PathValue("month"))
	if err != nil {
		return mapdb.Options{}, err
	}
	o := mapdb.Options{Profile: profile, Month: m}
	q := r.URL.Query()
	for _, p := range []struct {
		key string
		dst *string
	}{{"force", &o.Force}, {"layer", &o.Layer}, {"class", &o.Class}} {
		v, err := single(q, p.key, "")
		if err != nil {
			return o, err
		}
		if v != "" && !nameRE.MatchString(v) {
			return o, invalid("%s %.40q: want a lower-case name", p.key, v)
		}
		*p.dst = v
	}
	if o.Class != "" {
		if err := mapdb.CheckClass(o.Class); err != nil {
			return o, invalid("%v", err)
		}
	}
	return o, s.checkStoredMap(ctx, o)
}

// checkStoredMap says, when the hotspots a map asks for are not stored,
// whether a force was mistyped, or what to run and which are stored.
func (s *Server) checkStoredMap(ctx context.Context, o mapdb.Options) error {
	profile, m := o.Profile, o.Month
	stored, err := mapdb.Stored(ctx, s.st, o)
	if err != nil {
		return err
	}
	if !stored && o.Force != "" {
		// A force the profile-month has: the name was mistyped.
		forces, err := mapdb.Forces(ctx, s.st, profile, m)
		if err != nil {
			return err
		}
		if len(forces) > 0 {
			return invalid("%v", names.Check("force", o.Force, forces))
		}
	}
	if !stored {
		runs, err := mapdb.Runs(ctx, s.st)
		if err != nil {
			return err
		}
		msg := fmt.Sprintf("no %s hotspots stored for %s", profile, m.Format("2006-01"))
		if o.Force != "" {
			msg += " for " + o.Force
		}
		msg += fmt.Sprintf(": run `safercity hotspots --profile %s --month %s`", profile, m.Format("2006-01"))
		if len(runs) > 0 {
			var have []string
			for _, hr := range runs {
				have = append(have, hr.Profile+" "+hr.Month)
			}
			msg += "; stored: " + strings.Join(have, ", ")
		}
		return notFound("%s", msg)
	}
	return nil
}

func (s *Server) loadMap(ctx context.Context, o mapdb.Options) (*maps.Map, error) {
	mp, err := mapdb.Load(ctx, s.st, o)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, invalid("%v", err)
	}
	return mp, nil
}

func (s *Server) apiHotspots(w http.ResponseWriter, r *http.Request) {
	o, err := s.hotspotOptions(r.Context(), r)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	mp, err := s.loadMap(r.Context(), o)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	var b bytes.Buffer
	if err := maps.WriteGeoJSON(&b, mp, maps.WGS84, bng.BNGToWGS84); err != nil {
		s.failErr(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/geo+json")
	w.Write(b.Bytes())
}

func (s *Server) apiSources(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := format(q, "json", "csv")
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	limit, err := limitParam(q, 1000, 100000)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	var sf queries.SourceFilter
	for _, p := range []struct {
		key string
		dst *string
	}{{"kind", &sf.Kind}, {"force", &sf.Force}, {"status", &sf.Status}, {"feed", &sf.Feed}} {
		if *p.dst, err = single(q, p.key, ""); err != nil {
			s.failErr(w, r, err)
			return
		}
	}
	res, err := queries.Sources(r.Context(), s.st, sf, limit)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	if f == "csv" {
		writeCSV(w, res)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = res.WriteJSON(w) // as in writeCSV: a failed write means the client went away
}
