package ingest

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/safercity/safercity/ingest/policeuk"
	"github.com/safercity/safercity/internal/shareddata"
	"github.com/safercity/safercity/store"
)

const sample = "../data/police-uk"

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "test.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func load(t *testing.T, st *store.Store, paths ...string) *Summary {
	t.Helper()
	sum, err := Police(context.Background(), st, paths, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func scalar[T any](t *testing.T, st *store.Store, q string, args ...any) T {
	t.Helper()
	var v T
	if err := st.DB.QueryRow(q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

// dataLines counts the non-blank lines after the header, the way a person
// checking a file would (police.uk files have no line breaks inside fields).
func dataLines(t *testing.T, path string) int64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := int64(0)
	for i, line := range regexp.MustCompile(`\r\n|\n|\r`).Split(string(b), -1) {
		if i > 0 && strings.TrimSpace(line) != "" {
			n++
		}
	}
	return n
}

// fingerprint sums a hash of every row of every table, so two loads can be
// compared for identical contents.
func fingerprint(t *testing.T, st *store.Store) string {
	t.Helper()
	var parts []string
	for _, table := range []string{"police_street", "police_outcomes", "police_stop_search", "quarantine", "sources"} {
		cols := "*"
		if table == "sources" {
			cols = "* EXCLUDE (started, finished)"
		}
		parts = append(parts, scalar[string](t, st, fmt.Sprintf(
			"SELECT count(*) || ':' || coalesce(sum(hash(t)), 0) FROM (SELECT %s FROM %s) t", cols, table)))
	}
	return strings.Join(parts, " ")
}

func TestSampleEveryLineAccountedFor(t *testing.T) {
	st := openStore(t)
	sum := load(t, st, sample)
	if sum.Totals.Files != 27 || sum.Totals.Refused != 0 {
		t.Fatalf("totals %+v", sum.Totals)
	}
	for _, f := range sum.Files {
		want := dataLines(t, f.Path)
		if f.Loaded+f.Quarantined != want {
			t.Errorf("%s: loaded %d + quarantined %d != %d data lines", f.Path, f.Loaded, f.Quarantined, want)
		}
		table := tables[policeukKind(f.Kind)]
		got := scalar[int64](t, st, fmt.Sprintf(`SELECT count(*) FROM %s JOIN sources USING (source_id) WHERE path = ?`, table), f.Path)
		if got != f.Loaded {
			t.Errorf("%s: %d rows stored, summary says %d", f.Path, got, f.Loaded)
		}
	}
	// Real values survive typing: ASB rows without Crime ID, No Location rows.
	if n := scalar[int64](t, st, `SELECT count(*) FROM police_street WHERE crime_type = 'Anti-social behaviour' AND crime_id IS NOT NULL`); n != 0 {
		t.Errorf("%d ASB rows have a Crime ID", n)
	}
	if n := scalar[int64](t, st, `SELECT count(*) FROM police_street WHERE location = 'No Location' AND (longitude IS NOT NULL OR lsoa_code IS NOT NULL)`); n != 0 {
		t.Errorf("%d No Location rows have coordinates", n)
	}
	if n := scalar[int64](t, st, `SELECT count(*) FROM police_street WHERE location = 'No Location'`); n == 0 {
		t.Error("the sample has No Location rows; none stored")
	}
	if m := scalar[string](t, st, `SELECT strftime(min(month), '%Y-%m') || '..' || strftime(max(month), '%Y-%m') FROM police_stop_search`); m != "2019-12..2020-11" {
		t.Errorf("stop and search months %s", m)
	}
	// Lineage: every stored row links to a loaded source with its hash.
	if n := scalar[int64](t, st, `SELECT count(*) FROM police_street LEFT JOIN sources USING (source_id) WHERE sources.sha256 IS NULL OR length(sources.sha256) != 64`); n != 0 {
		t.Errorf("%d rows without lineage", n)
	}
}

func policeukKind(k string) policeuk.Kind { return policeuk.Kind(k) }

func TestLoadingTwiceChangesNothing(t *testing.T) {
	st := openStore(t)
	load(t, st, sample)
	before := fingerprint(t, st)
	sum := load(t, st, sample)
	if sum.Totals.Unchanged != sum.Totals.Files || sum.Totals.Loaded != 0 {
		t.Errorf("second load: %+v", sum.Totals)
	}
	if after := fingerprint(t, st); after != before {
		t.Errorf("tables changed on reload:\n%s\n%s", before, after)
	}
}

// republish writes a new version of a sample month the way police.uk
// republishes: same rows, outcomes moved on, rows in another order.
func republish(t *testing.T, dir, month string) string {
	t.Helper()
	name := month + "-city-of-london-street.csv"
	b, err := os.ReadFile(filepath.Join(sample, month, name))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	body := lines[1:]
	for i, j := 0, len(body)-1; i < j; i, j = i+1, j-1 {
		body[i], body[j] = body[j], body[i]
	}
	text := strings.Join(append([]string{lines[0]}, body...), "\r\n") + "\r\n"
	text = strings.ReplaceAll(text, ",Status update unavailable,", ",Court result unavailable,")
	out := filepath.Join(dir, month, name)
	os.MkdirAll(filepath.Dir(out), 0o755)
	if err := os.WriteFile(out, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRepublishedMonthReplacesPartition(t *testing.T) {
	st := openStore(t)
	load(t, st, sample)
	month := "2020-01"
	rows := scalar[int64](t, st, `SELECT count(*) FROM police_street WHERE month = DATE '2020-01-01'`)
	others := scalar[int64](t, st, `SELECT count(*) FROM police_street WHERE month <> DATE '2020-01-01'`)
	moved := scalar[int64](t, st, `SELECT count(*) FROM police_street WHERE month = DATE '2020-01-01' AND last_outcome IN ('Status update unavailable', 'Court result unavailable')`)
	if moved == 0 {
		t.Fatal("sample month has no 'Status update unavailable' rows to republish")
	}
	dups := scalar[int64](t, st, `SELECT count(*) - count(DISTINCT crime_id) FROM police_street WHERE crime_id IS NOT NULL`)
	path := republish(t, t.TempDir(), month)
	sum := load(t, st, path)
	if f := sum.Files[0]; f.Status != StatusReplaced || f.Replaced != rows || f.Loaded != rows {
		t.Fatalf("republished file: %+v (had %d rows)", f, rows)
	}
	if got := scalar[int64](t, st, `SELECT count(*) FROM police_street WHERE month = DATE '2020-01-01'`); got != rows {
		t.Errorf("after republication %d rows, want %d (no duplicates)", got, rows)
	}
	// police.uk itself publishes some Crime IDs twice; republication must
	// not add to them.
	if got := scalar[int64](t, st, `SELECT count(*) - count(DISTINCT crime_id) FROM police_street WHERE crime_id IS NOT NULL`); got != dups {
		t.Errorf("%d duplicated Crime IDs, %d before republication", got, dups)
	}
	if got := scalar[int64](t, st, `SELECT count(*) FROM police_street WHERE month = DATE '2020-01-01' AND last_outcome = 'Court result unavailable'`); got != moved {
		t.Errorf("new outcomes not stored: %d, want %d", got, moved)
	}
	if got := scalar[int64](t, st, `SELECT count(*) FROM police_street WHERE month <> DATE '2020-01-01'`); got != others {
		t.Errorf("other partitions changed: %d rows, had %d", got, others)
	}
	if got := scalar[int64](t, st, `SELECT count(*) FROM sources WHERE month = DATE '2020-01-01' AND kind = 'street' AND status = 'loaded' AND superseded_by IS NULL`); got != 1 {
		t.Errorf("%d current sources for the month", got)
	}
	// Loading the original again swaps back: the replace works both ways.
	sum = load(t, st, filepath.Join(sample, month))
	if sum.Files[1].Status != StatusReplaced {
		t.Errorf("original again: %+v", sum.Files)
	}
}

func TestSharedRepublishedVersions(t *testing.T) {
	repub := shareddata.Path(t, "data", "police-uk-republished", "christinabotros+DSSS-Assignment")
	st := openStore(t)
	load(t, st, sample)
	dups := scalar[int64](t, st, `SELECT count(*) - count(DISTINCT crime_id) FROM police_street WHERE crime_id IS NOT NULL`)
	sum := load(t, st, repub)
	for _, f := range sum.Files {
		if f.Status != StatusReplaced || f.Replaced != f.Loaded {
			t.Errorf("%s: %+v", f.Path, f)
		}
	}
	if got := scalar[int64](t, st, `SELECT count(*) - count(DISTINCT crime_id) FROM police_street WHERE crime_id IS NOT NULL`); got > dups {
		t.Errorf("%d duplicated Crime IDs after republication, %d before", got, dups)
	}
}

func TestQuarantineKeepsBadRows(t *testing.T) {
	dir := t.TempDir()
	b, _ := os.ReadFile(filepath.Join(sample, "2020-02", "2020-02-city-of-london-street.csv"))
	lines := strings.Split(string(b), "\n")
	lines[3] = strings.Replace(lines[3], "2020-02", "2020-03", 1) // month disagrees
	lines[5] = strings.Replace(lines[5], ",-0.", ",-0.x", 1)      // not a number
	lines[7] = lines[7] + ",extra"                                // field count
	path := filepath.Join(dir, "2020-02-city-of-london-street.csv")
	os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644)
	st := openStore(t)
	sum := load(t, st, path)
	f := sum.Files[0]
	if f.Quarantined != 3 || f.Loaded+f.Quarantined != dataLines(t, path) {
		t.Fatalf("%+v", f)
	}
	rows, err := st.DB.Query(`SELECT path, line, raw, reason FROM quarantine ORDER BY line`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	wantLines := []int64{4, 6, 8}
	i := 0
	for rows.Next() {
		var p, raw, reason string
		var line int64
		rows.Scan(&p, &line, &raw, &reason)
		if p != path || line != wantLines[i] || raw != strings.TrimRight(lines[line-1], "\r") || reason == "" {
			t.Errorf("quarantine row %d: %s:%d %q (%s)", i, p, line, raw, reason)
		}
		i++
	}
	if i != 3 {
		t.Errorf("%d quarantine rows", i)
	}
	if got := scalar[int64](t, st, `SELECT rows_quarantined FROM sources`); got != 3 {
		t.Errorf("sources.rows_quarantined = %d", got)
	}
}

func writeZip(t *testing.T, path string, entries map[string][]byte) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range entries {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestZipArchiveReadInPlace(t *testing.T) {
	dir := t.TempDir()
	entries := map[string][]byte{}
	for _, m := range []string{"2020-05", "2020-06"} {
		for _, kind := range []string{"street", "stop-and-search"} {
			name := fmt.Sprintf("%s/%s-city-of-london-%s.csv", m, m, kind)
			b, err := os.ReadFile(filepath.Join(sample, name))
			if err != nil {
				t.Fatal(err)
			}
			entries[name] = b
		}
	}
	archive := filepath.Join(dir, "police.zip")
	writeZip(t, archive, entries)
	st := openStore(t)
	sum := load(t, st, archive)
	if sum.Totals.Files != 4 || sum.Totals.Refused != 0 {
		t.Fatalf("%+v", sum)
	}
	ref := openStore(t)
	want := load(t, ref, filepath.Join(sample, "2020-05"), filepath.Join(sample, "2020-06"))
	if sum.Totals.Loaded != want.Totals.Loaded {
		t.Errorf("zip loaded %d rows, folders %d", sum.Totals.Loaded, want.Totals.Loaded)
	}
	if p := scalar[string](t, st, `SELECT min(path) FROM sources`); !strings.HasPrefix(p, archive+"!2020-05/") {
		t.Errorf("lineage path %q does not name the zip entry", p)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the zip was unpacked to disk: %v", entries)
	}
	// A zip entry is named by the archive's CRC-32 and its size, not a
	// SHA-256, and the same bytes from a folder are recognised by them.
	for name, b := range entries {
		var sha sql.NullString
		var crc, size int64
		if err := st.DB.QueryRow(`SELECT sha256, crc32, size FROM sources WHERE path = ?`, archive+"!"+name).Scan(&sha, &crc, &size); err != nil {
			t.Fatal(err)
		}
		if sha.Valid || crc != int64(crc32.ChecksumIEEE(b)) || size != int64(len(b)) {
			t.Errorf("%s: lineage sha256 %v, crc32 %x, size %d; want none, %x, %d", name, sha, crc, size, crc32.ChecksumIEEE(b), len(b))
		}
	}
	again := load(t, st, filepath.Join(sample, "2020-05"), filepath.Join(sample, "2020-06"))
	if again.Totals.Loaded != 0 || again.Totals.Replaced != 0 || again.Totals.Unchanged != 4 {
		t.Errorf("the same files from folders, after the zip: %+v", again.Totals)
	}
}

func TestRefusedFilesDoNotStopTheOthers(t *testing.T) {
	dir := t.TempDir()
	good, _ := os.ReadFile(filepath.Join(sample, "2020-07", "2020-07-city-of-london-street.csv"))
	writeZip(t, filepath.Join(dir, "slip.zip"), map[string][]byte{
		"../2020-08-city-of-london-street.csv":      good,
		"2020-07/2020-07-city-of-london-street.csv": good,
	})
	os.WriteFile(filepath.Join(dir, "corrupt.zip"), []byte("PK\x03\x04 this is not a zip"), 0o644)
	var full bytes.Buffer
	zw := zip.NewWriter(&full)
	w, _ := zw.Create("2020-09/2020-09-city-of-london-street.csv")
	w.Write(good)
	zw.Close()
	os.WriteFile(filepath.Join(dir, "truncated.zip"), full.Bytes()[:full.Len()/2], 0o644)
	os.WriteFile(filepath.Join(dir, "2020-10-city-of-london-street.csv"), []byte("LSOA Code,LSOA Name,All Ages\nE01,x,1\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "2020-11-city-of-london-street.csv"), []byte{}, 0o644)
	os.WriteFile(filepath.Join(dir, "2020-12-city-of-london-street.csv"), bytes.Repeat([]byte{0, 1, 2, 3}, 1<<19), 0o644)

	st := openStore(t)
	load(t, st, sample)
	before := scalar[int64](t, st, `SELECT count(*) FROM police_street`)
	sum := load(t, st, dir)
	byPath := map[string]FileResult{}
	for _, f := range sum.Files {
		byPath[strings.TrimPrefix(f.Path, dir+"/")] = f
	}
	for _, name := range []string{"slip.zip!../2020-08-city-of-london-street.csv", "corrupt.zip", "truncated.zip!2020-09/2020-09-city-of-london-street.csv",
		"2020-10-city-of-london-street.csv", "2020-11-city-of-london-street.csv", "2020-12-city-of-london-street.csv"} {
		if f, ok := byPath[name]; !ok || f.Status != StatusRefused || f.Error == "" {
			t.Errorf("%s: %+v, want refused with an error", name, f)
		}
	}
	if f := byPath["slip.zip!2020-07/2020-07-city-of-london-street.csv"]; f.Status != StatusUnchanged {
		t.Errorf("the safe entry beside the zip-slip one: %+v", f)
	}
	if after := scalar[int64](t, st, `SELECT count(*) FROM police_street`); after != before {
		t.Errorf("refused files changed stored rows: %d -> %d", before, after)
	}
	if n := scalar[int64](t, st, `SELECT count(*) FROM sources WHERE status = 'refused' AND error <> ''`); n != 6 {
		t.Errorf("%d refusals recorded in lineage", n)
	}
	// Refusing the same files again records nothing new.
	load(t, st, dir)
	if n := scalar[int64](t, st, `SELECT count(*) FROM sources WHERE status = 'refused'`); n != 6 {
		t.Errorf("%d refusals after a second run", n)
	}
}

// TestSharedPoliceFiles loads every real police.uk file in ../shared twice:
// every data line is loaded or quarantined, and the second run changes
// nothing.
func TestSharedPoliceFiles(t *testing.T) {
	data := shareddata.Path(t, "data")
	dirs, _ := filepath.Glob(filepath.Join(data, "police-uk*"))
	st := openStore(t)
	sum := load(t, st, dirs...)
	if sum.Totals.Refused != 0 {
		t.Errorf("refused: %+v", sum.Totals)
	}
	for _, f := range sum.Files {
		if f.Status == StatusSuperseded {
			continue
		}
		if want := dataLines(t, f.Path); f.Loaded+f.Quarantined != want {
			t.Errorf("%s: %d + %d != %d", f.Path, f.Loaded, f.Quarantined, want)
		}
	}
	if q := scalar[int64](t, st, `SELECT count(*) FROM quarantine`); q != 3954 {
		t.Errorf("quarantined %d, want the 3,954 rows a spreadsheet split", q)
	}
	before := fingerprint(t, st)
	again := load(t, st, dirs...)
	if again.Totals.Loaded != 0 || fingerprint(t, st) != before {
		t.Errorf("second run changed the store: %+v", again.Totals)
	}
}

// TestSourcesShareBulkPartitions loads a month as the API client hands it
// over (bytes in the bulk layout, a path naming the API) after the bulk file
// of the same month: identical bytes are unchanged, new ones replace it.
func TestSourcesShareBulkPartitions(t *testing.T) {
	st := openStore(t)
	path := filepath.Join(sample, "2020-04", "2020-04-city-of-london-street.csv")
	load(t, st, path)
	body, _ := os.ReadFile(path)
	src := func(b []byte) []Source {
		return []Source{{Path: "api:https://data.police.uk/api/2020-04-city-of-london-street.csv",
			Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }}}
	}
	sum, err := PoliceSources(context.Background(), st, src(body), Options{})
	if err != nil || sum.Files[0].Status != StatusUnchanged {
		t.Fatalf("same bytes from the API: %+v, %v", sum, err)
	}
	lines := strings.Split(strings.TrimSpace(string(body)), "\n")
	sum, err = PoliceSources(context.Background(), st, src([]byte(strings.Join(lines[:len(lines)-5], "\n")+"\n")), Options{})
	if err != nil || sum.Files[0].Status != StatusReplaced || sum.Files[0].Loaded != int64(len(lines)-6) {
		t.Fatalf("newer API data: %+v, %v", sum.Files, err)
	}
	if n := scalar[int64](t, st, `SELECT count(*) FROM police_street`); n != int64(len(lines)-6) {
		t.Errorf("%d rows after the API replaced the month", n)
	}
}

// TestStoreFailureRollsBack: when one writer's insert fails (here the stop
// and search table is missing), the load stops with the store's error, the
// other writers roll back what they had not committed, every partition
// left in the store is whole, and the same command run again completes
// the load.
func TestStoreFailureRollsBack(t *testing.T) {
	st := openStore(t)
	if _, err := st.DB.Exec(`ALTER TABLE police_stop_search RENAME TO stop_search_away`); err != nil {
		t.Fatal(err)
	}
	_, err := Police(context.Background(), st, []string{sample}, Options{Writers: 2, Workers: 2})
	if err == nil || !strings.Contains(err.Error(), "rolled back") || !strings.Contains(err.Error(), "police_stop_search") {
		t.Fatalf("load with a missing table: %v", err)
	}
	if n := scalar[int64](t, st, `SELECT count(*) FROM sources s WHERE status = 'loaded'
		AND rows_loaded != (SELECT count(*) FROM police_street p WHERE p.source_id = s.source_id)`); n != 0 {
		t.Errorf("%d lineage records disagree with the rows stored: a partition was half written", n)
	}
	if _, err := st.DB.Exec(`ALTER TABLE stop_search_away RENAME TO police_stop_search`); err != nil {
		t.Fatal(err)
	}
	load(t, st, sample)
	ref := openStore(t)
	load(t, ref, sample)
	for _, q := range []string{`SELECT count(*) FROM police_street`, `SELECT count(*) FROM police_stop_search`,
		`SELECT count(*) FROM sources WHERE superseded_by IS NULL`, `SELECT sum(hash(crime_id, line, location) % 1000003)::BIGINT FROM police_street`} {
		if got, want := scalar[int64](t, st, q), scalar[int64](t, ref, q); got != want {
			t.Errorf("%s: %d after the failed load and a second run, %d in one clean load", q, got, want)
		}
	}
}
