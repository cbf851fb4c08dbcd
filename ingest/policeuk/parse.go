package policeuk

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// ErrNotPoliceFile marks a file refused whole: empty, binary, or with a
// header that is not police.uk's for the kind its name says.
var ErrNotPoliceFile = errors.New("not a police.uk file")

// maxRejectedBytes bounds the raw text of the rows one file sets aside, so
// that a file whose every line is bad (a wrong month, a wrong kind) cannot
// fill memory with its quarantine: past it the whole file is refused.
const maxRejectedBytes = 32 << 20

// Rejected is a row set aside instead of loaded.
type Rejected struct {
	Line   int64  // physical line in the file where the row starts (header is line 1)
	Raw    string // the row as published (invalid UTF-8 replaced)
	Reason string
}

// File is one police.uk file read into a columnar batch.
type File struct {
	Partition Partition
	Record    arrow.RecordBatch // the loaded rows, with Schema(Partition.Kind)
	Rejected  []Rejected
	DataLines int64 // non-blank lines after the header: len(rows) + len(Rejected)
	Blank     int64 // blank lines, ignored
	Missing   []string
	Ignored   []string // headers this reader does not know, not stored
}

// Release frees the batch's memory.
func (f *File) Release() {
	if f.Record != nil {
		f.Record.Release()
	}
}

// London is the time zone police.uk's months follow.
var London = mustLoad("Europe/London")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("time zone %s: %v (build with time/tzdata)", name, err))
	}
	return loc
}

// Read reads one police.uk CSV file of partition p. The rows are stamped with
// sourceID so that each stored row links back to its file. A file that is
// not a police.uk file of that kind is refused with an error wrapping
// ErrNotPoliceFile; rows that cannot be typed are returned in Rejected.
//
// When r has a method Size() int64 giving the file's expected length, the
// batch's buffers are sized for it once the first rows are read, instead of
// doubling as they grow (see presize).
func Read(r io.Reader, p Partition, sourceID int64, mem memory.Allocator) (*File, error) {
	return ReadHolding(r, p, sourceID, mem, "")
}

// ReadHolding reads like Read, but when hold is not empty it sets every row
// aside with hold as the reason: the file is checked and kept in quarantine,
// nothing of it loaded (a month that cannot have been published yet).
func ReadHolding(r io.Reader, p Partition, sourceID int64, mem memory.Allocator, hold string) (*File, error) {
	sizer, _ := r.(interface{ Size() int64 })
	rr := newRecordReader(r)
	if _, err := rr.next(); err != nil {
		if err == io.EOF {
			return nil, fmt.Errorf("empty file: %w", ErrNotPoliceFile)
		}
		return nil, err
	}
	if rr.long > 0 {
		return nil, fmt.Errorf("header line of %d bytes is longer than the %d-byte limit: %w", rr.long, maxRecord, ErrNotPoliceFile)
	}
	if !validText(rr.raw) {
		return nil, fmt.Errorf("header is not text: %w", ErrNotPoliceFile)
	}
	header, err := rr.split()
	if err != nil {
		return nil, fmt.Errorf("header: %v: %w", err, ErrNotPoliceFile)
	}
	rd, err := newRowReader(p, header, sourceID, mem)
	if err != nil {
		return nil, err
	}
	defer rd.b.Release()
	rd.dataStart = rr.offset()
	f := &File{Partition: p, Missing: rd.missing, Ignored: rd.ignored}
	var rejected int
	for {
		line, err := rr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		reason := rr.tooLong()
		if reason == "" && len(bytes.TrimSpace(rr.raw)) == 0 {
			f.Blank++
			continue
		}
		f.DataLines++
		if f.DataLines == sampleLines && sizer != nil {
			rd.presize(sizer.Size(), rr.offset())
		}
		if reason == "" {
			reason = hold
		}
		if reason == "" {
			reason = rd.read(rr, line)
		}
		if reason != "" {
			f.Rejected = append(f.Rejected, Rejected{Line: line, Raw: printable(rr.raw), Reason: reason})
			if rejected += len(rr.raw); rejected > maxRejectedBytes {
				first := f.Rejected[0]
				return nil, fmt.Errorf("more than %d MiB of its lines cannot be loaded (the first, line %d: %s), so the whole file is refused: %w",
					maxRejectedBytes>>20, first.Line, first.Reason, ErrNotPoliceFile)
			}
		}
	}
	if f.Record, err = rd.record(); err != nil {
		return nil, err
	}
	return f, nil
}

// rowReader types one file's rows into an Arrow record builder.
type rowReader struct {
	part    Partition
	cols    []column
	idx     []int // field index per column, -1 when the file lacks it
	nfields int
	b       *array.RecordBuilder
	lead    [4]array.Builder // source_id, line, force (unused: forceText), month
	out     []array.Builder  // one per stored column (nil for monthText and text)
	text    []*textColumn    // one per stored text column, nil for the others
	// forceText is the force column, and byField each text column by its
	// field in the schema; their builders in b stay empty.
	forceText *textColumn
	force     []byte
	byField   []*textColumn
	vals      []value
	month     string
	date      arrow.Date32
	sourceID  int64
	missing   []string
	ignored   []string
	outcome   int // index in cols of the street outcome, -1 elsewhere
	context   int
	// dataStart is the file offset of the first line after the header.
	dataStart int64
	presized  bool // the builders are sized for the whole file: grow them gently
}

type value struct {
	b    []byte
	f    float64
	t    int64
	v    bool
	null bool
}

func newRowReader(p Partition, header [][]byte, sourceID int64, mem memory.Allocator) (*rowReader, error) {
	cols := layouts[p.Kind]
	if cols == nil {
		return nil, fmt.Errorf("unknown kind %q", p.Kind)
	}
	pos := make(map[string]int, len(header))
	var names []string
	for i, h := range header {
		name := strings.TrimSpace(string(h))
		if i == 0 {
			name = strings.TrimPrefix(name, "\uFEFF")
		}
		names = append(names, name)
		pos[strings.ToLower(name)] = i
	}
	rd := &rowReader{part: p, cols: cols, idx: make([]int, len(cols)), nfields: len(header),
		month: p.Month.Format("2006-01"), date: arrow.Date32FromTime(p.Month), sourceID: sourceID,
		outcome: -1, context: -1}
	known := make(map[int]bool)
	for i, c := range cols {
		j, ok := pos[strings.ToLower(c.header)]
		if !ok {
			if c.needed {
				return nil, fmt.Errorf("header %q lacks %q, so it is not a police.uk %s file: %w",
					strings.Join(names, ","), c.header, p.Kind, ErrNotPoliceFile)
			}
			rd.idx[i] = -1
			rd.missing = append(rd.missing, c.header)
			continue
		}
		rd.idx[i] = j
		known[j] = true
		switch c.name {
		case "last_outcome":
			rd.outcome = i
		case "context":
			rd.context = i
		}
	}
	if p.Kind == Street && rd.idx[colIndex(cols, "longitude")] < 0 && rd.idx[colIndex(cols, "easting")] < 0 {
		return nil, fmt.Errorf("header %q has neither Longitude/Latitude nor Easting/Northing: %w",
			strings.Join(names, ","), ErrNotPoliceFile)
	}
	for j, n := range names {
		if !known[j] {
			rd.ignored = append(rd.ignored, n)
		}
	}
	rd.b = array.NewRecordBuilder(mem, Schema(p.Kind))
	for i := range rd.lead {
		rd.lead[i] = rd.b.Field(i)
	}
	rd.forceText, rd.force = newTextColumn(), []byte(p.Force)
	rd.byField = make([]*textColumn, rd.b.Schema().NumFields())
	rd.byField[2] = rd.forceText
	rd.out, rd.text = make([]array.Builder, len(cols)), make([]*textColumn, len(cols))
	k := len(leading)
	for i, c := range cols {
		switch c.typ {
		case monthText:
			continue
		case text:
			rd.text[i] = newTextColumn()
			rd.byField[k] = rd.text[i]
		default:
			rd.out[i] = rd.b.Field(k)
		}
		k++
	}
	rd.vals = make([]value, len(cols))
	return rd, nil
}

// sampleLines is how many lines are read before the builders are sized
// for the whole file from them.
const sampleLines = 512

// maxPresize bounds the file size presize believes: a real police.uk file
// is far smaller, and a hint beyond it is not to be trusted.
const maxPresize = 256 << 20

// presize sizes the builders for the rest of a file of size bytes, of which
// done are read, from what those bytes took in each column:
// each buffer is then allocated about once instead of doubling (and being
// copied) as it grows, which was most of the Go side's allocations. The size
// is only a hint: past a short one the builders grow by a quarter at a time
// (appendRow), and the reservation is bounded by maxPresize.
func (rd *rowReader) presize(size, done int64) {
	size = min(size, maxPresize)
	rows := rd.lead[0].Len()
	if size <= done || rows == 0 || done <= rd.dataStart {
		return
	}
	// What is still to come, in proportion to what was read, with a little
	// slack: being short costs a gentle growth, being over only the slack.
	// A text column takes its share of the bytes, which varies less
	// between rows than its share of the rows does.
	left := float64(size-done) / float64(done-rd.dataStart) * 1.08
	more := int(left*float64(rows)) + 16
	rd.presized = true
	for k, b := range rd.b.Fields() {
		if t := rd.byField[k]; t != nil {
			t.reserve(more, int(left*float64(len(t.data)))+64)
			continue
		}
		b.Resize(b.Len() + more)
	}
}

func colIndex(cols []column, name string) int {
	for i, c := range cols {
		if c.name == name {
			return i
		}
	}
	return -1
}

// read types the current record and appends it, or returns why it cannot.
// Nothing is appended unless the whole row is good.
func (rd *rowReader) read(rr *recordReader, line int64) string {
	if !validText(rr.raw) {
		return "not valid UTF-8 text"
	}
	fields, err := rr.split()
	if err != nil {
		return err.Error()
	}
	if len(fields) != rd.nfields {
		return fmt.Sprintf("%d fields where the header has %d", len(fields), rd.nfields)
	}
	coord := [4]int{-1, -1, -1, -1} // the columns of longitude, latitude, easting, northing
	for i, c := range rd.cols {
		if reason := rd.typeField(i, c, fields, &coord); reason != "" {
			return reason
		}
	}
	if reason := rd.checkRow(coord); reason != "" {
		return reason
	}
	rd.appendRow(line)
	return ""
}

// typeField types column i's field into rd.vals[i] (null when the file
// lacks the column or the field is empty), noting in coord where a
// coordinate column is, and returns why the field cannot be loaded.
func (rd *rowReader) typeField(i int, c column, fields [][]byte, coord *[4]int) string {
	v := &rd.vals[i]
	*v = value{null: true}
	if rd.idx[i] < 0 {
		return ""
	}
	if k := coordSlot(c.typ); k >= 0 {
		coord[k] = i
	}
	f := fields[rd.idx[i]]
	if c.typ != text {
		f = bytes.TrimSpace(f)
	}
	if len(f) == 0 {
		if c.needed {
			return fmt.Sprintf("empty %s", c.header)
		}
		return ""
	}
	v.null = false
	return rd.parseValue(v, c, f)
}

// coordSlot is where a coordinate column's index goes in read's coord, or
// -1 for other columns.
func coordSlot(t colType) int {
	switch t {
	case longitude:
		return 0
	case latitude:
		return 1
	case easting:
		return 2
	case northing:
		return 3
	}
	return -1
}

// parseValue types a non-empty field into v, or returns why it cannot.
func (rd *rowReader) parseValue(v *value, c column, f []byte) string {
	switch c.typ {
	case text:
		v.b = f
	case monthText:
		if string(f) != rd.month {
			return fmt.Sprintf("Month %q disagrees with the file name's month %s", f, rd.month)
		}
	case longitude, latitude, easting, northing:
		x, ok := parseDecimal(f)
		var err error
		if !ok {
			x, err = strconv.ParseFloat(string(f), 64)
		}
		if err != nil || x != x {
			return fmt.Sprintf("%s %q is not a number", c.header, f)
		}
		v.f = x
	case timestamp:
		t, err := time.Parse(time.RFC3339, string(f))
		if err != nil {
			return fmt.Sprintf("%s %q is not an ISO 8601 time with offset", c.header, f)
		}
		if m := t.In(London).Format("2006-01"); m != rd.month {
			return fmt.Sprintf("%s %s falls in %s (London time), not in the file name's month %s", c.header, f, m, rd.month)
		}
		v.t = t.UTC().UnixMicro()
	case boolean:
		switch strings.ToLower(string(f)) {
		case "true":
			v.v = true
		case "false":
		default:
			return fmt.Sprintf("%s %q is not True or False", c.header, f)
		}
	}
	return ""
}

// checkRow checks what involves more than one field: the coordinate pairs,
// and an outcome that an unquoted comma split into Context.
func (rd *rowReader) checkRow(coord [4]int) string {
	if reason := rd.checkPair([2]int{coord[0], coord[1]}, -8.7, 1.9, 49.8, 60.95, "longitude/latitude", "outside the UK"); reason != "" {
		return reason
	}
	if reason := rd.checkPair([2]int{coord[2], coord[3]}, 0, 700000, 0, 1300000, "easting/northing", "outside the British National Grid"); reason != "" {
		return reason
	}
	if rd.outcome >= 0 && rd.context >= 0 {
		o, c := rd.vals[rd.outcome], rd.vals[rd.context]
		if !o.null && !c.null && len(c.b) > 0 && c.b[0] == ' ' {
			return fmt.Sprintf("Last outcome category %q runs on into Context %q: an unquoted comma split it (re-saved by a spreadsheet?)", o.b, c.b)
		}
	}
	return ""
}

// checkPair checks a coordinate pair: both absent is a row without a
// location; one alone, or a point outside the bounds, is an error.
func (rd *rowReader) checkPair(ix [2]int, xmin, xmax, ymin, ymax float64, what, where string) string {
	if ix[0] < 0 && ix[1] < 0 {
		return ""
	}
	if ix[0] < 0 || ix[1] < 0 {
		return fmt.Sprintf("%s: only one of the pair is in the file", what)
	}
	x, y := rd.vals[ix[0]], rd.vals[ix[1]]
	if x.null && y.null {
		return ""
	}
	if x.null || y.null {
		return fmt.Sprintf("%s: only one of the pair is given", what)
	}
	if x.f < xmin || x.f > xmax || y.f < ymin || y.f > ymax {
		return fmt.Sprintf("%s %g, %g is %s", what, x.f, y.f, where)
	}
	return ""
}

func (rd *rowReader) appendRow(line int64) {
	if rd.presized && rd.lead[0].Len() == rd.lead[0].Cap() {
		// More rows than presize expected: grow by a quarter, not double.
		more := rd.lead[0].Cap()/4 + 16
		for k, b := range rd.b.Fields() {
			if rd.byField[k] == nil { // a text column grows as Go's slices do, by a quarter when large
				b.Resize(b.Len() + more)
			}
		}
	}
	rd.lead[0].(*array.Int64Builder).Append(rd.sourceID)
	rd.lead[1].(*array.Int64Builder).Append(line)
	rd.forceText.append(rd.force, false)
	rd.lead[3].(*array.Date32Builder).Append(rd.date)
	for i, c := range rd.cols {
		v := &rd.vals[i]
		if t := rd.text[i]; t != nil {
			t.append(v.b, v.null)
			continue
		}
		b := rd.out[i]
		if b == nil {
			continue
		}
		if v.null {
			b.AppendNull()
			continue
		}
		switch c.typ {
		case longitude, latitude, easting, northing:
			b.(*array.Float64Builder).Append(v.f)
		case timestamp:
			b.(*array.TimestampBuilder).Append(arrow.Timestamp(v.t))
		case boolean:
			b.(*array.BooleanBuilder).Append(v.v)
		}
	}
}

// pow10 holds the powers of ten that a float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseDecimal parses a plain decimal of at most 15 digits, such as
// police.uk's -0.123456, to the value strconv.ParseFloat gives, in a
// fraction of its time (a tenth of a load's parsing was ParseFloat): the
// digits as an integer and the power of ten are both exact in a float64,
// so their quotient is the correctly rounded value. ok is false for any
// other form, which the caller hands to strconv.
func parseDecimal(b []byte) (x float64, ok bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg || len(b) > 0 && b[0] == '+' {
		b = b[1:]
	}
	var m uint64
	digits, frac := 0, -1
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			m = m*10 + uint64(c-'0')
			digits++
			if frac >= 0 {
				frac++
			}
		case c == '.' && frac < 0:
			frac = 0
		default:
			return 0, false
		}
	}
	if digits == 0 || digits > 15 {
		return 0, false
	}
	x = float64(m) / pow10[max(frac, 0)]
	if neg {
		x = -x
	}
	return x, true
}

// record is the rows read, as one batch of the kind's schema.
func (rd *rowReader) record() (arrow.RecordBatch, error) {
	rows := int64(rd.lead[0].Len())
	fields := rd.b.Fields()
	cols := make([]arrow.Array, len(fields))
	defer func() {
		for _, a := range cols {
			if a != nil {
				a.Release()
			}
		}
	}()
	for k, b := range fields {
		if t := rd.byField[k]; t != nil {
			a, err := t.array()
			if err != nil {
				return nil, fmt.Errorf("%w: %w", err, ErrNotPoliceFile)
			}
			cols[k] = a
			continue
		}
		cols[k] = b.NewArray()
	}
	return array.NewRecordBatch(rd.b.Schema(), cols, rows), nil
}
