package queries

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/xuri/excelize/v2"

	"github.com/safercity/safercity/data"
	"github.com/safercity/safercity/disclosure"
	"github.com/safercity/safercity/hotspots"
	"github.com/safercity/safercity/ingest"
	"github.com/safercity/safercity/ingest/feed"
	"github.com/safercity/safercity/internal/names"
	"github.com/safercity/safercity/internal/shareddata"
	"github.com/safercity/safercity/store"
	"github.com/safercity/safercity/transform"
)

const sample = "../data/police-uk"

// demo loads and enriches the sample, then reopens the file read-only as
// the query command does.
func demo(t *testing.T) *store.Store {
	t.Helper()
	path := demoFile(t)
	ro, err := store.OpenReadOnly(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ro.Close() })
	return ro
}

// demoFile loads and enriches the sample into a new database file.
func demoFile(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "q.duckdb")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Police(ctx, st, []string{sample}, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	feeds, err := feed.Load("../data/feeds/feeds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range feeds.Feeds {
		if _, err := ingest.Feed(ctx, st, f, ingest.FeedOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	cfg := transform.Config{CellSize: 100, Categories: data.Categories, Units: data.Units, Lookup: data.LSOALookup}
	if _, err := transform.Run(ctx, st, cfg, nil, nil); err != nil {
		t.Fatal(err)
	}
	violence := hotspots.Profile{Name: "violence", Groups: []string{"violence"}, Measure: "count"}
	if _, err := hotspots.Run(ctx, st, hotspots.Options{Profile: violence, Month: time.Date(2020, 11, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	return path
}

func TestEveryQueryRunsOnTheSample(t *testing.T) {
	st := demo(t)
	qs, err := Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) < 8 {
		t.Errorf("%d queries in the catalogue", len(qs))
	}
	for _, q := range qs {
		res, err := Run(context.Background(), st, q, nil, disclosure.Default())
		if err != nil {
			t.Errorf("%s: %v", q.Name, err)
			continue
		}
		if len(res.Rows) == 0 && q.Name != "quarantine_summary" {
			t.Errorf("%s: no rows on the sample", q.Name)
		}
	}
}

// TestCrimeByMonthHandChecked counts one LSOA-month straight from the
// published CSV and compares.
func TestCrimeByMonthHandChecked(t *testing.T) {
	st := demo(t)
	f, err := os.Open(filepath.Join(sample, "2020-06", "2020-06-city-of-london-street.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := csv.NewReader(f).ReadAll()
	f.Close()
	want := map[string]int64{}
	for _, r := range rows[1:] {
		if r[7] == "E01000005" {
			want[r[9]]++
		}
	}
	q, _ := Lookup("crime_by_month")
	res, err := Run(context.Background(), st, q, map[string]string{"lsoa": "E01000005", "from": "2020-06", "to": "2020-06"}, disclosure.Default())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, r := range res.Rows {
		if Text(r[0]) != "2020-06" {
			t.Errorf("month %v outside the range", r[0])
		}
		got[r[1].(string)] = r[2].(int64)
	}
	if len(want) == 0 || len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %d, want %d", k, got[k], v)
		}
	}
}

func TestParametersAreBoundNotSpliced(t *testing.T) {
	st := demo(t)
	q, _ := Lookup("crime_by_month")
	for _, evil := range []string{"x' OR '1'='1", "City of London'; DROP TABLE sources; --", "$1"} {
		given := map[string]string{"unit": evil}
		if _, err := Run(context.Background(), st, q, given, disclosure.Default()); !errors.Is(err, names.ErrUnknown) {
			t.Errorf("%q: %v, want an unknown unit", evil, err)
		}
		// Past the name check, the value is bound, never spliced.
		args, err := q.Args(given)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := st.QueryReadOnly(context.Background(), q.SQL, args...)
		if err != nil {
			t.Fatalf("%q: %v", evil, err)
		}
		res, err := Collect(rows)
		if err != nil || len(res.Rows) != 0 {
			t.Errorf("%q matched %d rows (%v): the value reached the SQL text", evil, len(res.Rows), err)
		}
	}
	if _, err := q.Args(map[string]string{"from": "2020-13-45"}); err == nil || !strings.Contains(err.Error(), "DATE") {
		t.Errorf("ill-typed date: %v", err)
	}
	if _, err := q.Args(map[string]string{"unitt": "x"}); err == nil || !strings.Contains(err.Error(), "unit VARCHAR") {
		t.Errorf("unknown parameter: %v", err)
	}
}

func TestArrowAndParquetOutputs(t *testing.T) {
	st := demo(t)
	q, _ := Lookup("unit_vs_peers")
	res, err := Run(context.Background(), st, q, nil, disclosure.Default())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := res.WriteArrow(&buf); err != nil {
		t.Fatal(err)
	}
	r, err := ipc.NewFileReader(bytes.NewReader(buf.Bytes()), ipc.WithAllocator(memory.DefaultAllocator))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rec, err := r.RecordBatch(0)
	if err != nil {
		t.Fatal(err)
	}
	if int(rec.NumRows()) != len(res.Rows) || rec.Schema().Field(0).Name != "unit" {
		t.Fatalf("arrow file: %d rows, schema %v", rec.NumRows(), rec.Schema())
	}
	if got := rec.Column(0).(*array.String).Value(0); got != res.Rows[0][0] {
		t.Errorf("first unit %q, want %v", got, res.Rows[0][0])
	}
	crimes := rec.Column(2).(*array.Int64)
	if crimes.Value(0) != res.Rows[0][2].(int64) {
		t.Errorf("crimes %d, want %v", crimes.Value(0), res.Rows[0][2])
	}

	out := filepath.Join(t.TempDir(), "r.parquet")
	rec2, _ := res.Record(memory.DefaultAllocator)
	defer rec2.Release()
	if err := store.WriteParquet(context.Background(), rec2, out); err != nil {
		t.Fatal(err)
	}
	var n, total int64
	// The store's readers cannot read files: check with a writer's own database.
	chk, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "check.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer chk.Close()
	if err := chk.DB.QueryRow(`SELECT count(*), sum(crimes) FROM read_parquet(?)`, out).Scan(&n, &total); err != nil {
		t.Fatal(err)
	}
	var want int64
	for _, r := range res.Rows {
		want += r[2].(int64)
	}
	if n != int64(len(res.Rows)) || total != want {
		t.Errorf("parquet read back by DuckDB: %d rows, %d crimes; want %d, %d", n, total, len(res.Rows), want)
	}
}

// TestPartnerRowsWithheld runs the disclosed query of partner incidents:
// no row it returns shows a count the policy withholds, and every partner
// count it shows, latest_month included, is rounded.
func TestPartnerRowsWithheld(t *testing.T) {
	st := demo(t)
	q, _ := Lookup("nte_nights")
	res, err := Run(context.Background(), st, q, map[string]string{"from": "2020-11", "to": "2020-11"}, disclosure.Default())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"incidents", "latest_month"} {
		col := column(t, res, name)
		for _, r := range res.Rows {
			if n, ok := r[col].(int64); ok && n%5 != 0 {
				t.Errorf("row %v shows %s = %d: not released through the policy", r, name, n)
			}
		}
	}
	if res.Disclosure == nil || res.Disclosure.Withheld == 0 {
		t.Error("one month of night-time incidents by night and hour has no small cells to withhold")
	}
}

func column(t *testing.T, res *Result, name string) int {
	t.Helper()
	for i, c := range res.Columns {
		if c == name {
			return i
		}
	}
	t.Fatalf("no column %s in %v", name, res.Columns)
	return -1
}

// TestDifferencingWindows is issue 18's attack: nte_nights from 2020-01
// to 2020-11 minus 2020-02 to 2020-11 gave back the 1–2 incidents the
// January query withholds. The true January counts come straight from the
// table; no released difference may equal one of them.
func TestDifferencingWindows(t *testing.T) {
	st := demo(t)
	ctx := context.Background()
	q, _ := Lookup("nte_nights")
	run := func(from, to string) map[[2]string]int64 {
		res, err := Run(ctx, st, q, map[string]string{"from": from, "to": to}, disclosure.Default())
		if err != nil {
			t.Fatal(err)
		}
		out := map[[2]string]int64{}
		c := column(t, res, "incidents")
		for _, r := range res.Rows {
			out[[2]string{r[0].(string), r[1].(string)}] = r[c].(int64)
		}
		return out
	}
	long, short, jan := run("2020-01", "2020-11"), run("2020-02", "2020-11"), run("2020-01", "2020-01")
	truth, err := st.DB.QueryContext(ctx, `SELECT dayname(occurred_local - INTERVAL 6 HOUR),
		CASE WHEN hour(occurred_local) BETWEEN 18 AND 20 THEN '18-21' WHEN hour(occurred_local) BETWEEN 21 AND 23 THEN '21-24'
		     WHEN hour(occurred_local) BETWEEN 0 AND 2 THEN '00-03' WHEN hour(occurred_local) BETWEEN 3 AND 5 THEN '03-06' ELSE 'day' END,
		count(*) FROM incidents WHERE month = DATE '2020-01-01' GROUP BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	defer truth.Close()
	attacked := 0
	for truth.Next() {
		var k [2]string
		var n int64
		if err := truth.Scan(&k[0], &k[1], &n); err != nil {
			t.Fatal(err)
		}
		if n >= 3 {
			continue
		}
		if _, shown := jan[k]; shown {
			t.Errorf("%v: January's %d incidents released alone", k, n)
		}
		l, ok1 := long[k]
		s, ok2 := short[k]
		if !ok1 || !ok2 {
			continue
		}
		attacked++
		if l-s == n {
			t.Errorf("%v: %d − %d gives back January's withheld %d", k, l, s, n)
		}
	}
	if attacked == 0 {
		t.Fatal("the sample has no withheld January cell released in both windows: the attack was not tried")
	}
}

// TestThresholdOnlyRaised: --min-events 0 switched suppression off.
func TestThresholdOnlyRaised(t *testing.T) {
	if _, err := disclosure.Default().WithThreshold(0); !errors.Is(err, disclosure.ErrBelowPolicy) {
		t.Errorf("threshold 0: %v", err)
	}
	m1, m2 := Month(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)), Month(time.Date(2020, 2, 1, 0, 0, 0, 0, time.UTC))
	r := &Result{Columns: []string{"cell", "month", "events"}, Types: []string{"VARCHAR", "DATE", "BIGINT"}, Rows: [][]any{
		{"a", m1, int64(1)}, {"b", m1, int64(3)}, {"c", m1, int64(3)}, {"c", m2, int64(7)}, {"e", m1, int64(42)}, {"e", m2, int64(11)}}}
	pol, _ := disclosure.Default().WithThreshold(4)
	if err := r.disclose(pol, []string{"events"}); err != nil {
		t.Fatal(err)
	}
	// cell, events, months, months_withheld, latest_month
	want := [][]any{{"c", int64(5), int64(1), int64(1), int64(5)}, {"e", int64(50), int64(2), int64(0), int64(10)}}
	if fmt.Sprint(r.Rows) != fmt.Sprint(want) || r.Disclosure.Withheld != 2 || r.Disclosure.MonthsWithheld != 3 {
		t.Errorf("released %v (%d rows, %d months withheld), want %v, 2 rows and 3 months withheld", r.Rows, r.Disclosure.Withheld, r.Disclosure.MonthsWithheld, want)
	}
}

// TestPartnerQueriesDisclose: a query reading partner incidents without a
// disclose header would publish them raw.
func TestPartnerQueriesDisclose(t *testing.T) {
	qs, err := Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		if regexp.MustCompile(`(?i)\b(FROM|JOIN)\s+incidents\b`).MatchString(q.SQL) && len(q.Disclose) == 0 {
			t.Errorf("%s reads partner incidents but declares no disclose column", q.Name)
		}
	}
}

// TestNamesChecked: `--param unit=Leicstr` returned 0 rows; an unknown
// name is refused with the nearest the store holds.
func TestNamesChecked(t *testing.T) {
	st := demo(t)
	ctx := context.Background()
	q, _ := Lookup("crime_by_month")
	_, err := Run(ctx, st, q, map[string]string{"unit": "City of Londn"}, disclosure.Default())
	if !errors.Is(err, names.ErrUnknown) || !strings.Contains(err.Error(), `did you mean "City of London"?`) {
		t.Errorf("unit typo: %v", err)
	}
	if _, err := Run(ctx, st, q, map[string]string{"lsoa": "E0100005"}, disclosure.Default()); !errors.Is(err, names.ErrUnknown) {
		t.Errorf("LSOA typo: %v", err)
	}
	res, err := Run(ctx, st, q, map[string]string{"unit": "city of london"}, disclosure.Default())
	if err != nil || len(res.Rows) == 0 {
		t.Errorf("a unit in other case: %v, %d rows", err, len(res.Rows))
	}
	ss, _ := Lookup("stop_search")
	if _, err := Run(ctx, st, ss, map[string]string{"force": "city-of-londn"}, disclosure.Default()); !errors.Is(err, names.ErrUnknown) {
		t.Errorf("force typo: %v", err)
	}
	rl, _ := Lookup("repeat_locations")
	if _, err := Run(ctx, st, rl, map[string]string{"group": "violnce"}, disclosure.Default()); !errors.Is(err, names.ErrUnknown) || !strings.Contains(err.Error(), `"violence"`) {
		t.Errorf("group typo: %v", err)
	}
	cq, _ := Lookup("concentration")
	if _, err := Run(ctx, st, cq, map[string]string{"profile": "violnce"}, disclosure.Default()); !errors.Is(err, names.ErrUnknown) || !strings.Contains(err.Error(), `"violence"`) {
		t.Errorf("profile typo: %v", err)
	}
	// names spelt as stored pass the quick probe of each kind's tables
	for _, c := range []struct {
		query  string
		params map[string]string
	}{{"crime_by_month", map[string]string{"unit": "City of London", "lsoa": "E01000005"}},
		{"stop_search", map[string]string{"force": "city-of-london"}}, {"concentration", map[string]string{"profile": "violence"}}} {
		q, _ := Lookup(c.query)
		if res, err := Run(ctx, st, q, c.params, disclosure.Default()); err != nil || len(res.Rows) == 0 {
			t.Errorf("%s %v: %v", c.query, c.params, err)
		}
	}
	units, isName, err := Choices(ctx, st, "unit")
	if err != nil || !isName || !slices.Contains(units, "City of London") {
		t.Errorf("unit choices %v %v %v", units, isName, err)
	}
}

// TestIntegerRange: INTEGER accepted 2147483648 and top=-5 reached DuckDB.
func TestIntegerRange(t *testing.T) {
	q, _ := Lookup("violence_profile")
	for _, bad := range []map[string]string{{"top": "2147483648"}, {"top": "-5"}, {"top": "1e3"}} {
		if _, err := q.Args(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	if _, err := q.Args(map[string]string{"top": "2147483647"}); err != nil {
		t.Errorf("largest INTEGER: %v", err)
	}
}

// TestMonthIsADate: Parquet and Arrow carried month as text; they must
// carry DATE (and typed numbers), while tables still read YYYY-MM.
func TestMonthIsADate(t *testing.T) {
	st := demo(t)
	ctx := context.Background()
	q, _ := Lookup("crime_by_month")
	res, err := Run(ctx, st, q, map[string]string{"from": "2020-06", "to": "2020-07"}, disclosure.Default())
	if err != nil {
		t.Fatal(err)
	}
	rec, err := res.Record(memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	want := "month: date32, crime_type: utf8, crimes: int64, harm: float64"
	var got []string
	for _, f := range rec.Schema().Fields() {
		got = append(got, f.Name+": "+f.Type.String())
	}
	if strings.Join(got, ", ") != want {
		t.Errorf("arrow schema %s, want %s", strings.Join(got, ", "), want)
	}
	out := filepath.Join(t.TempDir(), "m.parquet")
	if err := store.WriteParquet(ctx, rec, out); err != nil {
		t.Fatal(err)
	}
	chk, err := store.Open(ctx, filepath.Join(t.TempDir(), "check.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer chk.Close()
	var typ, first string
	if err := chk.DB.QueryRow(`SELECT typeof(month), min(month)::VARCHAR FROM read_parquet(?) GROUP BY 1`, out).Scan(&typ, &first); err != nil {
		t.Fatal(err)
	}
	if typ != "DATE" || first != "2020-06-01" {
		t.Errorf("parquet month %s %s, want DATE 2020-06-01", typ, first)
	}
	var b bytes.Buffer
	res.WriteCSV(&b)
	if !strings.Contains(b.String(), "\n2020-06,") {
		t.Errorf("CSV months should read YYYY-MM: %.120s", b.String())
	}
}

// TestXLSX: partnerships pass spreadsheets around; the workbook must open
// with typed cells (numbers, months as dates) and the disclosure note.
func TestXLSX(t *testing.T) {
	st := demo(t)
	f := workbook(t, st, "crime_by_month", map[string]string{"from": "2020-06", "to": "2020-06"})
	rows, err := f.GetRows("crime_by_month", excelize.Options{RawCellValue: true})
	if err != nil || len(rows) < 2 || strings.Join(rows[0], ",") != "month,crime_type,crimes,harm" {
		t.Fatalf("sheet rows %d (%v), header %v", len(rows), err, rows)
	}
	if shown, _ := f.GetCellValue("crime_by_month", "A2"); shown != "2020-06" || rows[1][0] != "43983" {
		t.Errorf("month cell shows %q stored %q, want 2020-06 as Excel date 43983", shown, rows[1][0])
	}
	if typ, _ := f.GetCellType("crime_by_month", "C2"); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("crimes cell of type %v, want a number", typ)
	}
	if _, err := strconv.Atoi(rows[1][2]); err != nil {
		t.Errorf("crimes %q is not a whole number", rows[1][2])
	}
	f2 := workbook(t, st, "nte_nights", map[string]string{"from": "2020-11", "to": "2020-11"})
	if note, _ := f2.GetCellValue("Notes", "B2"); !strings.Contains(note, "rounded to a multiple of 5") {
		t.Errorf("disclosure note %q", note)
	}
}

// workbook runs a query and opens its xlsx output.
func workbook(t *testing.T, st *store.Store, name string, params map[string]string) *excelize.File {
	t.Helper()
	q, _ := Lookup(name)
	res, err := Run(context.Background(), st, q, params, disclosure.Default())
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := res.Write(&b, "xlsx"); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestYearOnYearRefusesGaps: the sample has twelve months to 2020-11 and
// none before, so no LSOA may show a change, and each side says how many
// months it has.
func TestYearOnYearRefusesGaps(t *testing.T) {
	st := demo(t)
	q, _ := Lookup("lsoa_year_on_year")
	res, err := Run(context.Background(), st, q, map[string]string{"month": "2020-11"}, disclosure.Default())
	if err != nil {
		t.Fatal(err)
	}
	last, prior, change, pct := column(t, res, "last_months"), column(t, res, "prior_months"), column(t, res, "change"), column(t, res, "change_pct")
	if len(res.Rows) == 0 {
		t.Fatal("no LSOAs")
	}
	for _, r := range res.Rows {
		if r[last].(int64) == 0 || r[prior].(int64) == 12 {
			t.Fatalf("row %v: months %v and %v do not describe the sample", r, r[last], r[prior])
		}
		if r[change] != nil || r[pct] != nil {
			t.Errorf("row %v: a change across %v and %v months", r, r[last], r[prior])
		}
	}
}

// TestYearOnYearWithFullYears loads 24 real months of the City of London
// from ../shared: then every LSOA's change is given, and it is last_12 −
// prior_12; and with the latest month taken away, none is.
func TestYearOnYearWithFullYears(t *testing.T) {
	dir := shareddata.Path(t, "data", "police-uk")
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "y.duckdb")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var files []string
	for m := time.Date(2018, 12, 1, 0, 0, 0, 0, time.UTC); m.Before(time.Date(2020, 12, 1, 0, 0, 0, 0, time.UTC)); m = m.AddDate(0, 1, 0) {
		files = append(files, filepath.Join(dir, m.Format("2006-01"), m.Format("2006-01")+"-city-of-london-street.csv"))
	}
	if _, err := ingest.Police(ctx, st, files, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	cfg := transform.Config{CellSize: 100, Categories: data.Categories, Units: data.Units, Lookup: data.LSOALookup}
	if _, err := transform.Run(ctx, st, cfg, nil, nil); err != nil {
		t.Fatal(err)
	}
	q, _ := Lookup("lsoa_year_on_year")
	for month, full := range map[string]bool{"2020-11": true, "2020-12": false, "2019-11": false} {
		res, err := Run(ctx, st, q, map[string]string{"month": month}, disclosure.Default())
		if err != nil {
			t.Fatal(err)
		}
		last, prior, change := column(t, res, "last_12"), column(t, res, "prior_12"), column(t, res, "change")
		if len(res.Rows) < 5 {
			t.Fatalf("%s: %d LSOAs", month, len(res.Rows))
		}
		for _, r := range res.Rows {
			if full && r[change] != r[last].(int64)-r[prior].(int64) {
				t.Errorf("%s: row %v: change %v", month, r, r[change])
			}
			if !full && r[change] != nil {
				t.Errorf("%s: row %v: a change across a gap", month, r)
			}
		}
	}
}

// TestAnswerRoundTrip: a result sent as the API's JSON and read back (the
// command line beside a running server) renders as the result itself.
func TestAnswerRoundTrip(t *testing.T) {
	st := demo(t)
	for _, c := range []struct {
		name   string
		params map[string]string
	}{{"crime_by_month", map[string]string{"from": "2020-06", "to": "2020-07"}}, {"nte_nights", nil}, {"stop_search", nil}} {
		q, _ := Lookup(c.name)
		res, err := Run(context.Background(), st, q, c.params, disclosure.Default())
		if err != nil {
			t.Fatal(err)
		}
		var rows bytes.Buffer
		if err := res.WriteJSON(&rows); err != nil {
			t.Fatal(err)
		}
		body, _ := json.Marshal(map[string]any{"query": res.Name, "columns": res.Columns, "types": res.Types,
			"rows": json.RawMessage(rows.Bytes()), "disclosure": res.Disclosure})
		var a Answer
		if err := json.Unmarshal(body, &a); err != nil {
			t.Fatal(err)
		}
		back, err := a.Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, format := range []string{"table", "csv", "json"} {
			var want, got bytes.Buffer
			res.Write(&want, format)
			back.Write(&got, format)
			if want.String() != got.String() {
				t.Errorf("%s as %s:\n%s\nread back:\n%s", c.name, format, want.String(), got.String())
			}
		}
	}
}

// A cell's most common location and outcome are the same on every run:
// among tied values the first in order, whatever order DuckDB's threads
// meet the rows in (mode() alone gave whichever came first, and two runs
// of violence_profile on the 36-month store disagreed).
func TestModeTiesBrokenByName(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, demoFile(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for i, v := range [][2]string{{"On or near Zeta Street", "Z outcome"}, {"On or near Alpha Street", "A outcome"}} {
		if _, err := st.DB.Exec(`INSERT INTO police_street (source_id, line, force, month, location, crime_type, last_outcome)
			VALUES (999, ?, 'city-of-london', DATE '2020-06-01', ?, 'Robbery', ?)`, i+1, v[0], v[1]); err != nil {
			t.Fatal(err)
		}
		if _, err := st.DB.Exec(`INSERT INTO crimes_enriched (source_id, line, month, force, crime_type, located,
				easting, northing, cell_size, cell_x, cell_y, unit, violence, acquisitive, asb, nte, weapons, harm)
			VALUES (999, ?, DATE '2020-06-01', 'city-of-london', 'Robbery', true, 539950, 189950, 100, 539900, 189900,
				'City of London', true, false, false, false, false, 1)`, i+1); err != nil {
			t.Fatal(err)
		}
	}
	q, _ := Lookup("violence_profile")
	res, err := Run(ctx, st, q, map[string]string{"from": "2020-06", "to": "2020-06", "top": "1000"}, disclosure.Default())
	if err != nil {
		t.Fatal(err)
	}
	loc, outcome := column(t, res, "location"), column(t, res, "usual_outcome")
	for _, r := range res.Rows {
		if r[0] == "TQ 399 899" {
			if r[loc] != "On or near Alpha Street" || r[outcome] != "A outcome" {
				t.Errorf("tied cell: location %v, outcome %v; want the first by name", r[loc], r[outcome])
			}
			return
		}
	}
	t.Fatal("the built cell is not in violence_profile")
}

// An ad hoc statement's answer stops at maxCells values as well as at its
// row limit, and says it was cut.
func TestStatementCellLimit(t *testing.T) {
	st := demo(t)
	ctx := context.Background()
	res, more, err := Statement(ctx, st, `SELECT source_id, line, month, force FROM crimes_enriched`, 1000, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 25 || !more {
		t.Errorf("4 columns, 100 values: %d rows (more %v), want 25 and more", len(res.Rows), more)
	}
	res, more, err = Statement(ctx, st, `SELECT source_id, line, month, force FROM crimes_enriched`, 10, 100)
	if err != nil || len(res.Rows) != 10 || !more {
		t.Errorf("row limit 10 within 100 values: %d rows (more %v, %v)", len(res.Rows), more, err)
	}
}
