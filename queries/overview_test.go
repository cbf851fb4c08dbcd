package queries

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The totals and the register are checked against the sample's files
// themselves: one register row per street file, and every data line of
// them either stored or quarantined.
func TestOverviewAndSources(t *testing.T) {
	st := demo(t)
	ctx := context.Background()
	files, err := filepath.Glob(filepath.Join(sample, "*", "*-street.csv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no street files in %s: %v", sample, err)
	}
	var lines int64
	var months []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines += int64(bytes.Count(bytes.TrimRight(b, "\r\n"), []byte("\n"))) // minus the header
		months = append(months, filepath.Base(filepath.Dir(f)))
	}
	slices.Sort(months)

	res, err := Sources(ctx, st, SourceFilter{Kind: "street", Status: "loaded"}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != len(files) {
		t.Fatalf("%d street files registered, want %d", len(res.Rows), len(files))
	}
	var quarantined int64
	for _, r := range res.Rows {
		quarantined += r[column(t, res, "rows_quarantined")].(int64)
	}
	o, err := ReadOverview(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if o.Crimes+quarantined != lines || o.FirstMonth != months[0] || o.LastMonth != months[len(months)-1] {
		t.Errorf("overview %+v with %d quarantined, want %d lines over %s…%s", o, quarantined, lines, months[0], months[len(months)-1])
	}
	if o.Enriched == 0 || o.Enriched > o.Crimes || o.Files < int64(len(files)) {
		t.Errorf("overview %+v", o)
	}
	if res, err = Sources(ctx, st, SourceFilter{Kind: "street"}, 2); err != nil || len(res.Rows) != 2 {
		t.Errorf("limit 2: %v rows, %v", res, err)
	}
	if res, err = Sources(ctx, st, SourceFilter{Force: "no-such-force"}, 10); err != nil || len(res.Rows) != 0 {
		t.Errorf("unknown force: %v, %v", res, err)
	}
}
