package queries

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/safercity/safercity/data"
	"github.com/safercity/safercity/ingest"
	"github.com/safercity/safercity/ingest/feed"
	"github.com/safercity/safercity/store"
	"github.com/safercity/safercity/transform"
)

const sample = "../data/police-uk"

// demo loads and enriches the sample, then reopens the file read-only as
// the query command does.
func demo(t *testing.T) *store.Store {
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
	st.Close()
	ro, err := store.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ro.Close() })
	return ro
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
		res, err := Run(context.Background(), st, q, nil, DefaultMinEvents)
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
	res, err := Run(context.Background(), st, q, map[string]string{"lsoa": "E01000005", "from": "2020-06", "to": "2020-06"}, 3)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, r := range res.Rows {
		if r[0] != "2020-06" {
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
		res, err := Run(context.Background(), st, q, map[string]string{"unit": evil}, 3)
		if err != nil {
			t.Errorf("%q: %v", evil, err)
			continue
		}
		if len(res.Rows) != 0 {
			t.Errorf("%q matched %d rows: the value reached the SQL text", evil, len(res.Rows))
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
	res, err := Run(context.Background(), st, q, nil, 3)
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
	rec, err := r.Record(0)
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
	if err := st.DB.QueryRow(`SELECT count(*), sum(crimes) FROM read_parquet(?)`, out).Scan(&n, &total); err != nil {
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
// no row it returns counts fewer than the threshold.
func TestPartnerRowsWithheld(t *testing.T) {
	st := demo(t)
	q, _ := Lookup("nte_nights")
	res, err := Run(context.Background(), st, q, map[string]string{"from": "2020-11", "to": "2020-11"}, 3)
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for i, c := range res.Columns {
		if c == "incidents" {
			col = i
		}
	}
	for _, r := range res.Rows {
		if n := r[col].(int64); n < 3 {
			t.Errorf("row %v shows %d partner incidents", r, n)
		}
	}
	if res.Withheld == 0 {
		t.Error("one month of night-time incidents by night and hour has no small cells to withhold")
	}
}

func TestDisclosureControl(t *testing.T) {
	r := &Result{Columns: []string{"cell", "events"}, Rows: [][]any{{"a", int64(1)}, {"b", int64(2)}, {"c", int64(3)}, {"d", int64(0)}, {"e", int64(40)}}}
	r.suppress("events", 3)
	if len(r.Rows) != 3 || r.Withheld != 2 {
		t.Errorf("kept %v, withheld %d", r.Rows, r.Withheld)
	}
}
