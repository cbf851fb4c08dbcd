package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/safercity/safercity/index"
)

var units = []string{"City of London", "Leicester", "Bristol", "Brighton & Hove", "Leeds", "Manchester", "Newcastle upon Tyne", "Cardiff"}

func target(v float64) *float64 { return &v }

// framework is London First's three pillars with crime-style indicators.
var framework = &index.Framework{
	Pillars: []index.Pillar{
		{Code: "DIG", Name: "Digital security"},
		{Code: "INF", Name: "Infrastructural and organisational resilience"},
		{Code: "PPS", Name: "Personal and public security"},
	},
	Indicators: []index.Indicator{
		{Code: "fraud", Name: "Cyber-enabled fraud per 1,000", Pillar: "DIG", Direction: index.LowerIsBetter, Unit: "per 1,000 residents", Source: "Action Fraud"},
		{Code: "cyberplan", Name: "Cyber plan maturity", Pillar: "DIG", Direction: index.HigherIsBetter, Unit: "score", Source: "partner"},
		{Code: "outage", Name: "Service outage hours", Pillar: "INF", Direction: index.LowerIsBetter, Unit: "hours", Source: "partner"},
		{Code: "exercises", Name: "Resilience exercises", Pillar: "INF", Direction: index.HigherIsBetter, Unit: "count", Source: "partner"},
		{Code: "violence", Name: "Violence per 1,000", Pillar: "PPS", Direction: index.LowerIsBetter, Unit: "per 1,000 residents", Source: "police.uk", Target: target(9)},
		{Code: "burglary", Name: "Burglary per 1,000", Pillar: "PPS", Direction: index.LowerIsBetter, Unit: "per 1,000 residents", Source: "police.uk", Target: target(4)},
		{Code: "outcomes", Name: "Charge rate", Pillar: "PPS", Direction: index.HigherIsBetter, Unit: "%", Source: "police.uk"},
		{Code: "concentration", Name: "Crime concentration (top 5% of LSOAs)", Pillar: "PPS", Direction: index.LowerIsBetter, Unit: "% of crime", Source: "police.uk"},
	},
}

// history computes 14 monthly results, 2024-02 to 2025-03, from random
// walks, with a few missing values.
func history(t *testing.T) []*index.Result {
	t.Helper()
	rng := rand.New(rand.NewPCG(2025, 3))
	base := make([][]float64, len(units))
	for i := range base {
		base[i] = make([]float64, len(framework.Indicators))
		for j := range base[i] {
			base[i][j] = 5 + 10*rng.Float64()
		}
	}
	m := index.DefaultMethod()
	m.Uncertainty.Draws = 400
	var out []*index.Result
	var prev *index.Table
	for k := range 14 {
		period := fmt.Sprintf("%d-%02d", 2024+(k+1)/12, (k+1)%12+1)
		tab := &index.Table{Period: period, Units: units}
		for _, ind := range framework.Indicators {
			tab.Codes = append(tab.Codes, ind.Code)
		}
		for i := range units {
			row := make([]float64, len(base[i]))
			for j := range row {
				base[i][j] *= math.Exp(0.08 * rng.NormFloat64())
				row[j] = base[i][j]
				if rng.Float64() < 0.03 {
					row[j] = math.NaN()
				}
			}
			tab.Values = append(tab.Values, row)
		}
		r, err := index.Compute(framework, tab, prev, m)
		if err != nil {
			t.Fatalf("%s: %v", period, err)
		}
		out = append(out, r)
		prev = tab
	}
	return out
}

func buildReport(t *testing.T) *Report {
	t.Helper()
	h := history(t)
	cur := h[len(h)-1]
	if cur.Period != "2025-03" {
		t.Fatalf("current period %s", cur.Period)
	}
	r, err := New("City resilience index", cur, h[:len(h)-1], index.DefaultRAGRules())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestNewPicksComparisonPeriods(t *testing.T) {
	r := buildReport(t)
	if r.PreviousMonth == nil || r.PreviousMonth.Period != "2025-02" || r.LastYear == nil || r.LastYear.Period != "2024-03" {
		t.Fatalf("previous %v, last year %v", r.PreviousMonth, r.LastYear)
	}
	if len(r.History) != 12 || r.History[0].Period != "2024-03" || r.History[11].Period != "2025-02" {
		t.Errorf("history has %d months from %s", len(r.History), r.History[0].Period)
	}
	if _, err := New("x", r.Result, []*index.Result{r.Result}, index.DefaultRAGRules()); err == nil {
		t.Error("the current period was accepted as a past period")
	}
}

// element is a parsed HTML element with its text.
type element struct {
	name  string
	attrs map[string]string
	text  string
	kids  []*element
}

// parseHTML parses the page with encoding/xml in its HTML mode, which also
// checks that the page is well formed.
func parseHTML(t *testing.T, page []byte) *element {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(page))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	root := &element{name: "#root"}
	stack := []*element{root}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("parsing HTML: %v", err)
		}
		top := stack[len(stack)-1]
		switch tok := tok.(type) {
		case xml.StartElement:
			e := &element{name: strings.ToLower(tok.Name.Local), attrs: map[string]string{}}
			for _, a := range tok.Attr {
				name := a.Name.Local
				if a.Name.Space != "" {
					name = a.Name.Space + ":" + name
				}
				e.attrs[strings.ToLower(name)] = a.Value
			}
			top.kids = append(top.kids, e)
			stack = append(stack, e)
		case xml.EndElement:
			if len(stack) < 2 || stack[len(stack)-1].name != strings.ToLower(tok.Name.Local) {
				t.Fatalf("unbalanced </%s>", tok.Name.Local)
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			for _, e := range stack[1:] {
				e.text += string(tok)
			}
		}
	}
	if len(stack) != 1 {
		t.Fatalf("%d elements left open", len(stack)-1)
	}
	return root
}

func (e *element) all(match func(*element) bool) []*element {
	var out []*element
	var walk func(*element)
	walk = func(x *element) {
		if match(x) {
			out = append(out, x)
		}
		for _, k := range x.kids {
			walk(k)
		}
	}
	walk(e)
	return out
}

func byClass(class string) func(*element) bool {
	return func(e *element) bool { return strings.Contains(" "+e.attrs["class"]+" ", " "+class+" ") }
}

func TestHTMLShowsUnitsRatingsAndCharts(t *testing.T) {
	r := buildReport(t)
	var buf bytes.Buffer
	if err := WriteHTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	doc := parseHTML(t, buf.Bytes())

	tables := doc.all(func(e *element) bool { return e.name == "table" })
	var league, grid *element
	for _, tb := range tables {
		switch tb.attrs["class"] {
		case "league":
			league = tb
		case "grid":
			grid = tb
		}
	}
	if league == nil || grid == nil {
		t.Fatal("league table or rating grid missing")
	}

	checkLeague(t, r, league)
	checkGrid(t, r.Assessment, grid)

	// The accessible colours are defined in the inline style sheet.
	style := doc.all(func(e *element) bool { return e.name == "style" })
	if len(style) != 1 {
		t.Fatalf("%d style elements", len(style))
	}
	for _, rule := range []string{".rag-green { background: #1b7837; color: #fff; }", ".rag-amber { background: #fdb863; color: #1a1a1a; }", ".rag-red { background: #b2182b; color: #fff; }"} {
		if !strings.Contains(style[0].text, rule) {
			t.Errorf("style sheet lacks %q", rule)
		}
	}
	if !strings.Contains(buf.String(), "Brighton &amp; Hove") {
		t.Error("unit names are not escaped")
	}
}

// checkLeague checks the league table's rows: in rank order, every unit
// once, each with its score bar, rank interval and sparkline.
func checkLeague(t *testing.T, r *Report, league *element) {
	t.Helper()
	// League rows in rank order with every unit once.
	rows := league.all(func(e *element) bool { return e.name == "tr" })[1:]
	if len(rows) != len(units) {
		t.Fatalf("league table has %d rows, want %d", len(rows), len(units))
	}
	seen := map[string]bool{}
	lastRank := 0
	for _, row := range rows {
		name := strings.TrimSpace(row.all(func(e *element) bool { return e.name == "th" })[0].text)
		seen[name] = true
		u := r.Result.Unit(name)
		if u == nil {
			t.Fatalf("league row for unknown unit %q", name)
		}
		rank, _ := strconv.Atoi(strings.TrimSpace(row.kids[0].text))
		if rank != u.Rank || rank < lastRank {
			t.Errorf("%s shown at rank %d, has rank %d", name, rank, u.Rank)
		}
		lastRank = rank
		if n := len(row.all(func(e *element) bool { return e.name == "svg" })); n != 3 {
			t.Errorf("%s: %d inline charts, want score bar, rank interval and sparkline", name, n)
		}
		if len(row.all(byClass("range"))) != 1 || len(row.all(byClass("spark"))) != 1 {
			t.Errorf("%s: rank interval or sparkline missing", name)
		}
	}
	for _, u := range units {
		if !seen[u] {
			t.Errorf("unit %q missing from the league table", u)
		}
	}
}

// checkGrid checks that every grid cell's colour class matches its rating
// and carries the rating as text too.
func checkGrid(t *testing.T, a *index.Assessment, grid *element) {
	t.Helper()
	classOf := map[index.Status]string{index.Green: "rag-green", index.Amber: "rag-amber", index.Red: "rag-red", index.Unrated: "rag-na"}
	labelOf := map[index.Status]string{index.Green: "G", index.Amber: "A", index.Red: "R", index.Unrated: "–"}
	counts := map[index.Status]int{}
	gridRows := grid.all(func(e *element) bool { return e.name == "tr" })[1:]
	for _, row := range gridRows {
		name := strings.TrimSpace(row.kids[0].text)
		i := -1
		for k, u := range a.Units {
			if u == name {
				i = k
			}
		}
		if i < 0 {
			t.Fatalf("grid row for unknown unit %q", name)
		}
		cells := row.all(func(e *element) bool { return e.name == "td" })
		if len(cells) != len(a.Measures) {
			t.Fatalf("%s: %d grid cells, want %d", name, len(cells), len(a.Measures))
		}
		for k, c := range cells {
			st := a.Ratings[i][k].Status
			counts[st]++
			if c.attrs["class"] != classOf[st] {
				t.Errorf("%s %s: class %q, rating %v", name, a.Measures[k].Code, c.attrs["class"], st)
			}
			lab := c.all(byClass("lab"))
			if len(lab) != 1 || strings.TrimSpace(lab[0].text) != labelOf[st] {
				t.Errorf("%s %s: no text label %q for colour", name, a.Measures[k].Code, labelOf[st])
			}
			if !strings.Contains(c.text, a.Ratings[i][k].VsPreviousMonth.Arrow()) {
				t.Errorf("%s %s: trend arrow missing", name, a.Measures[k].Code)
			}
		}
	}
	if counts[index.Green] == 0 || counts[index.Red] == 0 {
		t.Errorf("ratings %v: want both GREEN and RED in the test data", counts)
	}
}

func TestHTMLIsSelfContained(t *testing.T) {
	r := buildReport(t)
	var buf bytes.Buffer
	if err := WriteHTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	doc := parseHTML(t, buf.Bytes())
	for _, e := range doc.all(func(*element) bool { return true }) {
		switch e.name {
		case "script", "link", "img", "iframe", "object", "embed", "video", "audio", "source", "use", "image":
			t.Errorf("page has a <%s> element", e.name)
		}
		for k, v := range e.attrs {
			if regexp.MustCompile(`(?i)^\s*(https?:|//|ftp:)`).MatchString(v) {
				t.Errorf("<%s %s=%q> refers outside the page", e.name, k, v)
			}
		}
	}
	if regexp.MustCompile(`(?i)https?://|url\(|@import`).Match(buf.Bytes()) {
		t.Error("page mentions an external URL, url() or @import")
	}
}

func TestCSV(t *testing.T) {
	r := buildReport(t)
	var buf bytes.Buffer
	if err := WriteCSV(&buf, r); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	measures := 1 + len(framework.Pillars) + len(framework.Indicators)
	if len(recs) != 1+len(units)*measures {
		t.Fatalf("%d records, want %d", len(recs), 1+len(units)*measures)
	}
	col := map[string]int{}
	for k, h := range recs[0] {
		col[h] = k
	}
	var missing int
	for _, rec := range recs[1:] {
		u := r.Result.Unit(rec[col["unit"]])
		if u == nil {
			t.Fatalf("row for unknown unit %q", rec[col["unit"]])
		}
		switch rec[col["measure"]] {
		case "overall":
			score, _ := strconv.ParseFloat(rec[col["value"]], 64)
			if score != u.Score || rec[col["rank"]] != strconv.Itoa(u.Rank) || rec[col["rank_p05"]] != strconv.Itoa(u.Interval.P05) {
				t.Errorf("%s overall row %v", u.Unit, rec)
			}
		case "indicator":
			if rec[col["value"]] == "" {
				missing++
				if !strings.Contains(rec[col["flags"]], "missing") {
					t.Errorf("%s %s: empty value not flagged missing", u.Unit, rec[col["code"]])
				}
			}
		}
	}
	if missing == 0 {
		t.Error("test data has no missing values in the CSV")
	}
}

func TestJSON(t *testing.T) {
	r := buildReport(t)
	var buf bytes.Buffer
	if err := WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Period string `json:"period"`
		Method struct {
			Uncertainty struct {
				Draws int    `json:"draws"`
				Seed  uint64 `json:"seed"`
			} `json:"uncertainty"`
		} `json:"method"`
		Units []struct {
			Unit      string   `json:"unit"`
			Districts []string `json:"districts"`
			Score     *float64 `json:"score"`
			Rank      int      `json:"rank"`
			OverTime  []struct {
				Period string  `json:"period"`
				Score  float64 `json:"score"`
			} `json:"scores_over_time"`
			Rating struct {
				Status string `json:"status"`
			} `json:"rating"`
			Indicators []struct {
				Code  string   `json:"code"`
				Value *float64 `json:"value"`
				Flags string   `json:"flags"`
			} `json:"indicators"`
		} `json:"units"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Period != "2025-03" || doc.Method.Uncertainty.Draws != 400 || doc.Method.Uncertainty.Seed != 1 || len(doc.Units) != len(units) {
		t.Fatalf("document %+v", doc)
	}
	for _, ju := range doc.Units {
		u := r.Result.Unit(ju.Unit)
		if u == nil || ju.Score == nil || *ju.Score != u.Score || ju.Rank != u.Rank || ju.Rating.Status == "" || ju.Districts == nil {
			t.Errorf("unit %+v", ju)
		}
		// Twelve earlier months and this one, oldest first, ending with the
		// unit's score now.
		if n := len(ju.OverTime); n != 13 || ju.OverTime[0].Period != "2024-03" || ju.OverTime[n-1].Score != u.Score {
			t.Errorf("%s: scores over time %+v", ju.Unit, ju.OverTime)
		}
		for j, ji := range ju.Indicators {
			if (ji.Value == nil) != math.IsNaN(u.Values[j]) {
				t.Errorf("%s %s: value %v, want %v", u.Unit, ji.Code, ji.Value, u.Values[j])
			}
		}
	}
}

func TestSummaryNamesMoverAndDriver(t *testing.T) {
	fw := &index.Framework{
		Pillars: []index.Pillar{{Code: "PPS", Name: "Personal and public security"}},
		Indicators: []index.Indicator{
			{Code: "burglary", Name: "Burglary per 1,000", Pillar: "PPS", Direction: index.LowerIsBetter, Unit: "per 1,000 residents"},
			{Code: "robbery", Name: "Robbery per 1,000", Pillar: "PPS", Direction: index.LowerIsBetter, Unit: "per 1,000 residents"},
		},
	}
	tab := func(period string, leicesterBurglary float64) *index.Table {
		return &index.Table{
			Period: period, Units: []string{"Bristol", "Leicester", "Leeds", "Cardiff"}, Codes: []string{"burglary", "robbery"},
			Values: [][]float64{{3, 1}, {leicesterBurglary, 1.5}, {4, 1.2}, {5, 2}},
		}
	}
	m := index.Method{}
	prev, err := index.Compute(fw, tab("2025-02", 6), nil, m)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := index.Compute(fw, tab("2025-03", 2), nil, m)
	if err != nil {
		t.Fatal(err)
	}
	r, err := New("Test", cur, []*index.Result{prev}, index.DefaultRAGRules())
	if err != nil {
		t.Fatal(err)
	}
	from, to := prev.Unit("Leicester").Rank, cur.Unit("Leicester").Rank
	want := fmt.Sprintf("Leicester rose %d %s to %s since 2025-02", from-to, plural(from-to, "place", "places"), ordinal(to))
	text := strings.Join(r.Summary, "\n")
	if !strings.Contains(text, want) || !strings.Contains(text, "Burglary per 1,000, which improved from 6.00 to 2.00 per 1,000 residents") {
		t.Errorf("summary does not explain Leicester's rise (%s):\n%s", want, text)
	}
}

func TestWriteFiles(t *testing.T) {
	r := buildReport(t)
	dir := t.TempDir()
	paths, err := WriteFiles(dir, r)
	if err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{".html", ".csv", ".json", ".xlsx"} {
		p := filepath.Join(dir, "index-2025-03"+ext)
		if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", p, err)
		}
	}
	if len(paths) != 4 {
		t.Errorf("paths %v", paths)
	}
}

// TestXLSX: the workbook holds the CSV's rows with numbers as number cells.
func TestXLSX(t *testing.T) {
	r := buildReport(t)
	var csvBuf, xBuf bytes.Buffer
	if err := WriteCSV(&csvBuf, r); err != nil {
		t.Fatal(err)
	}
	if err := WriteXLSX(&xBuf, r); err != nil {
		t.Fatal(err)
	}
	recs, _ := csv.NewReader(&csvBuf).ReadAll()
	f, err := excelize.OpenReader(&xBuf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := "index 2025-03"
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil || len(rows) != len(recs) {
		t.Fatalf("%d rows (%v), want %d", len(rows), err, len(recs))
	}
	col := map[string]int{}
	for k, h := range recs[0] {
		col[h] = k
	}
	for i := 1; i < len(recs); i++ {
		want, _ := strconv.ParseFloat(recs[i][col["value"]], 64)
		got, err := strconv.ParseFloat(cellAt(rows[i], col["value"]), 64)
		// Excel keeps 15 significant digits.
		if recs[i][col["value"]] != "" && (err != nil || math.Abs(got-want) > 1e-13*math.Abs(want)) {
			t.Fatalf("row %d value %q, want %v", i, cellAt(rows[i], col["value"]), want)
		}
	}
	ref, _ := excelize.CoordinatesToCellName(col["value"]+1, 2)
	if typ, _ := f.GetCellType(sheet, ref); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("value cell %s of type %v, want a number", ref, typ)
	}
}

func cellAt(row []string, i int) string {
	if i < len(row) {
		return row[i]
	}
	return ""
}

func TestOrdinal(t *testing.T) {
	for n, want := range map[int]string{1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 11: "11th", 12: "12th", 13: "13th", 21: "21st", 102: "102nd", 111: "111th"} {
		if got := ordinal(n); got != want {
			t.Errorf("ordinal(%d) = %s, want %s", n, got, want)
		}
	}
}

// TestHTMLMapsAndExclusions gives units their districts: the report draws
// a map per score with each district in its unit's colour class, names
// every exclusion with its districts and reason, and anchors each unit.
func TestHTMLMapsAndExclusions(t *testing.T) {
	r := buildReport(t)
	res := r.Result
	res.Districts = map[string][]string{}
	for _, u := range res.Units {
		res.Districts[u.Unit] = []string{u.Unit}
	}
	res.Districts["Newcastle upon Tyne"] = []string{"Newcastle upon Tyne", "Gateshead"}
	res.Excluded = append(res.Excluded, index.Exclusion{Unit: "Tower Hamlets", Districts: []string{"Tower Hamlets"}, Reason: "has only border crimes"})
	var buf bytes.Buffer
	if err := WriteHTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	root := parseHTML(t, buf.Bytes())
	maps := root.all(byClass("map"))
	if len(maps) != 1+len(res.Framework.Pillars) {
		t.Fatalf("%d maps, want the overall score and %d pillars", len(maps), len(res.Framework.Pillars))
	}
	titles := map[string]string{} // district → fill in the overall map
	for _, use := range maps[0].all(func(e *element) bool { return e.name == "use" }) {
		for _, k := range use.kids {
			if k.name == "title" {
				titles[strings.SplitN(k.text, ":", 2)[0]] = use.attrs["fill"]
			}
		}
	}
	gateshead, newcastle := titles["Gateshead (Newcastle upon Tyne)"], titles["Newcastle upon Tyne (Newcastle upon Tyne)"]
	if gateshead == "" || gateshead != newcastle || !slices.Contains(mapColours, gateshead) {
		t.Errorf("Gateshead filled %q and Newcastle %q: want the same class colour, as one unit", gateshead, newcastle)
	}
	// Cardiff, a Welsh district, has no bundled outline: the maps say so.
	if _, drawn := titles["Cardiff (Cardiff)"]; drawn || !regexp.MustCompile(`Scored but not drawn: [^<]*Cardiff \(Cardiff\)`).MatchString(buf.String()) {
		t.Errorf("Cardiff drawn %v, or not named as not drawn", drawn)
	}
	if titles["Tower Hamlets"] != "#d9d9d9" {
		t.Errorf("excluded Tower Hamlets filled %q", titles["Tower Hamlets"])
	}
	page := buf.String()
	for _, want := range []string{`id="excluded"`, "Tower Hamlets</th><td>Tower Hamlets</td><td>has only border crimes", `id="u-newcastle-upon-tyne"`, `href="#u-newcastle-upon-tyne"`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}
