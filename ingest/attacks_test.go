package ingest

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// The tests here replay the bad inputs of issue 18 and issue 14: each
// failed (or hung) before the reader and the writer were changed.

const julyStreet = sample + "/2020-07/2020-07-city-of-london-street.csv"

func readSample(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// loadWithin runs Police and fails the test, instead of hanging it, when
// the load does not end within d.
func loadWithin(t *testing.T, d time.Duration, run func(ctx context.Context) (*Summary, error)) (*Summary, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	type result struct {
		sum *Summary
		err error
	}
	done := make(chan result, 1)
	go func() {
		sum, err := run(ctx)
		done <- result{sum, err}
	}()
	select {
	case r := <-done:
		return r.sum, r.err
	case <-time.After(d + 5*time.Second):
		t.Fatalf("the load did not end %v after its context did", 5*time.Second)
		return nil, nil
	}
}

func byName(sum *Summary, dir string) map[string]FileResult {
	m := map[string]FileResult{}
	for _, f := range sum.Files {
		m[strings.TrimPrefix(f.Path, dir+string(filepath.Separator))] = f
	}
	return m
}

// TestSpecialFilesRefused: a FIFO named like a street file blocked in
// open(2) for ever, and a link to /dev/zero spun past SIGTERM; now both,
// and a FIFO named like a zip, are refused with the reason and the good
// file beside them loads.
func TestSpecialFilesRefused(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "2020-06-city-of-london-street.csv"), 0o644); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "archive.zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "2020-08-city-of-london-street.csv")); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "2020-07-city-of-london-street.csv"), readSample(t, julyStreet), 0o644)
	st := openStore(t)
	sum, err := loadWithin(t, 10*time.Second, func(ctx context.Context) (*Summary, error) {
		return Police(ctx, st, []string{dir}, Options{})
	})
	if err != nil {
		t.Fatal(err)
	}
	files := byName(sum, dir)
	for _, name := range []string{"2020-06-city-of-london-street.csv", "archive.zip", "2020-08-city-of-london-street.csv"} {
		if f := files[name]; f.Status != StatusRefused || !strings.Contains(f.Error, "not a regular file") {
			t.Errorf("%s: %+v, want refused as not a regular file", name, f)
		}
	}
	if f := files["2020-07-city-of-london-street.csv"]; f.Status != StatusLoaded || f.Loaded == 0 {
		t.Errorf("the regular file beside them: %+v", f)
	}
}

// endless is a police.uk street file that never ends.
type endless struct{ n int }

func (e *endless) Read(b []byte) (int, error) {
	row := []byte(asbLine)
	if e.n == 0 {
		row = []byte(streetHeaderLine)
	}
	e.n++
	return copy(b, row), nil
}

const (
	streetHeaderLine = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n"
	asbLine          = ",2020-07,City of London Police,City of London Police,-0.094546,51.520658,On or near Beech Street,E01000002,City of London 001B,Anti-social behaviour,,\n"
)

func endlessSource() []Source {
	return []Source{{Path: "stream/2020-07-city-of-london-street.csv",
		Open: func() (io.ReadCloser, error) { return io.NopCloser(&endless{}), nil }}}
}

// TestEndlessSourceStops: a source that never ends is refused at the size
// limit, and cancelling the context (what SIGTERM does) ends the load at
// once, whatever is being read.
func TestEndlessSourceStops(t *testing.T) {
	st := openStore(t)
	sum, err := loadWithin(t, 20*time.Second, func(ctx context.Context) (*Summary, error) {
		return PoliceSources(ctx, st, endlessSource(), Options{MaxFileBytes: 2 << 20})
	})
	if err != nil {
		t.Fatal(err)
	}
	if f := sum.Files[0]; f.Status != StatusRefused || !strings.Contains(f.Error, "size limit") {
		t.Errorf("endless source: %+v, want refused at the size limit", f)
	}
	start := time.Now()
	_, err = loadWithin(t, 300*time.Millisecond, func(ctx context.Context) (*Summary, error) {
		return PoliceSources(ctx, st, endlessSource(), Options{MaxFileBytes: 1 << 40})
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cancelled load: err = %v, want the context's", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("cancelled load took %v to stop", d)
	}
	if n := scalar[int64](t, st, `SELECT count(*) FROM police_street`); n != 0 {
		t.Errorf("%d rows stored from endless sources", n)
	}
}

// peakAllocator tracks the most bytes allocated at once.
type peakAllocator struct {
	memory.Allocator
	cur, peak atomic.Int64
}

func (a *peakAllocator) Allocate(n int) []byte {
	if c := a.cur.Add(int64(n)); c > a.peak.Load() {
		a.peak.Store(c)
	}
	return a.Allocator.Allocate(n)
}

func (a *peakAllocator) Reallocate(n int, b []byte) []byte {
	if c := a.cur.Add(int64(n - len(b))); c > a.peak.Load() {
		a.peak.Store(c)
	}
	return a.Allocator.Reallocate(n, b)
}

func (a *peakAllocator) Free(b []byte) {
	a.cur.Add(-int64(len(b)))
	a.Allocator.Free(b)
}

// rawEntry writes an entry whose directory declares crc and size whatever
// its data holds, as a hostile or damaged archive can.
func rawEntry(t *testing.T, zw *zip.Writer, name string, body []byte, crc uint32, size uint64) {
	t.Helper()
	deflatedEntry(t, zw, name, deflated(body), crc, size)
}

func deflated(body []byte) []byte {
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestSpeed)
	fw.Write(body)
	fw.Close()
	return comp.Bytes()
}

// deflatedEntry writes comp as the deflated data of an entry declaring crc
// and size.
func deflatedEntry(t *testing.T, zw *zip.Writer, name string, comp []byte, crc uint32, size uint64) {
	t.Helper()
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(len(comp)), UncompressedSize64: size})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(comp)
}

// TestDeclaredSizesDoNotSizeMemory: four entries declaring 300 MB each
// made the reader reserve buffers for them (2 GB RSS); the declared size
// now sizes memory only where it is plausible (wholeInflate), an entry
// declaring more than the limit
// is refused unread, and one whose data disagrees with its directory is
// refused with its name.
func TestDeclaredSizesDoNotSizeMemory(t *testing.T) {
	dir := t.TempDir()
	body := readSample(t, julyStreet)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for m := 1; m <= 4; m++ {
		name := fmt.Sprintf("2020-0%d/2020-0%d-city-of-london-street.csv", m, m)
		rawEntry(t, zw, name, body, crc32.ChecksumIEEE(body), 300<<20)
	}
	zw.Close()
	archive := filepath.Join(dir, "bomb.zip")
	os.WriteFile(archive, buf.Bytes(), 0o644)

	st := openStore(t)
	alloc := &peakAllocator{Allocator: memory.DefaultAllocator}
	sum, err := Police(context.Background(), st, []string{archive}, Options{Alloc: alloc, MaxFileBytes: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range sum.Files {
		if f.Status != StatusRefused || !strings.Contains(f.Error, "damaged") {
			t.Errorf("%s: %+v, want refused for disagreeing with its directory", f.Path, f)
		}
	}
	if peak := alloc.peak.Load(); peak > 32<<20 {
		t.Errorf("peak allocation %d MiB for four small entries declaring 300 MB", peak>>20)
	}
	sum = load(t, st, archive)
	for _, f := range sum.Files {
		if f.Status != StatusRefused || !strings.Contains(f.Error, "declares 300 MiB") {
			t.Errorf("%s: %+v, want refused unread at the default limit", f.Path, f)
		}
	}
}

// TestBadZipEntries: a zip within the zip, a stray document and an entry
// failing its CRC are refused with their names; the good entry loads and
// nothing of the bad ones is written.
func TestBadZipEntries(t *testing.T) {
	dir := t.TempDir()
	good := readSample(t, julyStreet)
	bad := readSample(t, sample+"/2020-06/2020-06-city-of-london-street.csv")
	var inner bytes.Buffer
	iz := zip.NewWriter(&inner)
	w, _ := iz.Create("2020-05/2020-05-city-of-london-street.csv")
	w.Write(readSample(t, sample+"/2020-05/2020-05-city-of-london-street.csv"))
	iz.Close()

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ = zw.Create("2020-07/2020-07-city-of-london-street.csv")
	w.Write(good)
	w, _ = zw.Create("2020-05/nested.zip")
	w.Write(inner.Bytes())
	w, _ = zw.Create("README.txt")
	w.Write([]byte("not data"))
	rawEntry(t, zw, "2020-06/2020-06-city-of-london-street.csv", bad, crc32.ChecksumIEEE(bad)^1, uint64(len(bad)))
	// Deflated data damaged in the middle, and data one byte longer than
	// its header declares: refused whether inflated whole (libdeflate) or
	// streamed.
	other := readSample(t, sample+"/2020-04/2020-04-city-of-london-street.csv")
	comp := deflated(other)
	for i := len(comp) / 2; i < len(comp)/2+64; i++ {
		comp[i] ^= 0x5a
	}
	deflatedEntry(t, zw, "2020-04/2020-04-city-of-london-street.csv", comp, crc32.ChecksumIEEE(other), uint64(len(other)))
	rawEntry(t, zw, "2020-03/2020-03-city-of-london-street.csv", other, crc32.ChecksumIEEE(other), uint64(len(other)-1))
	zw.Close()
	archive := filepath.Join(dir, "archive.zip")
	os.WriteFile(archive, buf.Bytes(), 0o644)

	st := openStore(t)
	sum := load(t, st, archive)
	files := byName(sum, dir)
	for name, want := range map[string]string{
		"archive.zip!2020-05/nested.zip":                        "zip within the zip",
		"archive.zip!README.txt":                                "not a police.uk CSV",
		"archive.zip!2020-06/2020-06-city-of-london-street.csv": "damaged",
		"archive.zip!2020-04/2020-04-city-of-london-street.csv": "damaged",
		"archive.zip!2020-03/2020-03-city-of-london-street.csv": "damaged",
	} {
		if f := files[name]; f.Status != StatusRefused || !strings.Contains(f.Error, want) {
			t.Errorf("%s: %+v, want refused: %s", name, f, want)
		}
	}
	if f := files["archive.zip!2020-07/2020-07-city-of-london-street.csv"]; f.Status != StatusLoaded {
		t.Errorf("good entry: %+v", f)
	}
	if m := scalar[string](t, st, `SELECT string_agg(DISTINCT strftime(month, '%Y-%m'), ',') FROM police_street`); m != "2020-07" {
		t.Errorf("months stored: %s, want only the good entry's", m)
	}
	if n := scalar[int64](t, st, `SELECT count(*) FROM quarantine`); n != 0 {
		t.Errorf("%d quarantine rows from refused entries", n)
	}
}

// TestUnchangedEntriesNotRead: next month's archive repeats most entries
// byte for byte; they are recognised by CRC-32 and size without being
// read (here their data is garbage behind a directory that matches, which
// reading would refuse), and only the changed entry replaces its partition.
func TestUnchangedEntriesNotRead(t *testing.T) {
	dir := t.TempDir()
	months := []string{"2020-05", "2020-06", "2020-07"}
	bodies := map[string][]byte{}
	for _, m := range months {
		bodies[m] = readSample(t, fmt.Sprintf("%s/%s/%s-city-of-london-street.csv", sample, m, m))
	}
	first := filepath.Join(dir, "A.zip")
	entries := map[string][]byte{}
	for _, m := range months {
		entries[fmt.Sprintf("%s/%s-city-of-london-street.csv", m, m)] = bodies[m]
	}
	writeZip(t, first, entries)
	st := openStore(t)
	load(t, st, first)

	changed := bytes.Replace(bodies["2020-07"], []byte("Under investigation"), []byte("Court result unavailable"), 1)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range months[:2] {
		garbage := bytes.Repeat([]byte{0xff}, len(bodies[m]))
		rawEntry(t, zw, fmt.Sprintf("%s/%s-city-of-london-street.csv", m, m), garbage, crc32.ChecksumIEEE(bodies[m]), uint64(len(bodies[m])))
	}
	w, _ := zw.Create("2020-07/2020-07-city-of-london-street.csv")
	w.Write(changed)
	zw.Close()
	next := filepath.Join(dir, "B.zip")
	os.WriteFile(next, buf.Bytes(), 0o644)

	sum := load(t, st, next)
	if sum.Totals.Unchanged != 2 || sum.Totals.Refused != 0 || len(sum.Changed()) != 1 || sum.Changed()[0].Month.Format("2006-01") != "2020-07" {
		t.Fatalf("next archive: %+v, changed %v", sum.Files, sum.Changed())
	}
	if f := byName(sum, dir)["B.zip!2020-07/2020-07-city-of-london-street.csv"]; f.Status != StatusReplaced {
		t.Errorf("changed entry: %+v", f)
	}
}

// TestBrokenFileKeepsPartition: a file that lost most of its lines (here
// cut after a broken quote) used to replace a good partition with exit 0;
// now the stored one is kept with the reason, and --replace-poorer replaces it.
func TestBrokenFileKeepsPartition(t *testing.T) {
	st := openStore(t)
	load(t, st, julyStreet)
	rows := scalar[int64](t, st, `SELECT count(*) FROM police_street`)
	lines := strings.SplitAfter(string(readSample(t, julyStreet)), "\n")
	lines[5] = strings.Replace(lines[5], ",On or near", ",\"On or near", 1)
	dir := t.TempDir()
	broken := filepath.Join(dir, "2020-07-city-of-london-street.csv")
	os.WriteFile(broken, []byte(strings.Join(lines[:12], "")), 0o644)

	sum := load(t, st, broken)
	if f := sum.Files[0]; f.Status != StatusKept || !strings.Contains(f.Error, "--replace-poorer") {
		t.Fatalf("broken copy: %+v, want kept", f)
	}
	if n := scalar[int64](t, st, `SELECT count(*) FROM police_street`); n != rows {
		t.Errorf("%d rows after a broken copy, had %d", n, rows)
	}
	sum, err := Police(context.Background(), st, []string{broken}, Options{ReplacePoorer: true})
	if err != nil || sum.Files[0].Status != StatusReplaced || sum.Files[0].Loaded != 10 || sum.Files[0].Quarantined != 1 {
		t.Fatalf("with --replace-poorer: %+v, %v", sum.Files, err)
	}
}

// TestRefusedLaterVersionKeepsEarlier: when one run holds two versions of a
// partition and the later is refused, the earlier one loads instead of
// being superseded by nothing.
func TestRefusedLaterVersionKeepsEarlier(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "a"), 0o755)
	os.MkdirAll(filepath.Join(dir, "b"), 0o755)
	os.WriteFile(filepath.Join(dir, "a", "2020-07-city-of-london-street.csv"), readSample(t, julyStreet), 0o644)
	os.WriteFile(filepath.Join(dir, "b", "2020-07-city-of-london-street.csv"), []byte("\x00\x01binary"), 0o644)
	st := openStore(t)
	sum := load(t, st, filepath.Join(dir, "a"), filepath.Join(dir, "b"))
	files := byName(sum, dir)
	if f := files["b/2020-07-city-of-london-street.csv"]; f.Status != StatusRefused {
		t.Errorf("later, binary version: %+v", f)
	}
	if f := files["a/2020-07-city-of-london-street.csv"]; f.Status != StatusLoaded || f.Loaded == 0 {
		t.Errorf("earlier, good version: %+v", f)
	}
	// Two good versions: the last given still wins.
	os.WriteFile(filepath.Join(dir, "b", "2020-07-city-of-london-street.csv"), readSample(t, julyStreet)[:2000], 0o644)
	sum, err := Police(context.Background(), st, []string{filepath.Join(dir, "a"), filepath.Join(dir, "b")}, Options{ReplacePoorer: true})
	if err != nil {
		t.Fatal(err)
	}
	files = byName(sum, dir)
	if files["b/2020-07-city-of-london-street.csv"].Status != StatusReplaced || files["a/2020-07-city-of-london-street.csv"].Status != StatusSuperseded {
		t.Errorf("two good versions: %+v", sum.Files)
	}
}

// TestAPICopyKeepsBulkPartition: the API's copy of a month has no LSOA
// columns; it no longer replaces a bulk partition that has them.
func TestAPICopyKeepsBulkPartition(t *testing.T) {
	st := openStore(t)
	load(t, st, julyStreet)
	var api strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(string(readSample(t, julyStreet))), "\n") {
		f := strings.Split(strings.TrimRight(line, "\r"), ",")
		if len(f) != 12 {
			continue // a quoted comma: leave it out of this copy
		}
		api.WriteString(strings.Join(append(f[:7:7], f[9:]...), ",") + "\n")
	}
	src := []Source{{Path: "api:https://data.police.uk/api/2020-07-city-of-london-street.csv",
		Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(api.String())), nil }}}
	sum, err := PoliceSources(context.Background(), st, src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f := sum.Files[0]; f.Status != StatusKept || !strings.Contains(f.Error, "LSOA") {
		t.Errorf("API copy: %+v, want kept for lacking LSOA columns", f)
	}
	if n := scalar[int64](t, st, `SELECT count(*) FROM police_street WHERE lsoa_code IS NULL AND location <> 'No Location'`); n != 0 {
		t.Errorf("%d located rows lost their LSOA", n)
	}
}

// TestFutureMonthQuarantined: a 2099-01 file loaded silently and became
// the latest month; now every line is quarantined with the reason.
func TestFutureMonthQuarantined(t *testing.T) {
	dir := t.TempDir()
	body := strings.ReplaceAll(string(readSample(t, julyStreet)), ",2020-07,", ",2099-01,")
	path := filepath.Join(dir, "2099-01-city-of-london-street.csv")
	os.WriteFile(path, []byte(body), 0o644)
	st := openStore(t)
	now := func() time.Time { return time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC) }
	sum, err := Police(context.Background(), st, []string{path}, Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if f := sum.Files[0]; f.Loaded != 0 || f.Quarantined != dataLines(t, path) {
		t.Errorf("future month: %+v", f)
	}
	if n := scalar[int64](t, st, `SELECT count(*) FROM quarantine WHERE reason LIKE '%after the current month 2026-12%'`); n != dataLines(t, path) {
		t.Errorf("%d lines quarantined with the reason", n)
	}
	if n := scalar[int64](t, st, `SELECT count(*) FROM police_street`); n != 0 {
		t.Errorf("%d rows of a future month stored", n)
	}
}

// TestTruncatedZipRecovered: an archive cut short mid-entry lost its
// central directory, and was refused whole; now its entries are found from
// their local headers, the whole ones load and the cut one is refused with
// its name, with sizes in the headers (as Python and most tools write) or
// after the data (as Go's writer does).
func TestTruncatedZipRecovered(t *testing.T) {
	dir := t.TempDir()
	months := []string{"2020-05", "2020-06", "2020-07"}
	for _, descriptors := range []bool{false, true} {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, m := range months {
			name := fmt.Sprintf("%s/%s-city-of-london-street.csv", m, m)
			body := readSample(t, sample+"/"+name)
			if descriptors {
				w, _ := zw.Create(name)
				w.Write(body)
			} else {
				rawEntry(t, zw, name, body, crc32.ChecksumIEEE(body), uint64(len(body)))
			}
		}
		zw.Close()
		whole := buf.Bytes()
		cut := bytes.Index(whole, []byte("2020-07/2020-07-city-of-london-street.csv")) + 2000 // inside its data
		archive := filepath.Join(dir, fmt.Sprintf("cut-%v.zip", descriptors))
		os.WriteFile(archive, whole[:cut], 0o644)

		st := openStore(t)
		sum := load(t, st, archive)
		files := byName(sum, dir)
		name := filepath.Base(archive)
		for _, m := range months[:2] {
			if f := files[fmt.Sprintf("%s!%s/%s-city-of-london-street.csv", name, m, m)]; f.Status != StatusLoaded || f.Loaded == 0 {
				t.Errorf("descriptors %v, whole entry %s: %+v", descriptors, m, f)
			}
		}
		if f := files[name+"!2020-07/2020-07-city-of-london-street.csv"]; f.Status != StatusRefused || !strings.Contains(f.Error, "damaged") {
			t.Errorf("descriptors %v, cut entry: %+v", descriptors, f)
		}
		if n := scalar[int64](t, st, `SELECT count(*) FROM police_street WHERE month = DATE '2020-07-01'`); n != 0 {
			t.Errorf("descriptors %v: %d rows of the cut entry stored", descriptors, n)
		}
	}
}

// TestUnknownColumnSaid: a column police.uk's layout does not have was
// dropped without a word (adversarial re-run of issue 18); the file's
// result now names it, and a missing optional column too.
func TestUnknownColumnSaid(t *testing.T) {
	lines := strings.Split(strings.TrimRight(string(readSample(t, julyStreet)), "\r\n"), "\n")
	for i, l := range lines {
		l = strings.TrimRight(l, "\r")
		if i == 0 {
			lines[i] = l + ",Officer notes"
		} else {
			lines[i] = l + ",x"
		}
	}
	path := filepath.Join(t.TempDir(), filepath.Base(julyStreet))
	os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	sum, err := Police(context.Background(), openStore(t), []string{path}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := sum.Files[0]
	if f.Loaded != dataLines(t, path) || !strings.Contains(f.Note, "columns not stored, unknown to police.uk's layout: Officer notes") {
		t.Errorf("loaded %d, note %q", f.Loaded, f.Note)
	}
}

// TestWholeInflateTrustsOnlyPlausibleSizes: an entry is inflated whole into
// the size it declares only where a police.uk file could be that size and
// that much larger than its compressed data; any other is streamed.
func TestWholeInflateTrustsOnlyPlausibleSizes(t *testing.T) {
	for _, c := range []struct {
		csize, usize int64
		whole        bool
	}{
		{csize: 1 << 20, usize: 6 << 20, whole: true},      // CSV at six to one
		{csize: 1 << 20, usize: 32 << 20, whole: true},     // the most believed
		{csize: 1 << 20, usize: 32<<20 + 1, whole: false},  // a bomb's ratio
		{csize: 10 << 20, usize: 64<<20 + 1, whole: false}, // larger than any police.uk file
		{csize: 20 << 10, usize: 300 << 20, whole: false},  // TestDeclaredSizesDoNotSizeMemory's
		{csize: 0, usize: 0, whole: false},                 // empty
		{csize: 1 << 50, usize: 6 << 20, whole: false},     // a directory's compressed size past any file
		{csize: 7 << 20, usize: 6 << 20, whole: false},     // more than deflate ever grows data
	} {
		if got := wholeInflate(c.csize, c.usize); got != c.whole {
			t.Errorf("wholeInflate(%d, %d) = %v, want %v", c.csize, c.usize, got, c.whole)
		}
	}
}
