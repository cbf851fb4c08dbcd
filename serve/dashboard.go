package serve

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/safercity/safercity/disclosure"
	"github.com/safercity/safercity/index/indexstage"
	"github.com/safercity/safercity/maps"
	"github.com/safercity/safercity/maps/mapdb"
	"github.com/safercity/safercity/queries"
	"github.com/safercity/safercity/scheduler"
)

//go:embed templates/*.html
var templateFiles embed.FS

// page is what every page template gets.
type page struct {
	Title string
	Nav   string // the menu entry to highlight
	Data  any
}

var templateFuncs = template.FuncMap{
	"when": func(t any) string {
		switch t := t.(type) {
		case time.Time:
			return t.In(scheduler.London).Format(scheduler.TimeLayout)
		case *time.Time:
			if t != nil {
				return t.In(scheduler.London).Format(scheduler.TimeLayout)
			}
		}
		return ""
	},
	"schedule": scheduleWords,
	"next": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return nextWords(*t, time.Now())
	},
	"took": func(r scheduler.Run) string {
		if r.Finished == nil {
			return ""
		}
		return r.Finished.Sub(r.Started).Round(time.Millisecond).String()
	},
	"text": queries.Text,
	"query": func(params map[string]string, extra ...string) template.URL {
		v := url.Values{}
		for k, p := range params {
			v.Set(k, p)
		}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return template.URL(v.Encode())
	},
}

func parsePages() map[string]*template.Template {
	pages := map[string]*template.Template{}
	for _, name := range []string{"home", "index", "hotspots", "map", "queries", "query", "jobs", "message"} {
		pages[name] = template.Must(template.New("").Funcs(templateFuncs).ParseFS(templateFiles, "templates/layout.html", "templates/parts.html", "templates/"+name+".html"))
	}
	return pages
}

// render writes a page, buffered so that a template error is a clean 500.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	var b bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&b, "layout", p); err != nil {
		s.log.Error("page not rendered", "page", name, "path", r.URL.Path, "error", err)
		http.Error(w, "the page could not be drawn: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

func (s *Server) routePages(rt *router) {
	rt.handle("GET", "/{$}", s.home)
	rt.handle("GET", "/index", s.indexPage)
	rt.handle("GET", "/index/{month}", s.indexPage)
	rt.handle("GET", "/reports/{file}", s.report)
	rt.handle("GET", "/hotspots", s.hotspotsPage)
	rt.handle("GET", "/hotspots/{profile}/{month}", s.mapPage)
	rt.handle("GET", "/queries", s.queriesPage)
	rt.handle("GET", "/queries/{name}", s.queryPage)
	rt.handle("GET", "/jobs", s.jobsPage)
	rt.handle("POST", "/jobs/{name}/run", s.runJobPage)
	rt.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusNotFound, "There is no page at "+r.URL.Path+".")
	})
}

// notice is a missing piece a page explains instead of showing.
func notice(err error) (string, bool) {
	var br *badRequest
	if errors.As(err, &br) && br.status == http.StatusNotFound {
		return br.msg, true
	}
	return "", false
}

// home is the overview: what data there is, the latest index and maps, jobs.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var d struct {
		queries.Overview
		IndexMonths []string
		Hotspots    []mapdb.Run
		Jobs        []jobView
	}
	var err error
	d.Overview, err = queries.ReadOverview(ctx, s.st)
	if err == nil {
		d.IndexMonths, err = s.indexMonths(ctx)
	}
	if err == nil {
		d.Hotspots, err = mapdb.Runs(ctx, s.st)
	}
	if err == nil {
		d.Jobs, err = s.jobViews(ctx)
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "home", page{Title: "SaferCity", Nav: "home", Data: d})
}

// ragCell is one cell of the index grid.
type ragCell struct {
	Value        string
	RAG          string // GREEN | AMBER | RED | N/A
	Class, Label string // CSS class, and the letter shown so that colour is not the only cue
	Month, Year  string // trend arrows against the previous month and the same month last year
	Detail       string // the tooltip
}

type ragColumn struct{ Measure, Code, Name string }

type ragRow struct {
	Unit  string
	Rank  string
	Cells []ragCell
}

// arrows are the index's trend arrows: better or worse, not up or down.
var arrows = map[string]string{"improving": "▲", "stable": "▶", "worsening": "▼"}

func ragClass(rag string) (class, label string) {
	switch rag {
	case "GREEN":
		return "rag-green", "G"
	case "AMBER":
		return "rag-amber", "A"
	case "RED":
		return "rag-red", "R"
	}
	return "rag-na", "–"
}

func (s *Server) indexPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	month := r.PathValue("month")
	if month == "" {
		month = "latest"
	}
	var d struct {
		Month   string
		Months  []string
		Columns []ragColumn
		Rows    []ragRow
		Report  bool
		Missing string
	}
	m, err := s.indexMonth(ctx, month)
	if msg, ok := notice(err); ok {
		d.Missing = msg
		d.Months, _ = s.indexMonths(ctx)
		status := http.StatusOK
		if month != "latest" {
			status = http.StatusNotFound
		}
		s.render(w, r, status, "index", page{Title: "Resilience index", Nav: "index", Data: d})
		return
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	d.Month = m.Format("2006-01")
	if d.Months, err = s.indexMonths(ctx); err != nil {
		s.failErr(w, r, err)
		return
	}
	d.Columns, d.Rows, err = s.ragGrid(ctx, m)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	if d.Report, err = indexstage.HasHTML(ctx, s.st, m); err != nil {
		s.failErr(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "index", page{Title: "Resilience index " + d.Month, Nav: "index", Data: d})
}

// ragGrid reads a month's scores as units (by overall rank) × measures
// (overall, pillars, indicators, each in the order the index stored them).
func (s *Server) ragGrid(ctx context.Context, m time.Time) ([]ragColumn, []ragRow, error) {
	scores, err := indexstage.Scores(ctx, s.st, m)
	if err != nil {
		return nil, nil, err
	}
	var cols []ragColumn
	colIndex := map[ragColumn]int{}
	cells := map[string]map[int]ragCell{}
	ranks := map[string]int64{}
	for _, sc := range scores {
		c := ragColumn{Measure: sc.Measure, Code: sc.Code, Name: sc.Name}
		i, ok := colIndex[c]
		if !ok {
			i = len(cols)
			colIndex[c] = i
			cols = append(cols, c)
		}
		if cells[sc.Unit] == nil {
			cells[sc.Unit] = map[int]ragCell{}
		}
		cells[sc.Unit][i] = ragCellOf(sc)
		if sc.Measure == "overall" && sc.Rank != nil {
			ranks[sc.Unit] = *sc.Rank
		}
	}
	return cols, ragRows(len(cols), cells, ranks), nil
}

// ragCellOf is a score's cell of the grid, with its tooltip.
func ragCellOf(sc indexstage.StoredScore) ragCell {
	cell := ragCell{RAG: sc.RAG}
	if sc.Value != nil && !math.IsNaN(*sc.Value) {
		cell.Value = strconv.FormatFloat(*sc.Value, 'g', 4, 64)
	}
	cell.Class, cell.Label = ragClass(cell.RAG)
	cell.Month, cell.Year = arrowOf(sc.TrendMonth), arrowOf(sc.TrendYear)
	detail := []string{sc.Name + ": " + cell.RAG}
	if sc.Basis != "" && sc.Reference != nil {
		detail = append(detail, fmt.Sprintf("against %s %s", sc.Basis, strconv.FormatFloat(*sc.Reference, 'g', 4, 64)))
	}
	if sc.TrendMonth != "" {
		detail = append(detail, "vs previous month: "+sc.TrendMonth)
	}
	if sc.TrendYear != "" {
		detail = append(detail, "vs last year: "+sc.TrendYear)
	}
	cell.Detail = strings.Join(detail, "; ")
	return cell
}

// ragRows are the grid's rows, ranked units first by rank, then the others
// by name; a measure a unit lacks is N/A.
func ragRows(ncols int, cells map[string]map[int]ragCell, ranks map[string]int64) []ragRow {
	var out []ragRow
	for unit, byCol := range cells {
		row := ragRow{Unit: unit}
		if rk, ok := ranks[unit]; ok {
			row.Rank = strconv.FormatInt(rk, 10)
		}
		for i := range ncols {
			c, ok := byCol[i]
			if !ok {
				c.Class, c.Label, c.RAG = "rag-na", "–", "N/A"
			}
			row.Cells = append(row.Cells, c)
		}
		out = append(out, row)
	}
	sort.Slice(out, func(i, j int) bool {
		ri, iok := ranks[out[i].Unit]
		rj, jok := ranks[out[j].Unit]
		if iok != jok {
			return iok
		}
		if ri != rj {
			return ri < rj
		}
		return out[i].Unit < out[j].Unit
	})
	return out
}

func arrowOf(trend string) string {
	if a, ok := arrows[trend]; ok {
		return a
	}
	return "–"
}

var reportRE = regexp.MustCompile(`^index-(\d{4}-\d{2})\.html$`)

// report serves a month's stored HTML report, as the index stage wrote it.
func (s *Server) report(w http.ResponseWriter, r *http.Request) {
	mm := reportRE.FindStringSubmatch(r.PathValue("file"))
	if mm == nil {
		s.fail(w, r, http.StatusNotFound, "Reports are at /reports/index-YYYY-MM.html.")
		return
	}
	m, err := s.indexMonth(r.Context(), mm[1])
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	html, err := indexstage.ReportHTML(r.Context(), s.st, m)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write([]byte(html))
}

func (s *Server) hotspotsPage(w http.ResponseWriter, r *http.Request) {
	runs, err := mapdb.Runs(r.Context(), s.st)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "hotspots", page{Title: "Hotspot maps", Nav: "hotspots", Data: runs})
}

// topCell is a line of the table under a map.
type topCell struct {
	GridRef, Location, Trend string
	Crimes                   int64
	Z                        float64
	Bin                      int64
}

func (s *Server) mapPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var d struct {
		Profile, Month, Force, Class, Layer string
		Forces                              []string
		Others                              []mapdb.Run
		SVG                                 template.HTML
		Top                                 []topCell
		Disclosure                          *disclosure.Report
		Missing                             string
	}
	d.Profile, d.Month = r.PathValue("profile"), r.PathValue("month")
	title := "Hotspots " + d.Profile + " " + d.Month
	o, err := s.hotspotOptions(ctx, r)
	if err == nil {
		d.Forces, err = mapdb.Forces(ctx, s.st, o.Profile, o.Month)
	}
	if err == nil {
		var runs []mapdb.Run
		runs, err = mapdb.Runs(ctx, s.st)
		for _, h := range runs {
			if h.Profile != d.Profile || h.Month != d.Month {
				d.Others = append(d.Others, h)
			}
		}
	}
	if msg, ok := notice(err); ok {
		d.Missing = msg
		// The other maps are a courtesy on a page that is already the
		// answer (what is missing); without them it still says it.
		d.Others, _ = mapdb.Runs(ctx, s.st)
		s.render(w, r, http.StatusNotFound, "map", page{Title: title, Nav: "hotspots", Data: d})
		return
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	// One force at a time: forces far apart make a map of specks.
	if o.Force == "" {
		o.Force = d.Forces[0]
	}
	d.Force, d.Class, d.Layer = o.Force, o.Class, o.Layer
	if d.Class == "" {
		d.Class = "bin"
	}
	mp, err := s.loadMap(ctx, o)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	var b bytes.Buffer
	if err := maps.WriteSVG(&b, mp, 1000, 760); err != nil {
		s.failErr(w, r, err)
		return
	}
	svg := b.String()
	if i := strings.Index(svg, "<svg"); i > 0 {
		svg = svg[i:] // an XML declaration has no place inside HTML
	}
	// The SVG is ours: maps.WriteSVG escapes every text it writes.
	d.SVG = template.HTML(svg)
	if d.Top, d.Disclosure, err = s.topCells(ctx, o); err != nil {
		s.failErr(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "map", page{Title: title, Nav: "hotspots", Data: d})
}

// topCells reads the hottest cells of a map for the table under it. A cell
// the disclosure policy withholds (it holds a few partner incidents) is
// left out here as on the map, and counted in the report.
func (s *Server) topCells(ctx context.Context, o mapdb.Options) ([]topCell, *disclosure.Report, error) {
	rep := disclosure.Default().NewReport("cells")
	var top []topCell
	err := mapdb.HotCells(ctx, s.st, o, func(c mapdb.Cell) bool {
		if !rep.Release(c.Incidents).Withheld {
			top = append(top, topCell{GridRef: c.GridRef, Location: c.Location, Trend: c.Trend, Crimes: c.Crimes, Z: c.Z, Bin: c.Bin})
		}
		return len(top) < 15
	})
	if rep.Withheld == 0 {
		rep = nil
	}
	return top, rep, err
}

func (s *Server) queriesPage(w http.ResponseWriter, r *http.Request) {
	qs, err := queries.Catalogue()
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "queries", page{Title: "Queries", Nav: "queries", Data: qs})
}

// maxShown bounds the rows a result page shows; CSV has them all.
const maxShown = 500

// formField is a query parameter on the form.
type formField struct {
	queries.Param
	Value   string
	Input   string   // text, number, date-like text, or select
	Choices []string // for select: the names the store holds
}

// maxChoices bounds the names offered as a list; more (e.g. every LSOA of
// England and Wales) are typed, and checked when the query runs.
const maxChoices = 500

func (s *Server) queryPage(w http.ResponseWriter, r *http.Request) {
	var d struct {
		Query  queries.Query
		Fields []formField
		Params map[string]string
		Result *queries.Result
		Rows   [][]any
		Hidden int
		Error  string
	}
	q, params, res, err := s.runQuery(r.Context(), r.PathValue("name"), r.URL.Query())
	if q.Name == "" {
		s.failErr(w, r, err)
		return
	}
	d.Query, d.Params = q, params
	status := http.StatusOK
	var br *badRequest
	switch {
	case errors.As(err, &br):
		d.Error, status = br.msg, br.status
	case err != nil:
		s.failErr(w, r, err)
		return
	default:
		d.Result, d.Rows = res, res.Rows
		if len(d.Rows) > maxShown {
			d.Rows, d.Hidden = d.Rows[:maxShown], len(d.Rows)-maxShown
		}
	}
	for _, p := range q.Params {
		f := formField{Param: p, Value: p.Default, Input: "text"}
		if v, ok := params[p.Name]; ok {
			f.Value = v
		}
		if p.Type == "INTEGER" || p.Type == "DOUBLE" {
			f.Input = "number"
		}
		names, isName, err := queries.Choices(r.Context(), s.st, p.Name)
		if err != nil {
			s.failErr(w, r, err)
			return
		}
		if isName && len(names) > 0 && len(names) <= maxChoices {
			f.Input, f.Choices = "select", names
			if p.Default == "" {
				f.Choices = append([]string{""}, names...)
			}
		}
		d.Fields = append(d.Fields, f)
	}
	s.render(w, r, status, "query", page{Title: "Query " + q.Name, Nav: "queries", Data: d})
}

func (s *Server) jobsPage(w http.ResponseWriter, r *http.Request) {
	s.showJobs(w, r, http.StatusOK, "")
}

func (s *Server) showJobs(w http.ResponseWriter, r *http.Request, status int, msg string) {
	q := r.URL.Query()
	var d struct {
		Jobs    []jobView
		Runs    []scheduler.Run
		Job     string
		Message string
		Problem bool // the message says why a run was not queued
	}
	job, limit, err := s.historyParams(q)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	if d.Jobs, err = s.jobViews(r.Context()); err != nil {
		s.failErr(w, r, err)
		return
	}
	if d.Runs, err = scheduler.Runs(r.Context(), s.st, job, limit); err != nil {
		s.failErr(w, r, err)
		return
	}
	d.Job, d.Message, d.Problem = job, msg, msg != ""
	if queued := q.Get("queued"); msg == "" && queued != "" {
		if _, ok := s.runner.Job(queued); ok {
			d.Message = queued + " is queued: it runs when the jobs before it have finished. Reload this page to follow it."
		}
	}
	s.render(w, r, status, "jobs", page{Title: "Jobs", Nav: "jobs", Data: d})
}

// runJobPage is the dashboard's Run now button.
func (s *Server) runJobPage(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if err := s.trigger(name); err != nil {
		var br *badRequest
		if errors.As(err, &br) && br.status != http.StatusNotFound {
			s.showJobs(w, r, br.status, err.Error())
			return
		}
		s.failErr(w, r, err)
		return
	}
	s.log.Info("job queued from the dashboard", "job", name, "remote", r.RemoteAddr)
	http.Redirect(w, r, "/jobs?queued="+url.QueryEscape(name), http.StatusSeeOther)
}
