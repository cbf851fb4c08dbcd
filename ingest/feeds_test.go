package ingest

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/safercity/safercity/ingest/feed"
	"github.com/safercity/safercity/store"
)

const sampleFeeds = "../data/feeds/feeds.yaml"

func feedConfig(t *testing.T) *feed.Config {
	t.Helper()
	c, err := feed.Load(sampleFeeds)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func sampleFeed(t *testing.T, name string) *feed.Feed {
	t.Helper()
	f, err := feedConfig(t).Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// loadFeed loads f, from source when it is not "".
func loadFeed(t *testing.T, st *store.Store, f *feed.Feed, source string) *FeedSummary {
	t.Helper()
	sum, err := Feed(context.Background(), st, f, FeedOptions{Source: source})
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func loadAllFeeds(t *testing.T, st *store.Store) []*FeedSummary {
	t.Helper()
	var sums []*FeedSummary
	for _, f := range feedConfig(t).Feeds {
		sums = append(sums, loadFeed(t, st, f, ""))
	}
	return sums
}

// feedFingerprint sums a hash of every row of the feed tables, quarantine
// and lineage, so two states can be compared for identical contents.
func feedFingerprint(t *testing.T, st *store.Store) string {
	t.Helper()
	var parts []string
	for _, table := range []string{"premises", "incidents", "population", "indicators", "quarantine", "sources"} {
		cols := "*"
		if table == "sources" {
			cols = "* EXCLUDE (started, finished)"
		}
		parts = append(parts, scalar[string](t, st, fmt.Sprintf(
			"SELECT count(*) || ':' || coalesce(sum(hash(t)), 0) FROM (SELECT %s FROM %s) t", cols, table)))
	}
	return strings.Join(parts, " ")
}

func statuses(sum *FeedSummary) string {
	var s []string
	for _, f := range sum.Files {
		s = append(s, f.Status)
	}
	return strings.Join(s, ",")
}

func TestFeedSampleLoadsEveryKind(t *testing.T) {
	st := openStore(t)
	for _, sum := range loadAllFeeds(t, st) {
		if sum.Totals.Refused > 0 || sum.Totals.Loaded == 0 {
			t.Errorf("%s: %+v", sum.Feed, sum.Totals)
		}
	}
	for table, want := range map[string]int64{"premises": 28 + 12, "incidents": 1394 + 398 + 200, "population": 617 + 22, "indicators": 16 * 12 * 4} {
		if got := scalar[int64](t, st, "SELECT count(*) FROM "+table); got != want {
			t.Errorf("%s: %d rows, want %d", table, got, want)
		}
	}
	if got := scalar[int64](t, st, `SELECT count(*) FROM quarantine`); got != 7+2+2 {
		t.Errorf("%d rows quarantined, want 11", got)
	}
	// Lineage: a row per file with the feed, its kind, size and hash; every
	// stored and quarantined row links to a file of its own feed.
	if n := scalar[int64](t, st, `SELECT count(*) FROM sources WHERE feed IS NULL OR force IS NOT NULL OR month IS NOT NULL
		OR status <> 'loaded' OR length(sha256) <> 64 OR size <= 0 OR started > finished`); n != 0 {
		t.Errorf("%d sources rows lack a feed, hash or size, or have a force or month", n)
	}
	if n := scalar[int64](t, st, `SELECT count(*) FROM sources`); n != 1+1+1+1+1+1+12+1 {
		t.Errorf("%d sources rows, want one per file", n)
	}
	for _, table := range []string{"premises", "incidents", "population", "indicators"} {
		if n := scalar[int64](t, st, fmt.Sprintf(`SELECT count(*) FROM %s r LEFT JOIN sources s USING (source_id)
			WHERE s.feed IS DISTINCT FROM r.feed OR s.kind <> '%s'`, table, table)); n != 0 {
			t.Errorf("%s: %d rows do not link to a file of their feed", table, n)
		}
	}
	if n := scalar[int64](t, st, `SELECT count(*) FROM sources s WHERE rows_loaded <>
		(SELECT count(*) FROM incidents i WHERE i.source_id = s.source_id) AND kind = 'incidents'`); n != 0 {
		t.Errorf("%d incident files' rows_loaded disagree with the rows stored", n)
	}
	if n := scalar[int64](t, st, `SELECT count(*) FROM sources s WHERE rows_quarantined <>
		(SELECT count(*) FROM quarantine q WHERE q.source_id = s.source_id)`); n != 0 {
		t.Errorf("%d files' rows_quarantined disagree with quarantine", n)
	}
	// The repeated hour of 25 October 2020 is stored as its BST reading.
	got := scalar[string](t, st, `SELECT strftime(occurred_at, '%Y-%m-%d %H:%M') || ' ' || strftime(month, '%Y-%m') FROM incidents
		WHERE feed = 'col-cad' AND occurred_local = TIMESTAMP '2020-10-25 01:30:00'`)
	if got != "2020-10-25 00:30 2020-10" {
		t.Errorf("25/10/2020 01:30 London stored as %s UTC, want 2020-10-25 00:30 in month 2020-10", got)
	}
	// The skipped hour of 29 March 2020 is quarantined with its line and reason.
	q := scalar[string](t, st, `SELECT path || ':' || line || ': ' || reason FROM quarantine WHERE raw LIKE 'CAD-20200329-0002,%'`)
	if !strings.HasSuffix(q, "col-cad-ILLUSTRATIVE.csv:636: Date + Time \"29/03/2020 01:30\": does not exist in Europe/London: the clocks went forward over it (if the log is not in local time, declare time.zone)") {
		t.Errorf("quarantine: %s", q)
	}
	// Both CRSs are stored, whichever the feed gave.
	if n := scalar[int64](t, st, `SELECT count(*) FROM premises WHERE longitude IS NULL OR easting IS NULL
		OR NOT (longitude BETWEEN -0.12 AND -0.07 AND latitude BETWEEN 51.50 AND 51.53)`); n != 0 {
		t.Errorf("%d premises lack a pair or lie outside the City", n)
	}
	// Night Owl Club, open until 04:30 after Friday night and closed on
	// Mondays, closes at 28:30.
	if got := scalar[string](t, st, `SELECT close_fri || ' ' || coalesce(close_mon::VARCHAR, 'closed') FROM premises WHERE name = 'Night Owl Club'`); got != "1710 closed" {
		t.Errorf("Night Owl Club closes on Friday, Monday: %s; want 1710 (04:30 the next morning), closed", got)
	}
	// The indicators carry the contract's pillar and direction.
	if got := scalar[string](t, st, `SELECT string_agg(DISTINCT indicator || '=' || pillar || '/' || direction, ' ' ORDER BY indicator || '=' || pillar || '/' || direction) FROM indicators`); got !=
		"assault_callouts_per_1k_workday=health/-1 continuity_plan_pct=infrastructure/1 cyber_essentials_pct=digital/1 cyber_incidents_per_1k_businesses=digital/-1" {
		t.Errorf("indicators: %s", got)
	}
}

func TestFeedReloadingIdenticalBytesChangesNothing(t *testing.T) {
	st := openStore(t)
	loadAllFeeds(t, st)
	before := feedFingerprint(t, st)
	for _, sum := range loadAllFeeds(t, st) {
		if sum.Totals.Unchanged != sum.Totals.Files || sum.Totals.Loaded != 0 {
			t.Errorf("%s loaded again: %s", sum.Feed, statuses(sum))
		}
	}
	// The same bytes at another path are the same file.
	cad := sampleFeed(t, "col-cad")
	b, _ := os.ReadFile(cad.Source)
	copyPath := filepath.Join(t.TempDir(), "cad-copy.csv")
	os.WriteFile(copyPath, b, 0o644)
	if sum := loadFeed(t, st, cad, copyPath); statuses(sum) != StatusUnchanged {
		t.Errorf("a copy of the loaded file: %s", statuses(sum))
	}
	if after := feedFingerprint(t, st); after != before {
		t.Errorf("loading the same bytes again changed the store:\n%s\n%s", before, after)
	}
}

// Names and free text the contract does not declare appear nowhere in the
// database: not in the tables, not in quarantine, not in lineage.
func TestFeedUndeclaredFieldsAreNeverStored(t *testing.T) {
	st := openStore(t)
	loadAllFeeds(t, st)
	secrets := map[string]bool{}
	// The registers' licence holders.
	gj, _ := os.ReadFile("../data/feeds/premises/col-premises-ILLUSTRATIVE.geojson")
	for _, m := range regexp.MustCompile(`"licence_holder": "([^"]+)"`).FindAllSubmatch(gj, -1) {
		secrets[string(m[1])] = true
	}
	for _, r := range readCSV(t, "../data/feeds/premises/col-premises-legacy-ILLUSTRATIVE-cp1252.csv") {
		secrets[r["Premises Licence Holder"]] = true
		secrets[r["Conditions"]] = true
	}
	// The ASB complainants and descriptions, CAD operator notes.
	inbox, _ := filepath.Glob("../data/feeds/incidents/asb-inbox/*.csv")
	for _, p := range inbox {
		for _, r := range readCSV(t, p) {
			secrets[r["Complainant"]] = true
			secrets[r["Description"]] = true
		}
	}
	for _, r := range readCSV(t, "../data/feeds/incidents/col-cad-ILLUSTRATIVE.csv") {
		secrets[r["Operator Notes"]] = true
	}
	secrets["Conveyed to hospital"] = true // ambulance crew notes
	// A register whose bad rows carry a holder's name into quarantine.
	legacy := sampleFeed(t, "col-premises-legacy")
	bad := filepath.Join(t.TempDir(), "register.csv")
	os.WriteFile(bad, []byte("Licence No,Premises,Address,Type,Easting,Northing,Mon,Tue,Wed,Thu,Fri,Sat,Sun,Premises Licence Holder,Conditions\r\n"+
		"X1,Bar One,1 Wood Street,BAR - Bar,532300,181300,2300,2300,2300,2300,late,0200,2300,Zebedee Quartermaine,None\r\n"+
		"X2,Bar Two,2 Wood Street,BAR - Bar,532310,181310,2300,2300,2300,2300,0200,0200,2300,Ottoline Fairbrother,Door staff, two\r\n"+
		"X3,Bar Three,3 Wood Street,BAR - Bar,532320,181320,2300,2300,2300,2300,0200,0200,2300,Peregrine Ashcombe,None\r\n"), 0o644)
	sum := loadFeed(t, st, legacy, bad)
	if sum.Totals.Loaded != 1 || sum.Totals.Quarantined != 2 {
		t.Fatalf("crafted register: %+v", sum.Totals)
	}
	for _, s := range []string{"Zebedee Quartermaine", "Ottoline Fairbrother", "Peregrine Ashcombe", "Door staff"} {
		secrets[s] = true
	}
	var values []string
	for s := range secrets {
		if len(s) < 8 {
			t.Fatalf("secret %q is too short to search for", s)
		}
		values = append(values, regexp.QuoteMeta(s))
	}
	pattern := strings.Join(values, "|")
	// Base tables only: the Arrow views a load registers are gone.
	cols, err := st.DB.Query(`SELECT table_name, column_name FROM information_schema.columns
		JOIN information_schema.tables USING (table_catalog, table_schema, table_name)
		WHERE table_schema = 'main' AND table_type = 'BASE TABLE' AND data_type = 'VARCHAR' ORDER BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	var pairs [][2]string
	for cols.Next() {
		var p [2]string
		cols.Scan(&p[0], &p[1])
		pairs = append(pairs, p)
	}
	cols.Close()
	if len(pairs) < 30 {
		t.Fatalf("only %d text columns found", len(pairs))
	}
	literal := "'" + strings.ReplaceAll(pattern, "'", "''") + "'"
	for _, p := range pairs {
		q := fmt.Sprintf(`SELECT count(*) FROM "%s" WHERE regexp_matches("%s", %s)`, p[0], p[1], literal)
		if n := scalar[int64](t, st, q); n != 0 {
			t.Errorf("%s.%s: %d rows hold a value the contract does not declare", p[0], p[1], n)
		}
	}
	// The search itself finds what is there.
	if n := scalar[int64](t, st, `SELECT count(*) FROM premises WHERE regexp_matches(name, 'Bar Three|The Lamplighter')`); n != 2 {
		t.Errorf("the search found %d of 2 declared names", n)
	}
	// The quarantined rows keep their declared fields.
	if got := scalar[string](t, st, `SELECT string_agg(line || ' ' || raw, ' | ' ORDER BY line) FROM quarantine WHERE path = ?`, bad); got !=
		"2 X1,Bar One,1 Wood Street,BAR - Bar,532300,181300,2300,2300,2300,2300,late,0200,2300,, | "+
			"3 (not kept: the row's fields do not line up with the header, so the columns the contract does not declare cannot be left out)" {
		t.Errorf("quarantined: %s", got)
	}
}

// readCSV reads a sample CSV (Windows-1252 read as Latin-1, which differs
// only in punctuation) into maps by header.
func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) && !isUTF8(b) {
		var runes []rune
		for _, c := range b {
			runes = append(runes, rune(c))
		}
		b = []byte(string(runes))
	}
	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			if i < len(r) {
				m[h] = r[i]
			}
		}
		out = append(out, m)
	}
	return out
}

func isUTF8(b []byte) bool { return strings.ToValidUTF8(string(b), "") == string(b) }

// partitionCase is a small feed of one kind whose rows fall in two
// partitions, p1 and p2.
type partitionCase struct {
	kind     string
	contract string
	header   string
	row      func(part, i int) string // a data row in partition 1 or 2
	key      string                   // SQL for a row's partition, 1 or 2
}

var partitionCases = []partitionCase{
	{
		kind: "incidents",
		contract: `
    time: {layout: RFC3339}
    columns: {occurred_at: At, category: Type, incident_id: Ref}`,
		header: "Ref,At,Type",
		// 23:30 UTC on 31 May is June in London: partition 2 starts there.
		row: func(part, i int) string {
			return fmt.Sprintf("R%d-%d,%s,assault", part, i, []string{"2020-05-10T22:00:00Z", "2020-05-31T23:30:00Z"}[part-1])
		},
		key: "month(month) - 4",
	},
	{
		kind: "population",
		contract: `
    columns: {area_code: Code, year: Year, residents: People}
    fixed: {area_type: lsoa}`,
		header: "Code,Year,People",
		row:    func(part, i int) string { return fmt.Sprintf("E0%d,%d,\"1,%03d\"", i, 2018+part, i) },
		key:    "year - 2018",
	},
	{
		kind: "indicators",
		contract: `
    time: {layout: "Jan 2006"}
    columns: {unit: Unit, period: Month, indicator: Code, value: Value}
    indicators: {cyber: {pillar: digital, direction: -1}}`,
		header: "Unit,Month,Code,Value",
		row: func(part, i int) string {
			return fmt.Sprintf("Unit %d,%s 2020,cyber,%d.5", i, []string{"Jan", "Feb"}[part-1], i)
		},
		key: "month(period)",
	},
}

// Rows of a feed replace whole the partitions they fall in; other partitions,
// and files of the same load, are left alone.
func TestFeedPartitionsReplacedWhole(t *testing.T) {
	for _, tc := range partitionCases {
		t.Run(tc.kind, func(t *testing.T) {
			st := openStore(t)
			inbox := t.TempDir()
			c, err := feed.Parse([]byte(fmt.Sprintf("feeds:\n  - name: f\n    kind: %s\n    partner: P\n    format: csv\n    source: %s%s\n", tc.kind, inbox, tc.contract)), "")
			if err != nil {
				t.Fatal(err)
			}
			f := c.Feeds[0]
			write := func(name string, rows ...string) string {
				p := filepath.Join(inbox, name)
				os.WriteFile(p, []byte(tc.header+"\n"+strings.Join(rows, "\n")+"\n"), 0o644)
				return p
			}
			counts := func() string {
				return scalar[string](t, st, fmt.Sprintf(`SELECT coalesce(string_agg(p || ':' || n, ' ' ORDER BY p), '')
					FROM (SELECT %s AS p, count(*) AS n FROM %s GROUP BY 1)`, tc.key, tc.kind))
			}
			write("a.csv", tc.row(1, 1), tc.row(1, 2), tc.row(2, 1), tc.row(2, 2))
			if sum := loadFeed(t, st, f, ""); statuses(sum) != "loaded" {
				t.Fatalf("first load: %s", statuses(sum))
			}
			if got := counts(); got != "1:2 2:2" {
				t.Fatalf("after a.csv: %s", got)
			}
			// A second file in the inbox: both files are the feed now.
			b := write("b.csv", tc.row(2, 3))
			if sum := loadFeed(t, st, f, ""); statuses(sum) != "unchanged,loaded" {
				t.Errorf("inbox with b.csv: %s", statuses(sum))
			}
			if got := counts(); got != "1:2 2:3" {
				t.Errorf("after adding b.csv to the inbox: %s, want partition 2 to hold both files' rows", got)
			}
			contents := func() string { // the rows, whatever files they came from
				return scalar[string](t, st, fmt.Sprintf(`SELECT count(*) || ':' || sum(hash(t)) FROM (SELECT * EXCLUDE (source_id) FROM %s) t`, tc.kind))
			}
			full := contents()
			// b.csv alone is a new statement of partition 2: it replaces it
			// whole and leaves partition 1 alone.
			os.Rename(b, filepath.Join(t.TempDir(), "b.csv"))
			alone := write("b2.csv", tc.row(2, 3), tc.row(2, 4))
			sum := loadFeed(t, st, f, alone)
			if statuses(sum) != "replaced" || sum.Totals.Replaced != 3 {
				t.Errorf("b2.csv alone: %s, replaced %d; want the 3 rows of partition 2 replaced", statuses(sum), sum.Totals.Replaced)
			}
			if got := counts(); got != "1:2 2:2" {
				t.Errorf("after loading b2.csv alone: %s", got)
			}
			// The file of b.csv's load is left without rows: it is superseded.
			if n := scalar[int64](t, st, `SELECT count(*) FROM sources WHERE path LIKE '%/b.csv' AND superseded_by IS NOT NULL`); n != 1 {
				t.Errorf("b.csv superseded: %d", n)
			}
			// Loading the inbox again restores a.csv's rows of partition 2,
			// though a.csv's bytes have not changed: its stored rows are no
			// longer all there.
			os.Remove(alone)
			write("b.csv", tc.row(2, 3))
			if sum := loadFeed(t, st, f, ""); statuses(sum) != "replaced,loaded" {
				t.Errorf("inbox again: %s", statuses(sum))
			}
			if got := counts(); got != "1:2 2:3" {
				t.Errorf("after loading the inbox again: %s", got)
			}
			// …and then nothing more changes.
			again := feedFingerprint(t, st)
			if sum := loadFeed(t, st, f, ""); statuses(sum) != "unchanged,unchanged" {
				t.Errorf("inbox a third time: %s", statuses(sum))
			}
			if feedFingerprint(t, st) != again {
				t.Error("loading unchanged files changed the store")
			}
			if got := contents(); got != full {
				t.Errorf("the inbox loaded again holds %s, want what it held before: %s", got, full)
			}
		})
	}
}

// A new version of a file at the same path supersedes the old one whole:
// its rows, its quarantined rows and its lineage.
func TestFeedNewVersionOfAFileSupersedesIt(t *testing.T) {
	st := openStore(t)
	cad := sampleFeed(t, "col-cad")
	b, _ := os.ReadFile(cad.Source)
	path := filepath.Join(t.TempDir(), "cad.csv")
	os.WriteFile(path, b, 0o644)
	first := loadFeed(t, st, cad, path)
	oldID := scalar[int64](t, st, `SELECT source_id FROM sources WHERE path = ?`, path)
	// The partner corrects the log: the bad rows are fixed or removed, and
	// November's calls are withdrawn.
	var kept []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, "/11/2020") || strings.HasPrefix(line, "CAD-20200606-9001") {
			continue
		}
		line = strings.Replace(line, "29/03/2020,01:30", "29/03/2020,02:30", 1)
		kept = append(kept, line)
	}
	os.WriteFile(path, []byte(strings.Join(kept, "\n")), 0o644)
	sum := loadFeed(t, st, cad, path)
	if statuses(sum) != StatusReplaced || sum.Totals.Replaced != first.Totals.Loaded {
		t.Errorf("new version: %s, replaced %d; want all %d rows of the old version replaced", statuses(sum), sum.Totals.Replaced, first.Totals.Loaded)
	}
	if n := scalar[int64](t, st, `SELECT count(*) FROM incidents WHERE feed = 'col-cad'`); n != sum.Totals.Loaded {
		t.Errorf("%d rows stored, want the new version's %d", n, sum.Totals.Loaded)
	}
	if n := scalar[int64](t, st, `SELECT count(*) FROM incidents WHERE month = DATE '2020-11-01'`); n != 0 {
		t.Errorf("%d withdrawn November calls remain", n)
	}
	if n := scalar[int64](t, st, `SELECT count(*) FROM quarantine WHERE source_id = ?`, oldID); n != 0 {
		t.Errorf("%d quarantined rows of the old version remain", n)
	}
	if n := scalar[int64](t, st, `SELECT count(*) FROM quarantine`); n != 5 {
		t.Errorf("%d rows quarantined, want the new version's 5", n)
	}
	if by := scalar[int64](t, st, `SELECT superseded_by FROM sources WHERE source_id = ?`, oldID); by <= oldID {
		t.Errorf("old version superseded_by %d", by)
	}
}

// A register is a snapshot: of an inbox of registers the last file is read,
// and it replaces the whole feed, leaving other feeds alone.
func TestFeedPremisesSnapshotReplacesTheFeed(t *testing.T) {
	st := openStore(t)
	loadFeed(t, st, sampleFeed(t, "col-premises"), "")
	legacy := sampleFeed(t, "col-premises-legacy")
	b, _ := os.ReadFile(legacy.Source)
	lines := strings.SplitAfter(string(b), "\r\n")
	inbox := t.TempDir()
	os.WriteFile(filepath.Join(inbox, "register-2020-01.csv"), b, 0o644)
	os.WriteFile(filepath.Join(inbox, "register-2020-02.csv"), []byte(strings.Join(lines[:6], "")), 0o644)
	sum := loadFeed(t, st, legacy, inbox)
	if statuses(sum) != "superseded,loaded" || sum.Totals.Loaded != 5 {
		t.Errorf("inbox of two registers: %s, %d loaded", statuses(sum), sum.Totals.Loaded)
	}
	os.WriteFile(filepath.Join(inbox, "register-2020-03.csv"), []byte(strings.Join(append(lines[:1], lines[8:]...), "")), 0o644)
	sum = loadFeed(t, st, legacy, inbox)
	if statuses(sum) != "superseded,superseded,replaced" || sum.Totals.Replaced != 5 || sum.Totals.Loaded != 5 {
		t.Errorf("a new register: %s, %+v", statuses(sum), sum.Totals)
	}
	if got := scalar[string](t, st, `SELECT string_agg(feed || '=' || n, ' ' ORDER BY feed) FROM (SELECT feed, count(*) n FROM premises GROUP BY 1)`); got != "col-premises=28 col-premises-legacy=5" {
		t.Errorf("premises per feed: %s", got)
	}
}

// asbInbox makes an inbox for the asb-cases feed holding one good file,
// asb-cases-1.csv, and returns it with the feed and the file's bytes.
func asbInbox(t *testing.T) (*feed.Feed, string, []byte) {
	t.Helper()
	asb := sampleFeed(t, "asb-cases")
	inbox := t.TempDir()
	good, _ := os.ReadFile(filepath.Join(asb.Source, "asb-cases-ILLUSTRATIVE-2020-01.csv"))
	os.WriteFile(filepath.Join(inbox, "asb-cases-1.csv"), good, 0o644)
	return asb, inbox, good
}

func TestFeedRefusedFileDoesNotStopTheOthers(t *testing.T) {
	st := openStore(t)
	asb, inbox, good := asbInbox(t)
	os.WriteFile(filepath.Join(inbox, "asb-cases-2.csv"), []byte("Case,When\nA,B\n"), 0o644)
	os.WriteFile(filepath.Join(inbox, "notes.txt"), []byte("not matched"), 0o644)
	os.WriteFile(filepath.Join(inbox, "asb-cases-3.csv"), good, 0o644) // the same bytes again
	sum := loadFeed(t, st, asb, inbox)
	if statuses(sum) != "loaded,refused,skipped" {
		t.Fatalf("statuses %s", statuses(sum))
	}
	if e := sum.Files[1].Error; !strings.Contains(e, `"Case ID"`) {
		t.Errorf("refused because %q", e)
	}
	if n := scalar[int64](t, st, `SELECT count(*) FROM sources WHERE status = 'refused' AND error LIKE '%Case ID%' AND feed = 'asb-cases'`); n != 1 {
		t.Errorf("%d refused files recorded", n)
	}
	before := feedFingerprint(t, st)
	if sum := loadFeed(t, st, asb, inbox); statuses(sum) != "unchanged,refused,skipped" {
		t.Errorf("again: %s", statuses(sum))
	}
	if feedFingerprint(t, st) != before {
		t.Error("loading the same refused file again recorded it again")
	}
}

// TestFeedSpecialFileRefused: a FIFO in a feed's inbox blocked the feed
// job in open(2); now it is refused with the reason and the others load.
func TestFeedSpecialFileRefused(t *testing.T) {
	st := openStore(t)
	asb, inbox, _ := asbInbox(t)
	if err := syscall.Mkfifo(filepath.Join(inbox, "asb-cases-2.csv"), 0o644); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sum, err := Feed(ctx, st, asb, FeedOptions{Source: inbox})
	if err != nil {
		t.Fatal(err)
	}
	if statuses(sum) != "loaded,refused" || !strings.Contains(sum.Files[1].Error, "named pipe") {
		t.Errorf("statuses %s: %+v", statuses(sum), sum.Files)
	}
}

func TestFeedFromURL(t *testing.T) {
	ons := sampleFeed(t, "ons-population-2019")
	body, _ := os.ReadFile(ons.Source)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/pop.csv" {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	defer srv.Close()
	st := openStore(t)
	sum := loadFeed(t, st, ons, srv.URL+"/pop.csv")
	if sum.Totals.Loaded != 617 || sum.Files[0].Path != srv.URL+"/pop.csv" {
		t.Errorf("from a URL: %+v", sum.Files)
	}
	// The same bytes from the file are the same source.
	if sum := loadFeed(t, st, ons, ""); statuses(sum) != StatusUnchanged {
		t.Errorf("the file after the URL: %s", statuses(sum))
	}
	before := feedFingerprint(t, st)
	_, err := Feed(context.Background(), st, ons, FeedOptions{Source: srv.URL + "/missing.csv"})
	if err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("a missing URL: %v", err)
	}
	if feedFingerprint(t, st) != before {
		t.Error("a failed download changed the store")
	}
}

func TestFeedStatuses(t *testing.T) {
	st := openStore(t)
	cfg := feedConfig(t)
	start := time.Now().UTC().Add(-time.Second)
	loadFeed(t, st, sampleFeed(t, "col-cad"), "")
	list, err := FeedStatuses(context.Background(), st, cfg.Feeds)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		switch s.Feed {
		case "col-cad":
			if s.Rows != 1394 || s.Quarantined != 7 || s.Files != 1 || s.LastStatus != StatusLoaded || s.LastLoad.Before(start) {
				t.Errorf("col-cad: %+v", s)
			}
		default:
			if s.Rows != 0 || !s.LastLoad.IsZero() {
				t.Errorf("%s never loaded: %+v", s.Feed, s)
			}
		}
	}
}

// Police and feed files share sources: each loader sees only its own.
func TestFeedsBesidePoliceData(t *testing.T) {
	st := openStore(t)
	load(t, st, sample)
	loadAllFeeds(t, st)
	before := fingerprint(t, st) + feedFingerprint(t, st)
	if sum := load(t, st, sample); sum.Totals.Unchanged != sum.Totals.Files {
		t.Errorf("police data after feeds: %+v", sum.Totals)
	}
	for _, sum := range loadAllFeeds(t, st) {
		if sum.Totals.Unchanged != sum.Totals.Files {
			t.Errorf("%s after police data: %s", sum.Feed, statuses(sum))
		}
	}
	if fingerprint(t, st)+feedFingerprint(t, st) != before {
		t.Error("loading both again changed the store")
	}
}
