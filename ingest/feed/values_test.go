package feed

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// The clock changes of 2020 in London: forward at 01:00 GMT on Sunday 29
// March (01:00–01:59 never happened), back at 02:00 BST on Sunday 25
// October (01:00–01:59 happened twice).
func TestFeedResolveWallClockAtClockChanges(t *testing.T) {
	for _, tc := range []struct {
		wall string
		n    int
		utc  string
	}{
		{"2020-03-29 00:59", 1, "2020-03-29 00:59"},
		{"2020-03-29 01:00", 0, ""},
		{"2020-03-29 01:30", 0, ""},
		{"2020-03-29 01:59", 0, ""},
		{"2020-03-29 02:00", 1, "2020-03-29 01:00"},
		{"2020-10-25 00:59", 1, "2020-10-24 23:59"},
		{"2020-10-25 01:00", 2, "2020-10-25 00:00"},
		{"2020-10-25 01:30", 2, "2020-10-25 00:30"}, // the first (BST) occurrence, not 01:30 UTC
		{"2020-10-25 01:59", 2, "2020-10-25 00:59"},
		{"2020-10-25 02:00", 1, "2020-10-25 02:00"},
		{"2020-07-01 12:00", 1, "2020-07-01 11:00"},
		{"2020-12-01 12:00", 1, "2020-12-01 12:00"},
	} {
		w, _ := time.Parse("2006-01-02 15:04", tc.wall)
		got, n := resolveWallClock(w, london)
		if n != tc.n || n > 0 && got.Format("2006-01-02 15:04") != tc.utc {
			t.Errorf("%s London: %d instants, first %s UTC; want %d, %s", tc.wall, n, got.Format("2006-01-02 15:04"), tc.n, tc.utc)
		}
	}
}

// Through a whole feed: the ambiguous time loads as BST, the non-existent one
// is set aside, and the London month and wall-clock display follow the
// instant.
func TestFeedIncidentTimesAtClockChanges(t *testing.T) {
	f := contract(t, `
  - name: log
    kind: incidents
    partner: Police
    format: csv
    source: log.csv
    time: {layout: "02/01/2006 15:04"}
    columns: {occurred_at: When, category: Type}
`)
	file := read(t, f, "When,Type\n29/03/2020 00:30,a\n29/03/2020 01:30,b\n29/03/2020 02:30,c\n25/10/2020 01:30,d\n25/10/2020 02:30,e\n01/11/2020 00:30,f\n")
	if len(file.Rejected) != 1 || file.Rejected[0].Line != 3 || !strings.Contains(file.Rejected[0].Reason, `"29/03/2020 01:30": does not exist in Europe/London`) {
		t.Fatalf("rejected %+v; want only line 3, in the skipped hour", file.Rejected)
	}
	at := col[*array.Timestamp](t, file.Record, "occurred_at")
	local := col[*array.Timestamp](t, file.Record, "occurred_local")
	month := col[*array.Date32](t, file.Record, "month")
	want := [][3]string{ // UTC, London wall clock, London month
		{"2020-03-29 00:30", "2020-03-29 00:30", "2020-03"},
		{"2020-03-29 01:30", "2020-03-29 02:30", "2020-03"},
		{"2020-10-25 00:30", "2020-10-25 01:30", "2020-10"},
		{"2020-10-25 02:30", "2020-10-25 02:30", "2020-10"},
		{"2020-11-01 00:30", "2020-11-01 00:30", "2020-11"},
	}
	for i, w := range want {
		got := [3]string{
			at.Value(i).ToTime(arrow.Microsecond).Format("2006-01-02 15:04"),
			local.Value(i).ToTime(arrow.Microsecond).Format("2006-01-02 15:04"),
			month.Value(i).ToTime().Format("2006-01"),
		}
		if got != w {
			t.Errorf("row %d: %v, want %v", i, got, w)
		}
	}
}

func TestFeedClosingMinutes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"23:00", 23 * 60, true},
		{"2330", 23*60 + 30, true},
		{"22.30", 22*60 + 30, true},
		{"00:00", 24 * 60, true},
		{"midnight", 24 * 60, true},
		{"00:30", 24*60 + 30, true},
		{"02:00", 26 * 60, true}, // the next morning
		{"0400", 28 * 60, true},
		{"05:59", 29*60 + 59, true},
		{"06:00", 6 * 60, true}, // a day-time closing
		{"26:00", 26 * 60, true},
		{"24:00", 24 * 60, true},
		{"30:00", 0, false},
		{"23:60", 0, false},
		{"late", 0, false},
		{"2", 0, false},
	} {
		got, ok := closingMinutes(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("closingMinutes(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestFeedNumbers(t *testing.T) {
	for _, tc := range []struct {
		in    string
		count int64
		ok    bool
	}{
		{"1954", 1954, true},
		{"1,954", 1954, true},
		{"1,234,567", 1234567, true},
		{"13.0", 13, true},
		{"0", 0, true},
		{"13.5", 0, false},
		{"-1", 0, false},
		{"1,95", 0, false},
		{"12,34,567", 0, false},
		{"NaN", 0, false},
		{"", 0, false},
	} {
		got, err := parseCount(tc.in)
		if got != tc.count || (err == nil) != tc.ok {
			t.Errorf("parseCount(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.count, tc.ok)
		}
	}
	if x, err := parseNumber("-1,234.5"); x != -1234.5 || err != nil {
		t.Errorf("parseNumber(-1,234.5) = %v, %v", x, err)
	}
}

func TestFeedWindows1252(t *testing.T) {
	in := []byte{'C', 'a', 'f', 0xE9, ' ', 0x80, '5', ' ', 0xA3, '3', ' ', 0x92, 0x93, 0x94, ' ', 0x81, ' ', 0xFF}
	got, err := io.ReadAll(utf8Text(strings.NewReader(string(in)), "windows-1252"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "Café €5 £3 ’“” \u0081 ÿ"; string(got) != want {
		t.Errorf("decoded %q, want %q", got, want)
	}
	// Through a one-byte buffer, as a slow reader would deliver it.
	var out []byte
	r := utf8Text(strings.NewReader(string(in)), "windows-1252")
	buf := make([]byte, 1)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			break
		}
	}
	if string(out) != string(got) {
		t.Errorf("one byte at a time: %q", out)
	}
}

func TestFeedUTF8ByteOrderMarkSkipped(t *testing.T) {
	got, _ := io.ReadAll(utf8Text(strings.NewReader("\uFEFFCode"), "utf-8"))
	if string(got) != "Code" {
		t.Errorf("%q", got)
	}
	got, _ = io.ReadAll(utf8Text(strings.NewReader("ab"), "utf-8"))
	if string(got) != "ab" {
		t.Errorf("a file shorter than a BOM: %q", got)
	}
}

func TestFeedPointsInBothCRSs(t *testing.T) {
	f := &Feed{Coordinates: &Coordinates{CRS: BNG}}
	// Ordnance Survey's published example: Caister water tower.
	p, ok, why := f.point("651409.903", "313177.270")
	if !ok || why != "" {
		t.Fatal(why)
	}
	if p[2] != 651409.903 || p[3] != 313177.270 {
		t.Errorf("the given easting/northing changed: %v", p)
	}
	if d := p[0] - 1.716; d > 0.001 || d < -0.001 {
		t.Errorf("longitude %f, want about 1.716", p[0])
	}
	if _, _, why := f.point("651409", ""); !strings.Contains(why, "only one") {
		t.Errorf("half a pair: %q", why)
	}
	if _, _, why := f.point("-5", "100"); !strings.Contains(why, "outside the British National Grid") {
		t.Errorf("negative easting: %q", why)
	}
	f.Coordinates.CRS = WGS84
	if _, _, why := f.point("2.35", "48.85"); why != "outside the UK" {
		t.Errorf("Paris: %q", why)
	}
}
