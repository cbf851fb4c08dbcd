package policeuk

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// maxRecord bounds one CSV record, so that a binary or corrupt file is
// refused instead of being read into memory whole.
const maxRecord = 1 << 20

// errNotText says that a file holds bytes no police.uk CSV has.
var errNotText = errors.New("not a text CSV file")

// recordReader splits a CSV stream into records, keeping each record's raw
// text and first line number so that a row that cannot be loaded can be set
// aside exactly as it was published. It accepts LF, CRLF and bare CR line
// endings (all seen in real downloads) and records that span lines inside
// quotes.
type recordReader struct {
	sc     *bufio.Scanner
	line   int64 // physical line of the next record
	lines  int64 // physical lines in the record just split off
	raw    []byte
	fields [][]byte
	buf    []byte // unquoted field text; fields point into it
}

func newRecordReader(r io.Reader) *recordReader {
	rr := &recordReader{sc: bufio.NewScanner(r), line: 1}
	rr.sc.Buffer(make([]byte, 0, 256<<10), maxRecord)
	rr.sc.Split(rr.splitRecord)
	return rr
}

// next reads the next record and returns its first line number, or io.EOF.
// A blank line is a record with no raw text.
func (rr *recordReader) next() (int64, error) {
	start := rr.line
	if !rr.sc.Scan() {
		if err := rr.sc.Err(); err != nil {
			if err == bufio.ErrTooLong {
				return start, fmt.Errorf("line %d: record longer than %d bytes: %w", start, maxRecord, errNotText)
			}
			return start, err
		}
		return start, io.EOF
	}
	rr.raw = rr.sc.Bytes()
	rr.line += rr.lines
	return start, nil
}

// splitRecord is a bufio.SplitFunc that ends a record at LF, CRLF or CR
// outside double quotes, and counts the physical lines it consumed.
func (rr *recordReader) splitRecord(data []byte, atEOF bool) (int, []byte, error) {
	inQuotes := false
	lines := int64(0)
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '"':
			inQuotes = !inQuotes
		case '\n':
			lines++
			if !inQuotes {
				rr.lines = lines
				return i + 1, data[:i], nil
			}
		case '\r':
			if i+1 == len(data) && !atEOF {
				return 0, nil, nil // a CRLF may be split across reads
			}
			crlf := i+1 < len(data) && data[i+1] == '\n'
			if !crlf {
				lines++
			}
			if !inQuotes {
				if crlf {
					rr.lines = lines + 1
					return i + 2, data[:i], nil
				}
				rr.lines = lines
				return i + 1, data[:i], nil
			}
		}
	}
	if atEOF && len(data) > 0 {
		rr.lines = lines + 1
		return len(data), data, nil
	}
	return 0, nil, nil
}

// split parses the current record into fields (RFC 4180, with quotes inside
// an unquoted field kept as text). It reports a malformed quoted field.
func (rr *recordReader) split() ([][]byte, error) {
	rr.fields = rr.fields[:0]
	rr.buf = rr.buf[:0]
	b := rr.raw
	for {
		start := len(rr.buf)
		if len(b) > 0 && b[0] == '"' {
			b = b[1:]
			for {
				i := bytes.IndexByte(b, '"')
				if i < 0 {
					return nil, errors.New("quoted field is not closed")
				}
				rr.buf = append(rr.buf, b[:i]...)
				b = b[i+1:]
				if len(b) > 0 && b[0] == '"' {
					rr.buf = append(rr.buf, '"')
					b = b[1:]
					continue
				}
				break
			}
			if len(b) > 0 && b[0] != ',' {
				return nil, errors.New("text after a closing quote")
			}
		} else {
			i := bytes.IndexByte(b, ',')
			if i < 0 {
				i = len(b)
			}
			rr.buf = append(rr.buf, b[:i]...)
			b = b[i:]
		}
		rr.fields = append(rr.fields, rr.buf[start:len(rr.buf):len(rr.buf)])
		if len(b) == 0 {
			break
		}
		b = b[1:] // the comma
	}
	// rr.buf may have moved while growing: re-slice the fields into it.
	off := 0
	for i, f := range rr.fields {
		rr.fields[i] = rr.buf[off : off+len(f) : off+len(f)]
		off += len(f)
	}
	return rr.fields, nil
}

// validText reports whether b can be stored as text: valid UTF-8 with no NUL.
func validText(b []byte) bool {
	return utf8.Valid(b) && bytes.IndexByte(b, 0) < 0
}

// printable turns a raw record into text that can always be stored, so a
// quarantined row keeps as much of what was published as possible.
func printable(b []byte) string {
	return string(bytes.ReplaceAll(bytes.ToValidUTF8(b, []byte("\uFFFD")), []byte{0}, []byte("\uFFFD")))
}
