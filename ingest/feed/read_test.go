package feed

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// contract parses one feed's contract.
func contract(t *testing.T, yaml string) *Feed {
	t.Helper()
	c, err := Parse([]byte("feeds:\n"+yaml), "")
	if err != nil {
		t.Fatal(err)
	}
	return c.Feeds[0]
}

// read reads data with f, checking the memory is released.
func read(t *testing.T, f *Feed, data string) *File {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	file, err := Read(strings.NewReader(data), f, 7, mem)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(file.Release)
	if got := file.Record.NumRows() + int64(len(file.Rejected)); got != file.Rows {
		t.Errorf("%d loaded + %d rejected != %d rows read", file.Record.NumRows(), len(file.Rejected), file.Rows)
	}
	return file
}

// readSample reads every file of a sample feed.
func readSample(t *testing.T, name string) (*Feed, []*File) {
	t.Helper()
	c, err := Load(sampleConfig)
	if err != nil {
		t.Fatal(err)
	}
	f, err := c.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{f.Source}
	if fi, err := os.Stat(f.Source); err == nil && fi.IsDir() {
		paths, _ = filepath.Glob(filepath.Join(f.Source, f.Match))
	}
	var files []*File
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, read(t, f, string(b)))
	}
	return f, files
}

// col returns the named column of a record.
func col[A arrow.Array](t *testing.T, r arrow.RecordBatch, name string) A {
	t.Helper()
	idx := r.Schema().FieldIndices(name)
	if len(idx) != 1 {
		t.Fatalf("no column %s", name)
	}
	return r.Column(idx[0]).(A)
}

func reasons(file *File) string {
	var s []string
	for _, r := range file.Rejected {
		s = append(s, r.Reason)
	}
	return strings.Join(s, "\n")
}

// The real ONS file: UTF-8 BOM, CRLF and quoted thousands ("1,954").
func TestFeedONSPopulationFile(t *testing.T) {
	_, files := readSample(t, "ons-population-2019")
	f := files[0]
	if f.Record.NumRows() != 617 || len(f.Rejected) != 0 {
		t.Fatalf("loaded %d, rejected %d (%s); want the 617 City of London and Leicestershire LSOAs", f.Record.NumRows(), len(f.Rejected), reasons(f))
	}
	codes := col[*array.String](t, f.Record, "area_code")
	res := col[*array.Int64](t, f.Record, "residents")
	lines := col[*array.Int64](t, f.Record, "line")
	city := int64(0)
	for i := 0; i < codes.Len(); i++ {
		switch codes.Value(i) {
		case "E01000001", "E01000002", "E01000003", "E01000005", "E01032739", "E01032740":
			city += res.Value(i)
		}
		if strings.ContainsAny(codes.Value(i), "\uFEFF\r\"") {
			t.Errorf("line %d: code %q keeps a BOM, CR or quote", lines.Value(i), codes.Value(i))
		}
	}
	// 1,636 + 1,558 + 1,786 + 1,888 + 1,375 + 1,478 in the published file
	if city != 9721 {
		t.Errorf("City of London residents %d, want 9721", city)
	}
	if codes.Value(0) != "E01013600" || res.Value(0) != 1995 || lines.Value(0) != 2 {
		t.Errorf("first row %s %d at line %d, want E01013600 1995 at line 2", codes.Value(0), res.Value(0), lines.Value(0))
	}
	if year := col[*array.Int32](t, f.Record, "year"); year.Value(0) != 2019 {
		t.Errorf("year %d from fixed", year.Value(0))
	}
}

func TestFeedWorkdayPopulationJSON(t *testing.T) {
	_, files := readSample(t, "workday-population-2019")
	f := files[0]
	if f.Record.NumRows() != 22 || len(f.Rejected) != 0 {
		t.Fatalf("loaded %d, rejected %d: %s", f.Record.NumRows(), len(f.Rejected), reasons(f))
	}
	types := col[*array.String](t, f.Record, "area_type")
	work := col[*array.Int64](t, f.Record, "workday_population")
	codes := col[*array.String](t, f.Record, "area_code")
	for i := 0; i < codes.Len(); i++ {
		if codes.Value(i) == "E01032739" && (types.Value(i) != "lsoa" || work.Value(i) != 266240) {
			t.Errorf("E01032739: %s %d; want lsoa and the quoted \"266,240\" read", types.Value(i), work.Value(i))
		}
		if codes.Value(i) == "E09000001" && work.Value(i) != 512000 {
			t.Errorf("City of London workday population %d", work.Value(i))
		}
	}
}

// The GeoJSON register: points from the geometry, both CRSs stored,
// closing times past midnight as 24h+, and the licence holders' names never
// read.
func TestFeedPremisesGeoJSON(t *testing.T) {
	_, files := readSample(t, "col-premises")
	f := files[0]
	if f.Record.NumRows() != 28 || len(f.Rejected) != 0 {
		t.Fatalf("loaded %d, rejected %d: %s", f.Record.NumRows(), len(f.Rejected), reasons(f))
	}
	if strings.Join(f.Dropped, ",") != "licence_holder" {
		t.Errorf("dropped %v, want the undeclared licence_holder", f.Dropped)
	}
	lon := col[*array.Float64](t, f.Record, "longitude")
	e := col[*array.Float64](t, f.Record, "easting")
	n := col[*array.Float64](t, f.Record, "northing")
	types := col[*array.String](t, f.Record, "licence_type")
	mon := col[*array.Int32](t, f.Record, "close_mon")
	fri := col[*array.Int32](t, f.Record, "close_fri")
	for i := 0; i < lon.Len(); i++ {
		// the City of London lies within about 530,800–534,000 E, 180,300–182,000 N
		if e.Value(i) < 530000 || e.Value(i) > 534500 || n.Value(i) < 180000 || n.Value(i) > 182500 {
			t.Errorf("row %d: BNG %.0f, %.0f is not in the City", i, e.Value(i), n.Value(i))
		}
		if types.Value(i) == "nightclub" && (!mon.IsNull(i) || fri.Value(i) < 27*60) {
			t.Errorf("nightclub: Monday %v (want closed: NULL), Friday %d (want after 03:00 = 1620)", mon.Value(i), fri.Value(i))
		}
	}
	assertAbsent(t, f.Record, holderNames(t)...)
}

// holderNames returns the licence holders' names in the sample register.
func holderNames(t *testing.T) []string {
	b, err := os.ReadFile("../../data/feeds/premises/col-premises-ILLUSTRATIVE.geojson")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, line := range strings.Split(string(b), "\n") {
		if _, v, ok := strings.Cut(line, `"licence_holder": "`); ok {
			names = append(names, strings.TrimSuffix(strings.TrimSpace(v), `",`))
		}
	}
	if len(names) != 28 {
		t.Fatalf("found %d licence holders in the sample register, want 28", len(names))
	}
	return names
}

// assertAbsent checks that no text column of r holds any of values.
func assertAbsent(t *testing.T, r arrow.RecordBatch, values ...string) {
	t.Helper()
	for c, field := range r.Schema().Fields() {
		s, ok := r.Column(c).(*array.String)
		if !ok {
			continue
		}
		for i := 0; i < s.Len(); i++ {
			for _, v := range values {
				if strings.Contains(s.Value(i), v) {
					t.Errorf("column %s row %d holds %q", field.Name, i, v)
				}
			}
		}
	}
}

// The legacy register: Windows-1252 text and British National Grid points,
// converted to WGS 84.
func TestFeedPremisesWindows1252AndBNG(t *testing.T) {
	_, files := readSample(t, "col-premises-legacy")
	f := files[0]
	if f.Record.NumRows() != 12 || len(f.Rejected) != 0 {
		t.Fatalf("loaded %d, rejected %d: %s", f.Record.NumRows(), len(f.Rejected), reasons(f))
	}
	names := col[*array.String](t, f.Record, "name")
	var got []string
	for i := 0; i < names.Len(); i++ {
		got = append(got, names.Value(i))
	}
	all := strings.Join(got, "|")
	for _, want := range []string{"Le Petit Café Noir", "St Mary’s Wine Bar", "Café Équinoxe", "Pâtisserie de Nuit"} {
		if !strings.Contains(all, want) {
			t.Errorf("names %q lack %q", all, want)
		}
	}
	lon := col[*array.Float64](t, f.Record, "longitude")
	lat := col[*array.Float64](t, f.Record, "latitude")
	e := col[*array.Float64](t, f.Record, "easting")
	for i := 0; i < lon.Len(); i++ {
		if lon.Value(i) < -0.115 || lon.Value(i) > -0.07 || lat.Value(i) < 51.505 || lat.Value(i) > 51.525 {
			t.Errorf("%s: %f, %f converted from BNG is not in the City", names.Value(i), lon.Value(i), lat.Value(i))
		}
		if e.Value(i) != math.Trunc(e.Value(i)) {
			t.Errorf("easting %f not kept as given (whole metres)", e.Value(i))
		}
	}
	assertAbsent(t, f.Record, "£", "Annual fee")
}

func TestFeedCADLogSetsAsideBadRows(t *testing.T) {
	_, files := readSample(t, "col-cad")
	f := files[0]
	want := map[string]string{ // the raw row's start → a phrase of its reason
		"CAD-20200117-0003,": "Call Type is empty",
		"CAD-20200228-0009,": "day out of range",
		"CAD-20200329-0002,": "does not exist in Europe/London",
		"CAD-20200704-0003,": `"TEST CALL - IGNORE" is not in the contract's categories.map`,
		"CAD-20200814-0001,": "look swapped",
		"CAD-20200919-0010,": "not a time",
		"CAD-20200606-9001,": "9 fields where the header has 8",
	}
	if len(f.Rejected) != len(want) {
		t.Errorf("%d rows set aside, want %d:\n%s", len(f.Rejected), len(want), reasons(f))
	}
	lines, _ := os.ReadFile("../../data/feeds/incidents/col-cad-ILLUSTRATIVE.csv")
	all := strings.Split(string(lines), "\n")
	for _, r := range f.Rejected {
		var phrase string
		for prefix, p := range want {
			if strings.HasPrefix(all[r.Line-1], prefix) {
				phrase = p
			}
		}
		if phrase == "" || !strings.Contains(r.Reason, phrase) {
			t.Errorf("line %d %q set aside because %q; want %q", r.Line, r.Raw, r.Reason, phrase)
		}
		// The raw row is the file's line with the undeclared Grade and
		// Operator Notes left empty; a row whose fields do not line up is
		// not kept.
		want := "(not kept: the row's fields do not line up with the header"
		if fields := strings.Split(all[r.Line-1], ","); len(fields) == 8 {
			fields[4], fields[7] = "", ""
			want = strings.Join(fields, ",")
		}
		if !strings.HasPrefix(r.Raw, want) {
			t.Errorf("line %d of the file is %q; the quarantined raw row is %q, want %q", r.Line, all[r.Line-1], r.Raw, want)
		}
	}
	if f.Record.NumRows() != 1394 {
		t.Errorf("loaded %d rows, want 1,401 - 7", f.Record.NumRows())
	}
	if strings.Join(f.Dropped, ",") != "Grade,Operator Notes" {
		t.Errorf("dropped %v", f.Dropped)
	}
	// The repeated hour at the end of October is read as BST.
	ids := col[*array.String](t, f.Record, "incident_id")
	at := col[*array.Timestamp](t, f.Record, "occurred_at")
	local := col[*array.Timestamp](t, f.Record, "occurred_local")
	month := col[*array.Date32](t, f.Record, "month")
	lon := col[*array.Float64](t, f.Record, "longitude")
	found, unlocated := false, 0
	for i := 0; i < ids.Len(); i++ {
		u := at.Value(i).ToTime(arrow.Microsecond)
		if local.Value(i).ToTime(arrow.Microsecond).Format("2006-01-02 15:04") == "2020-10-25 01:30" {
			found = true
			if !u.Equal(time.Date(2020, 10, 25, 0, 30, 0, 0, time.UTC)) {
				t.Errorf("%s: 25/10/2020 01:30 stored as %v UTC, want 00:30 UTC (the first, BST, occurrence)", ids.Value(i), u)
			}
		}
		if lon.IsNull(i) {
			unlocated++
		}
		// The partition month is the London month: 23:30 UTC on the last day
		// of a summer month is the next month's.
		if m := month.Value(i).ToTime(); m.Format("2006-01") != u.In(london).Format("2006-01") {
			t.Errorf("%s at %v UTC is in month %s, want the London month", ids.Value(i), u, m.Format("2006-01"))
		}
	}
	if unlocated != 1 {
		t.Errorf("%d calls without a location, want the one with empty coordinates (stored with NULL)", unlocated)
	}
	if !found {
		t.Error("the row at 01:30 on 25 October 2020 was not loaded")
	}
}

func TestFeedAmbulanceJSONLines(t *testing.T) {
	_, files := readSample(t, "ambulance-assaults")
	f := files[0]
	if f.Record.NumRows() != 398 || len(f.Rejected) != 2 {
		t.Fatalf("loaded %d, rejected %d: %s", f.Record.NumRows(), len(f.Rejected), reasons(f))
	}
	// one object per line after the opening bracket: element k is on line k+2
	if f.Rejected[0].Line != 59 || f.Rejected[1].Line != 213 {
		t.Errorf("rejected at lines %d and %d, want 59 and 213", f.Rejected[0].Line, f.Rejected[1].Line)
	}
	for _, r := range f.Rejected {
		if !strings.Contains(r.Raw, `"incident_number":"AMB-`) || strings.Contains(r.Raw, "patient_age_band") || strings.Contains(r.Raw, "crew_notes") {
			t.Errorf("quarantined raw %s: want the declared keys only", r.Raw)
		}
	}
	if !strings.Contains(f.Rejected[0].Reason, "month out of range") {
		t.Errorf("rejected %+v", f.Rejected[0])
	}
	assertAbsent(t, f.Record, "Conveyed", "18-24", "25-34")
}

func TestFeedASBInboxFiles(t *testing.T) {
	_, files := readSample(t, "asb-cases")
	if len(files) != 12 {
		t.Fatalf("%d files in the inbox, want 12 monthly files", len(files))
	}
	total := int64(0)
	for _, f := range files {
		total += f.Record.NumRows()
		if len(f.Rejected) != 0 {
			t.Errorf("rejected: %s", reasons(f))
		}
		cat := col[*array.String](t, f.Record, "category")
		if cat.Value(0) != "Anti-social behaviour" {
			t.Errorf("category %q", cat.Value(0))
		}
		assertAbsent(t, f.Record, "Resident reports")
	}
	if total != 200 {
		t.Errorf("%d cases, want 200", total)
	}
}

func TestFeedIndicators(t *testing.T) {
	feed, files := readSample(t, "resilience-indicators")
	f := files[0]
	if f.Record.NumRows() != 16*12*4 || len(f.Rejected) != 2 {
		t.Fatalf("loaded %d, rejected %d: %s", f.Record.NumRows(), len(f.Rejected), reasons(f))
	}
	codes := col[*array.String](t, f.Record, "indicator")
	pillar := col[*array.String](t, f.Record, "pillar")
	dir := col[*array.Int8](t, f.Record, "direction")
	period := col[*array.Date32](t, f.Record, "period")
	src := col[*array.String](t, f.Record, "source")
	for i := 0; i < codes.Len(); i++ {
		ind := feed.Indicators[codes.Value(i)]
		if pillar.Value(i) != ind.Pillar || int(dir.Value(i)) != ind.Direction {
			t.Fatalf("%s: pillar %s direction %d; want the contract's %+v", codes.Value(i), pillar.Value(i), dir.Value(i), ind)
		}
		if p := period.Value(i).ToTime(); p.Day() != 1 || p.Before(time.Date(2019, 12, 1, 0, 0, 0, 0, time.UTC)) || p.After(time.Date(2020, 11, 1, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("period %v", p)
		}
		if src.Value(i) != feed.Partner {
			t.Fatalf("source %q", src.Value(i))
		}
	}
	if f.Rejected[0].Line != 770 || !strings.Contains(f.Rejected[0].Reason, `"n/a": not a number`) {
		t.Errorf("first rejected %+v", f.Rejected[0])
	}
}

const tinyCSV = `
  - name: tiny
    kind: population
    partner: ONS
    format: csv
    source: tiny.csv
    columns: {area_code: Code, area_name: Name, residents: People}
    fixed: {area_type: lad, year: 2020}
`

func TestFeedCSVQuirks(t *testing.T) {
	f := contract(t, tinyCSV)
	data := "\uFEFFCode, name ,People,Notes\r\n" +
		"E1,\"Line one\nline two\",\"1,954\",x\r\n" + // a quoted line break: the row starts at line 2
		"E2,Two,13.0,y\r\n" +
		",,,\r\n" + // padding as spreadsheets leave it
		"E3,Three,12,z,extra\r\n" +
		"E4,Fo\"ur,1,w\r\n" +
		"E5,Five,-3,v\r\n" +
		"E6,Six,\"2,50\",u\r\n" +
		"E7,Se\xffven,7,t\r\n"
	file := read(t, f, data)
	if file.Record.NumRows() != 2 || file.Blank != 1 {
		t.Fatalf("loaded %d, blank %d; rejected:\n%s", file.Record.NumRows(), file.Blank, reasons(file))
	}
	res := col[*array.Int64](t, file.Record, "residents")
	line := col[*array.Int64](t, file.Record, "line")
	if res.Value(0) != 1954 || res.Value(1) != 13 || line.Value(0) != 2 || line.Value(1) != 4 {
		t.Errorf("residents %v at lines %v", res, line)
	}
	want := []struct {
		line   int64
		raw    string
		reason string
	}{
		// Notes is not declared: it is left out of the raw rows kept, and a
		// row whose fields do not line up with the header is not kept.
		{6, "(not kept", "5 fields where the header has 4"},
		{7, "(not kept", `bare " in non-quoted-field`},
		{8, "E5,Five,-3,", "not a whole number"},
		{9, `E6,Six,"2,50",`, "not a whole number"},
		{10, "E7,Se\uFFFDven,7,", "Windows-1252"},
	}
	if len(file.Rejected) != len(want) {
		t.Fatalf("rejected:\n%s", reasons(file))
	}
	for i, w := range want {
		r := file.Rejected[i]
		if r.Line != w.line || !strings.HasPrefix(r.Raw, w.raw) || !strings.Contains(r.Reason, w.reason) {
			t.Errorf("rejected %+v; want line %d %q because %q", r, w.line, w.raw, w.reason)
		}
	}
	if strings.Join(file.Dropped, ",") != "Notes" {
		t.Errorf("dropped %v", file.Dropped)
	}
	// When the contract reads every column, a bad row is kept as published.
	file = read(t, f, "Code,Name,People\nE3,Three,12,extra\nE4,Fo\"ur,1\n")
	if len(file.Rejected) != 2 || file.Rejected[0].Raw != "E3,Three,12,extra" || file.Rejected[1].Raw != `E4,Fo"ur,1` {
		t.Errorf("rejected %+v", file.Rejected)
	}
}

func TestFeedCSVFilesRefused(t *testing.T) {
	f := contract(t, tinyCSV)
	for _, tc := range []struct{ name, data, want string }{
		{"empty", "", "empty file"},
		{"missing column", "Code,Name\nE1,One\n", `lacks "People", which the contract reads`},
		{"duplicate column", "Code,Name,People,people\nE1,One,1,2\n", "twice"},
		{"bare CR line endings", "Code,Name,People\rE1,One,1\r", "bare CR"},
		{"not UTF-8", "Code,N\xe9me,People\n", "Windows-1252"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tc.data), f, 1, memory.DefaultAllocator)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestFeedJSONFilesRefused(t *testing.T) {
	f := contract(t, strings.Replace(strings.Replace(tinyCSV, "format: csv", "format: json", 1), "tiny.csv", "tiny.json", 1))
	for _, tc := range []struct{ name, data, want string }{
		{"not an array", `{"Code": "E1"}`, "not a JSON array"},
		{"syntax error", "[\n  {\"Code\": \"E1\", \"People\": 1},\n  {\"Code\": \"E2\" \"People\": 2}\n]", "not valid JSON at line 3"},
		{"key never present", `[{"Kode": "E1", "People": 1}]`, `no object has the keys "code", "name"`},
		{"trailing text", `[{"Code": "E1", "People": 1}] x`, "after the end"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tc.data), f, 1, memory.DefaultAllocator)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
	file := read(t, f, `[{"code": "E1", "People": 1, "Name": {"first": "x"}, "holder": "Jane Roe"}, 5, {"Code": "E3", "People": "2"}]`)
	if file.Record.NumRows() != 1 || len(file.Rejected) != 2 {
		t.Fatalf("loaded %d; rejected:\n%s", file.Record.NumRows(), reasons(file))
	}
	if !strings.Contains(file.Rejected[0].Reason, "Name is a JSON object") || file.Rejected[1].Reason != "not a JSON object" || strings.Contains(file.Rejected[0].Raw, "Jane Roe") {
		t.Errorf("rejected %+v", file.Rejected)
	}
}

func TestFeedGeoJSONChecks(t *testing.T) {
	f := contract(t, `
  - name: reg
    kind: premises
    partner: Licensing
    source: reg.geojson
    columns: {premises_id: ref}
`)
	_, err := Read(strings.NewReader(`{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}, "features": []}`), f, 1, memory.DefaultAllocator)
	if err == nil || !strings.Contains(err.Error(), "names EPSG:27700 but the contract says coordinates.crs: EPSG:4326") {
		t.Errorf("a BNG file read as WGS 84: %v", err)
	}
	file := read(t, f, `{"type": "FeatureCollection", "features": [
  {"type": "Feature", "geometry": null, "properties": {"ref": "A"}},
  {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": []}, "properties": {"ref": "B"}},
  {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-0.09, 51.51]}, "properties": {"ref": "C", "holder": "X"}}
]}`)
	if file.Record.NumRows() != 2 || len(file.Rejected) != 1 || file.Rejected[0].Line != 3 || !strings.Contains(file.Rejected[0].Reason, "Polygon") {
		t.Errorf("loaded %d; rejected %+v", file.Record.NumRows(), file.Rejected)
	}
	lon := col[*array.Float64](t, file.Record, "longitude")
	if !lon.IsNull(0) || lon.Value(1) != -0.09 {
		t.Errorf("longitudes %v", lon)
	}
}

func TestFeedCategoriesUnmappedKept(t *testing.T) {
	f := contract(t, `
  - name: log
    kind: incidents
    partner: Police
    format: csv
    source: log.csv
    time: {layout: RFC3339}
    columns: {occurred_at: At, category: Type}
    categories: {map: {ASSAULT: Violence and sexual offences}, unmapped: keep}
`)
	file := read(t, f, "At,Type\n2020-06-01T00:30:00+01:00,assault\n2020-06-01T00:30:00Z,Noise\n")
	cat := col[*array.String](t, file.Record, "category")
	at := col[*array.Timestamp](t, file.Record, "occurred_at")
	if cat.Value(0) != "Violence and sexual offences" || cat.Value(1) != "Noise" {
		t.Errorf("categories %v", cat)
	}
	if got := at.Value(0).ToTime(arrow.Microsecond); !got.Equal(time.Date(2020, 5, 31, 23, 30, 0, 0, time.UTC)) {
		t.Errorf("a time with an offset stored as %v", got)
	}
	month := col[*array.Date32](t, file.Record, "month")
	if month.Value(0).ToTime().Month() != time.June {
		t.Errorf("23:30 UTC on 31 May is June in London; got %v", month.Value(0).ToTime())
	}
}

// TestMatchHeader: declared columns are found whatever their case and
// surrounding spaces; a name repeated among the columns the contract does
// not read is no error, and those columns are left unused.
func TestMatchHeader(t *testing.T) {
	h, err := matchHeader([]string{"Notes", "CODE", "notes", "Name"}, []string{" code ", "name"})
	if err != nil {
		t.Fatal(err)
	}
	if h.pos["code"] != 1 || h.pos["name"] != 3 || h.pos["notes"] != 0 {
		t.Errorf("positions %v, want code 1, name 3, notes 0 (the first of the repeats)", h.pos)
	}
	for i, want := range []bool{false, true, false, true} {
		if h.used[i] != want {
			t.Errorf("field %d (%s) used %v, want %v", i, h.names[i], h.used[i], want)
		}
	}
	if _, err := matchHeader([]string{"Code", "code"}, []string{"Code"}); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("a declared column named twice: error %v, want one saying so", err)
	}
	if _, err := matchHeader([]string{"Code"}, []string{"Code", "People", "Name"}); err == nil || !strings.Contains(err.Error(), `lacks "People", "Name"`) {
		t.Errorf("two declared columns missing: error %v, want one naming both", err)
	}
}
