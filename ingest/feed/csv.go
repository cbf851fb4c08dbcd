package feed

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// readCSV reads a CSV file with a header row. Fields are matched to the
// contract's columns by header name, ignoring case and surrounding spaces.
func (bd *builder) readCSV(r io.Reader, file *File) error {
	rec := &recorder{r: r}
	cr := csv.NewReader(rec)
	cr.FieldsPerRecord = -1 // a wrong count sets the row aside, it does not stop the file
	cr.ReuseRecord = true
	names, err := readHeader(cr)
	if err != nil {
		return err
	}
	h, err := matchHeader(names, bd.declared())
	if err != nil {
		return err
	}
	for i, name := range h.names {
		if !h.used[i] {
			file.Dropped = append(file.Dropped, name)
		}
	}
	return bd.readRows(cr, rec, file, h)
}

// readHeader reads the header row, its names trimmed of surrounding spaces,
// and refuses one that shows the file's encoding or line endings are not
// what the reader takes.
func readHeader(cr *csv.Reader) ([]string, error) {
	first, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("empty file: no header row")
	}
	if err != nil {
		return nil, fmt.Errorf("header: %v", err)
	}
	header := make([]string, len(first))
	for i, h := range first {
		header[i] = strings.TrimSpace(h)
	}
	all := strings.Join(header, ",")
	if !utf8.ValidString(all) {
		return nil, errors.New("the header is not UTF-8 text; if the export is Windows-1252 (as Excel on Windows writes), set encoding: windows-1252")
	}
	if strings.ContainsAny(all, "\r\n") {
		return nil, errors.New("the header runs over several lines: lines end in a bare CR (old Mac), or a header name holds a line break; re-save the file with LF or CRLF line endings")
	}
	return header, nil
}

// csvHeader is a file's header matched to the contract's columns.
type csvHeader struct {
	names []string
	pos   map[string]int // lower-case name → field; the first of repeated names
	used  map[int]bool   // fields the contract reads
}

// matchHeader finds each declared column in the header, ignoring case, and
// refuses a header that lacks one or names one twice.
func matchHeader(header, declared []string) (*csvHeader, error) {
	h := &csvHeader{names: header, pos: make(map[string]int, len(header)), used: map[int]bool{}}
	for i, name := range header {
		key := strings.ToLower(name)
		if _, dup := h.pos[key]; !dup {
			h.pos[key] = i
		}
	}
	var missing []string
	for _, name := range declared {
		i, ok := h.pos[strings.ToLower(strings.TrimSpace(name))]
		if !ok {
			missing = append(missing, fmt.Sprintf("%q", name))
			continue
		}
		for j, other := range header {
			if j != i && strings.EqualFold(other, header[i]) {
				return nil, fmt.Errorf("the header has the column %q twice, so the contract's %q is ambiguous", header[i], name)
			}
		}
		h.used[i] = true
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("the header lacks %s, which the contract reads; the file's columns are: %s", strings.Join(missing, ", "), strings.Join(header, ", "))
	}
	return h, nil
}

// readRows reads the records after the header, adding each to the feed or
// setting it aside with its reason.
func (bd *builder) readRows(cr *csv.Reader, rec *recorder, file *File, h *csvHeader) error {
	src := &csvRow{pos: h.pos}
	// whole is the row as published, when nothing undeclared could be in it.
	whole := func(raw []byte) string {
		if len(file.Dropped) == 0 {
			return printable(raw)
		}
		return "(not kept: the row's fields do not line up with the header, so the columns the contract does not declare cannot be left out)"
	}
	start := cr.InputOffset()
	rec.discard(start)
	for {
		fields, err := cr.Read()
		end := cr.InputOffset()
		raw := rec.slice(start, end)
		switch {
		case err == io.EOF:
			return nil
		case err != nil:
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return err
			}
			file.reject(int64(pe.StartLine), whole(raw), pe.Err.Error())
		case blank(fields):
			file.Blank++
		default:
			line, _ := cr.FieldPos(0)
			switch {
			case len(fields) != len(h.names):
				file.reject(int64(line), whole(raw), fmt.Sprintf("%d fields where the header has %d", len(fields), len(h.names)))
			case !utf8.Valid(raw):
				file.reject(int64(line), declaredOnly(fields, h.used), "not valid UTF-8 text; if the export is Windows-1252, set encoding: windows-1252")
			default:
				src.fields = fields
				bd.add(file, int64(line), func() string { return declaredOnly(fields, h.used) }, src)
			}
		}
		rec.discard(end)
		start = end
	}
}

// declaredOnly writes a CSV row back with the fields the contract does not
// read left empty.
func declaredOnly(fields []string, used map[int]bool) string {
	kept := make([]string, len(fields))
	for i, f := range fields {
		if used[i] {
			kept[i] = f
		}
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write(kept)
	w.Flush()
	return printable([]byte(b.String()))
}

func blank(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// csvRow is one CSV record as a source row.
type csvRow struct {
	pos    map[string]int // lower-case header name → field
	fields []string
}

func (r *csvRow) value(name string) (string, error) {
	return r.fields[r.pos[strings.ToLower(strings.TrimSpace(name))]], nil
}

func (r *csvRow) geometry() (string, string, error) {
	return "", "", errors.New("a CSV row has no geometry; declare coordinates.x and coordinates.y")
}

// recorder keeps the bytes it has passed on since the last discard, so that
// a CSV row set aside can be kept exactly as published.
type recorder struct {
	r    io.Reader
	buf  []byte
	base int64 // offset of buf[0] in the stream
}

func (t *recorder) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.buf = append(t.buf, p[:n]...)
	return n, err
}

// slice returns the stream's bytes from offset from to offset to, which must
// not be before the last discard.
func (t *recorder) slice(from, to int64) []byte { return t.buf[from-t.base : to-t.base] }

// discard forgets the bytes before offset to.
func (t *recorder) discard(to int64) {
	n := copy(t.buf, t.buf[to-t.base:])
	t.buf = t.buf[:n]
	t.base = to
}
