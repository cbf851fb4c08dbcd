package policeuk

import (
	"bytes"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/safercity/safercity/internal/shareddata"
)

// Real rows and headers, copied from data.police.uk files in ../shared.
const (
	streetHeader = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context"
	streetRow    = "500abad03a8de51aeb9e5432dbd45006155894004b745078a16f1cb0517e477b,2019-06,City of London Police,City of London Police,-0.119224,51.529042,On or near Hospital,E01000939,Camden 024C,Other theft,Status update unavailable,"
	asbRow       = ",2019-06,City of London Police,City of London Police,-0.094546,51.520658,On or near Beech Street,E01000002,City of London 001B,Anti-social behaviour,,"
	noLocRow     = ",2019-06,City of London Police,City of London Police,,,No Location,,,Anti-social behaviour,,"
	quotedRow    = `5e0e8628b45ee2856eda196ebadf6da27d5b0cb2808260b4963c556cf089c7ee,2021-01,Leicestershire Police,Leicestershire Police,-1.089846,52.685438,"On or near Asda, Thurmaston",E01025766,Charnwood 021E,Public order,Local resolution,`
	header2011   = "Month,Reported by,Falls within,Easting,Northing,Location,Crime type,Context"
	row2011      = "2011-02,West Midlands Police,West Midlands Police,408811.0,284398.0,On or near Alfred Road,Robbery,"
	ssHeader     = "Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,Outcome linked to object of search,Removal of more than just outer clothing"
	ssRowBST     = "Person search,2018-06-30T23:01:00+00:00,False,,51.496194,-0.082702,Male,,Other ethnic group - Not stated,Black,Police and Criminal Evidence Act 1984 (section 1),Offensive weapons,A no further action disposal,,"
)

func part(t *testing.T, name string) Partition {
	t.Helper()
	p, err := ParsePartition(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func read(t *testing.T, name, body string) *File {
	t.Helper()
	f, err := Read(strings.NewReader(body), part(t, name), 7, memory.DefaultAllocator)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	t.Cleanup(f.Release)
	return f
}

// col returns a column of the loaded batch by name.
func col(t *testing.T, f *File, name string) arrow.Array {
	t.Helper()
	idx := f.Record.Schema().FieldIndices(name)
	if len(idx) != 1 {
		t.Fatalf("no column %s", name)
	}
	return f.Record.Column(idx[0])
}

func TestParsePartition(t *testing.T) {
	for name, want := range map[string]Partition{
		"2019-06/2019-06-city-of-london-street.csv":         {Street, "city-of-london", time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC)},
		"police-uk-2014-04-merseyside-street.csv":           {Street, "merseyside", time.Date(2014, 4, 1, 0, 0, 0, 0, time.UTC)},
		"2018-07-metropolitan-stop-and-search.csv":          {StopAndSearch, "metropolitan", time.Date(2018, 7, 1, 0, 0, 0, 0, time.UTC)},
		"x.zip!2016-01/2016-01-city-of-london-outcomes.csv": {Outcomes, "city-of-london", time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)},
		"2021-01-copy3-avon-and-somerset-street.csv":        {Street, "copy3-avon-and-somerset", time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		got, err := ParsePartition(name)
		if err != nil || got != want {
			t.Errorf("ParsePartition(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
	for _, bad := range []string{"crimes.csv", "2019-13-city-street.csv", "2019-06-city-of-london-street.txt", "2019-06-street.csv"} {
		if _, err := ParsePartition(bad); err == nil {
			t.Errorf("ParsePartition(%q) accepted a name that is not police.uk's", bad)
		}
	}
}

func TestStreetQuirks(t *testing.T) {
	// BOM, CRLF, a quoted field with a comma, an ASB row, a No Location row,
	// blank trailing lines.
	body := "\uFEFF" + streetHeader + "\r\n" + streetRow + "\r\n" + asbRow + "\r\n" + noLocRow + "\r\n" +
		strings.Replace(quotedRow, "2021-01", "2019-06", 1) + "\r\n\r\n\r\n"
	f := read(t, "2019-06-city-of-london-street.csv", body)
	if f.Record.NumRows() != 4 || len(f.Rejected) != 0 || f.DataLines != 4 || f.Blank != 2 {
		t.Fatalf("rows %d rejected %v data lines %d blank %d", f.Record.NumRows(), f.Rejected, f.DataLines, f.Blank)
	}
	ids := col(t, f, "crime_id").(*array.String)
	if ids.IsNull(0) || ids.Value(0)[:8] != "500abad0" || !ids.IsNull(1) {
		t.Errorf("crime_id: %v", ids)
	}
	lon := col(t, f, "longitude").(*array.Float64)
	if lon.Value(0) != -0.119224 || !lon.IsNull(2) || !col(t, f, "latitude").IsNull(2) {
		t.Errorf("longitude: %v", lon)
	}
	if got := col(t, f, "location").(*array.String).Value(3); got != "On or near Asda, Thurmaston" {
		t.Errorf("quoted location = %q", got)
	}
	if got := col(t, f, "lsoa_name").(*array.String).Value(0); got != "Camden 024C" {
		t.Errorf("lsoa_name = %q", got)
	}
	if !col(t, f, "last_outcome").IsNull(1) || !col(t, f, "context").IsNull(0) {
		t.Error("empty outcome and context must be NULL")
	}
	month := col(t, f, "month").(*array.Date32).Value(0).ToTime()
	if !month.Equal(time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("month = %v", month)
	}
	lines := col(t, f, "line").(*array.Int64)
	if lines.Value(0) != 2 || lines.Value(3) != 5 {
		t.Errorf("lines = %v", lines)
	}
	if src := col(t, f, "source_id").(*array.Int64).Value(2); src != 7 {
		t.Errorf("source_id = %d", src)
	}
}

func TestLineEndings(t *testing.T) {
	rows := []string{streetHeader, streetRow, asbRow, noLocRow}
	for name, eol := range map[string]string{"LF": "\n", "CRLF": "\r\n", "CR": "\r"} {
		// The bare-CR file in ../shared has no final newline either.
		f := read(t, "2019-06-city-of-london-street.csv", strings.Join(rows, eol))
		if f.Record.NumRows() != 3 || len(f.Rejected) != 0 {
			t.Errorf("%s: %d rows, rejected %v", name, f.Record.NumRows(), f.Rejected)
		}
		if got := col(t, f, "line").(*array.Int64).Value(2); got != 4 {
			t.Errorf("%s: last line = %d, want 4", name, got)
		}
	}
}

// TestBrokenQuoteCostsOneLine: police.uk fields never span lines, so an
// unclosed quote sets aside its own line and the reader carries on with the
// next (it used to swallow the rest of the file: 19 lines gave 10 loaded,
// 1 quarantined and 8 neither).
func TestBrokenQuoteCostsOneLine(t *testing.T) {
	var body strings.Builder
	body.WriteString(streetHeader + "\r\n")
	for i := 0; i < 19; i++ {
		row := streetRow
		if i == 9 {
			row = strings.Replace(streetRow, "On or near Hospital", `"On or near Hospital`, 1)
		}
		body.WriteString(row + "\r\n")
	}
	f := read(t, "2019-06-city-of-london-street.csv", body.String())
	if f.Record.NumRows() != 18 || len(f.Rejected) != 1 || f.DataLines != 19 {
		t.Fatalf("loaded %d, set aside %+v of %d lines; want 18 and 1 of 19", f.Record.NumRows(), f.Rejected, f.DataLines)
	}
	if r := f.Rejected[0]; r.Line != 11 || !strings.Contains(r.Reason, "not closed") {
		t.Errorf("set aside %+v, want line 11 with an unclosed quote", r)
	}
	if got := col(t, f, "line").(*array.Int64).Value(17); got != 20 {
		t.Errorf("last row on line %d, want 20", got)
	}
}

// TestLongFieldCostsOneLine: a field over the 1 MiB line limit sets aside
// its line, keeping a prefix, instead of refusing the whole file; lines
// around it load, with their numbers, whatever the line endings.
func TestLongFieldCostsOneLine(t *testing.T) {
	long := strings.Replace(streetRow, "On or near Hospital", strings.Repeat("x", maxRecord+5000), 1)
	for name, eol := range map[string]string{"LF": "\n", "CRLF": "\r\n", "CR": "\r"} {
		f := read(t, "2019-06-city-of-london-street.csv", strings.Join([]string{streetHeader, asbRow, long, noLocRow, asbRow}, eol)+eol)
		if f.Record.NumRows() != 3 || len(f.Rejected) != 1 {
			t.Fatalf("%s: loaded %d, set aside %d", name, f.Record.NumRows(), len(f.Rejected))
		}
		r := f.Rejected[0]
		if r.Line != 3 || !strings.Contains(r.Reason, "longer than") || len(r.Raw) != rawPrefix {
			t.Errorf("%s: set aside line %d (%q), raw of %d bytes", name, r.Line, r.Reason, len(r.Raw))
		}
		if got := col(t, f, "line").(*array.Int64).Value(2); got != 5 {
			t.Errorf("%s: last row on line %d, want 5", name, got)
		}
	}
}

// TestMostlyBadFileRefused: a file whose lines all fail (here a month that
// disagrees with the name) held every raw line in memory, 6.8 GB for four
// such 300 MB entries; past 32 MiB of set-aside text the file is refused.
func TestMostlyBadFileRefused(t *testing.T) {
	bad := strings.Replace(streetRow, "2019-06", "2019-05", 1) + "\n"
	body := streetHeader + "\n" + strings.Repeat(bad, maxRejectedBytes/(len(bad)-1)+10)
	_, err := Read(strings.NewReader(body), part(t, "2019-06-city-of-london-street.csv"), 1, memory.DefaultAllocator)
	if !errors.Is(err, ErrNotPoliceFile) || !strings.Contains(err.Error(), "line 2: Month") {
		t.Errorf("err = %v, want a refusal naming the first bad line", err)
	}
}

// TestHoldSetsAsideEveryRow: a held file is checked but nothing loaded.
func TestHoldSetsAsideEveryRow(t *testing.T) {
	f, err := ReadHolding(strings.NewReader(streetHeader+"\n"+streetRow+"\n\n"+asbRow+"\n"), part(t, "2019-06-city-of-london-street.csv"), 1, memory.DefaultAllocator, "held")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release()
	if f.Record.NumRows() != 0 || len(f.Rejected) != 2 || f.Rejected[1].Reason != "held" || f.Rejected[1].Line != 4 {
		t.Errorf("loaded %d, set aside %+v", f.Record.NumRows(), f.Rejected)
	}
}

func Test2011Layout(t *testing.T) {
	f := read(t, "2011-02-west-midlands-street.csv", header2011+"\r\n"+row2011+"\r\n")
	if f.Record.NumRows() != 1 {
		t.Fatalf("rejected %v", f.Rejected)
	}
	if e := col(t, f, "easting").(*array.Float64).Value(0); e != 408811 {
		t.Errorf("easting = %v", e)
	}
	if !col(t, f, "longitude").IsNull(0) || !col(t, f, "crime_id").IsNull(0) || !col(t, f, "lsoa_code").IsNull(0) {
		t.Error("columns the 2011 layout lacks must be NULL")
	}
	for _, h := range []string{"Crime ID", "Longitude", "LSOA code"} {
		if !contains(f.Missing, h) {
			t.Errorf("Missing = %v, lacks %s", f.Missing, h)
		}
	}
}

func contains(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}

func TestRowsSetAside(t *testing.T) {
	cases := map[string]string{
		"wrong field count": strings.TrimSuffix(streetRow, ","),
		"not a number":      strings.Replace(streetRow, "-0.119224", "-0.11x", 1),
		"outside the UK":    strings.Replace(streetRow, "51.529042", "48.85", 1),
		"one coordinate":    strings.Replace(streetRow, "-0.119224", "", 1),
		"month disagrees":   strings.Replace(streetRow, "2019-06", "2019-05", 1),
		"empty crime type":  strings.Replace(streetRow, "Other theft", "", 1),
		"unclosed quote":    strings.Replace(streetRow, "On or near Hospital", `"On or near Hospital`, 1) + `"x`,
		"invalid UTF-8":     strings.Replace(streetRow, "Hospital", "Hospit\xe9l", 1),
		"spreadsheet comma": strings.Replace(streetRow, "Status update unavailable,", "Investigation complete, no suspect identified", 1),
	}
	var body strings.Builder
	body.WriteString(streetHeader + "\n")
	for _, row := range cases {
		body.WriteString(row + "\n")
	}
	body.WriteString(streetRow + "\n")
	f := read(t, "2019-06-city-of-london-street.csv", body.String())
	if f.Record.NumRows() != 1 || len(f.Rejected) != len(cases) {
		t.Fatalf("loaded %d, rejected %d: %+v", f.Record.NumRows(), len(f.Rejected), f.Rejected)
	}
	for _, r := range f.Rejected {
		if r.Line < 2 || r.Line > int64(len(cases))+1 || r.Reason == "" || r.Raw == "" {
			t.Errorf("rejected row without line, reason or raw text: %+v", r)
		}
	}
	if f.DataLines != int64(len(cases))+1 {
		t.Errorf("data lines %d", f.DataLines)
	}
}

func TestStopAndSearch(t *testing.T) {
	// The Met's July file starts with searches at 23:01 UTC on 30 June:
	// 00:01 in London, so in July.
	f := read(t, "2018-07-metropolitan-stop-and-search.csv", ssHeader+"\n"+ssRowBST+"\n"+
		strings.Replace(ssRowBST, "2018-06-30T23:01", "2018-06-30T22:59", 1)+"\n"+
		strings.Replace(ssRowBST, ",False,", ",Maybe,", 1)+"\n")
	if f.Record.NumRows() != 1 || len(f.Rejected) != 2 {
		t.Fatalf("loaded %d, rejected %+v", f.Record.NumRows(), f.Rejected)
	}
	ts := col(t, f, "datetime").(*array.Timestamp).Value(0)
	if got := time.UnixMicro(int64(ts)).UTC(); !got.Equal(time.Date(2018, 6, 30, 23, 1, 0, 0, time.UTC)) {
		t.Errorf("datetime = %v, want the published UTC time", got)
	}
	if lat := col(t, f, "latitude").(*array.Float64).Value(0); math.Abs(lat-51.496194) > 0 {
		t.Errorf("latitude = %v (stop and search has Latitude before Longitude)", lat)
	}
	if b := col(t, f, "part_of_operation").(*array.Boolean); b.IsNull(0) || b.Value(0) {
		t.Errorf("part_of_operation = %v", b)
	}
	if !col(t, f, "outcome_linked").IsNull(0) {
		t.Error("empty boolean must be NULL")
	}
}

func TestRefusedFiles(t *testing.T) {
	cases := map[string]string{
		"empty":           "",
		"binary":          "\x00\x01\x02PK\x03\x04" + strings.Repeat("\x00", 100),
		"unknown header":  "LSOA Code,LSOA Name,All Ages\nE01011949,Hartlepool 009A,\"1,954\"\n",
		"kind mismatch":   ssHeader + "\n" + ssRowBST + "\n",
		"no line endings": strings.Repeat("x", maxRecord+10),
	}
	for name, body := range cases {
		_, err := Read(strings.NewReader(body), part(t, "2019-06-city-of-london-street.csv"), 1, memory.DefaultAllocator)
		if !errors.Is(err, ErrNotPoliceFile) {
			t.Errorf("%s: err = %v, want ErrNotPoliceFile", name, err)
		}
	}
}

// TestSharedFiles reads every police.uk file in ../shared and checks that
// every data line is either loaded or set aside, against the row counts in
// its PROVENANCE.md.
func TestSharedFiles(t *testing.T) {
	root := shareddata.Path(t, "data")
	var files []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".csv") && strings.Contains(p, "police-uk") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) < 200 {
		t.Fatalf("found %d police files under %s", len(files), root)
	}
	rejected := map[string]int{}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f, err := Read(bytes.NewReader(b), part(t, p), 1, memory.DefaultAllocator)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if f.Record.NumRows()+int64(len(f.Rejected)) != f.DataLines {
			t.Errorf("%s: %d loaded + %d set aside != %d data lines", p, f.Record.NumRows(), len(f.Rejected), f.DataLines)
		}
		if len(f.Rejected) > 0 {
			rejected[filepath.Base(p)] = len(f.Rejected)
		}
		f.Release()
	}
	// The only file with bad rows is the one a spreadsheet re-saved (3,954
	// outcomes split by a comma, per PROVENANCE.md).
	if len(rejected) != 1 || rejected["2018-06-merseyside-street.csv"] != 3954 {
		t.Errorf("rows set aside per file = %v", rejected)
	}
}

// sizedReader is a file that states its size, true or not.
type sizedReader struct {
	*bytes.Reader
	size int64
}

func (s sizedReader) Size() int64 { return s.size }

// countingAllocator adds up the bytes allocated (a reallocation within
// the buffer's capacity allocates nothing).
type countingAllocator struct {
	memory.Allocator
	total int
}

func (c *countingAllocator) Allocate(n int) []byte {
	c.total += n
	return c.Allocator.Allocate(n)
}

func (c *countingAllocator) Reallocate(n int, b []byte) []byte {
	if n > cap(b) {
		c.total += n
	}
	return c.Allocator.Reallocate(n, b)
}

// TestPresize: a file read with its size allocates about once what its
// batch holds (instead of doubling its buffers as they grow), and a wrong
// size, short or long, changes nothing of what is read.
func TestPresize(t *testing.T) {
	root := shareddata.Path(t, "data")
	for _, name := range []string{"police-uk/2021-03/2021-03-thames-valley-street.csv",
		"police-uk-altered/nickbearman+north-west-digital-research-methods-festival/2018-06-merseyside-street.csv",
		"police-uk/2018-07/2018-07-metropolitan-stop-and-search.csv", "police-uk/2011-02/2011-02-west-midlands-street.csv"} {
		p := filepath.Join(root, name)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		size := int64(len(b))
		var want *File
		var plain int
		for _, claim := range []int64{0, size, size / 3, size * 10} {
			alloc := &countingAllocator{Allocator: memory.DefaultAllocator}
			f, err := Read(sizedReader{bytes.NewReader(b), claim}, part(t, p), 1, alloc)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			defer f.Release()
			if want == nil {
				want, plain = f, alloc.total
				continue
			}
			if !array.RecordEqual(f.Record, want.Record) || len(f.Rejected) != len(want.Rejected) || f.DataLines != want.DataLines {
				t.Errorf("%s read with size %d: %d rows, %d set aside; want %d, %d as without a size",
					name, claim, f.Record.NumRows(), len(f.Rejected), want.Record.NumRows(), len(want.Rejected))
			}
			if claim == size {
				held := batchBytes(f.Record)
				t.Logf("%s: %d bytes allocated with its size, %d without, for a batch of %d bytes", name, alloc.total, plain, held)
				if alloc.total > held*5/4 || alloc.total >= plain {
					t.Errorf("%s: %d bytes allocated with its size (%d without) for a batch of %d bytes", name, alloc.total, plain, held)
				}
			}
		}
	}
}

// batchBytes is the length of the data in rec's buffers.
func batchBytes(rec arrow.RecordBatch) int {
	n := 0
	for _, c := range rec.Columns() {
		for _, b := range c.Data().Buffers() {
			if b != nil {
				n += b.Len()
			}
		}
	}
	return n
}

// TestSplit: fields point into the line, or, for doubled quotes, into the
// unescaped copy, which must not move while later fields are added.
func TestSplit(t *testing.T) {
	for _, c := range []struct {
		line string
		want []string
		err  bool
	}{
		{`a,"b,c","d""e",,"",x"y`, []string{"a", "b,c", `d"e`, "", "", `x"y`}, false},
		{`"""a""","b""""c","""",z`, []string{`"a"`, `b""c`, `"`, "z"}, false},
		{`"On or near Asda, Thurmaston",E01025766,`, []string{"On or near Asda, Thurmaston", "E01025766", ""}, false},
		{`a,"b""`, nil, true},
		{`a,"b"c`, nil, true},
		{`"x"`, []string{"x"}, false},
		{``, []string{""}, false},
	} {
		rr := &recordReader{raw: []byte(c.line)}
		fields, err := rr.split()
		if (err != nil) != c.err {
			t.Errorf("%s: err = %v", c.line, err)
			continue
		}
		if c.err {
			continue
		}
		got := make([]string, len(fields))
		for i, f := range fields {
			got[i] = string(f)
		}
		if strings.Join(got, "|") != strings.Join(c.want, "|") || len(got) != len(c.want) {
			t.Errorf("%s: fields %q, want %q", c.line, got, c.want)
		}
	}
}
