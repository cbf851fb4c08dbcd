package policeuk

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// maxRecord bounds one line: a longer line is set aside (its first
// rawPrefix bytes kept) and skipped without being held in memory, so that
// neither a binary file nor a giant field can make the reader grow.
const maxRecord = 1 << 20

// rawPrefix is how much of an over-long line quarantine keeps.
const rawPrefix = 4 << 10

// recordReader splits a CSV stream into lines, keeping each line's raw text
// and line number so that a row that cannot be loaded can be set aside
// exactly as it was published. It accepts LF, CRLF and bare CR line endings
// (all seen in real downloads). police.uk fields never span lines, so a line
// end always ends a record, even inside quotes: a broken quote costs its own
// line, never the rest of the file.
type recordReader struct {
	r      io.Reader
	buf    []byte // holds buf[start:end] unread
	start  int
	end    int
	eof    bool
	err    error
	read   int64 // bytes read from r
	line   int64 // physical line of the next record
	raw    []byte
	long   int64 // when > 0, the current line was this long and raw is its prefix
	skipLF bool  // the last line ended in a CR at the end of the buffer: drop an LF after it
	fields [][]byte
	ubuf   []byte // unescaped text of quoted fields with doubled quotes
}

func newRecordReader(r io.Reader) *recordReader {
	return &recordReader{r: r, buf: make([]byte, 256<<10), line: 1}
}

// next reads the next line and returns its number, or io.EOF. A blank line
// is a record with no raw text.
func (rr *recordReader) next() (int64, error) {
	start := rr.line
	rr.long = 0
	for {
		if rr.skipLF {
			if rr.start == rr.end && !rr.eof {
				rr.fill()
				continue
			}
			if rr.start < rr.end && rr.buf[rr.start] == '\n' {
				rr.start++
			}
			rr.skipLF = false
		}
		w := rr.buf[rr.start:rr.end]
		if i := lineEnd(w); i >= 0 {
			if w[i] == '\r' && i+1 == len(w) && !rr.eof {
				// A CRLF may be split across reads.
			} else {
				rr.raw = w[:i]
				rr.start += i + 1
				if w[i] == '\r' && i+1 < len(w) && w[i+1] == '\n' {
					rr.start++
				}
				rr.line++
				return start, nil
			}
		}
		if rr.eof {
			if len(w) == 0 {
				if rr.err != nil {
					return start, rr.err
				}
				return start, io.EOF
			}
			rr.raw = w
			rr.start = rr.end
			rr.line++
			return start, nil
		}
		if len(w) >= maxRecord {
			return start, rr.skipLong()
		}
		rr.fill()
	}
}

// offset is how many bytes of the file the lines returned so far took.
func (rr *recordReader) offset() int64 {
	return rr.read - int64(rr.end-rr.start)
}

// lineEnd is the index of the first LF or CR in b, or -1.
func lineEnd(b []byte) int {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return bytes.IndexByte(b, '\r')
	}
	if j := bytes.IndexByte(b[:i], '\r'); j >= 0 {
		return j
	}
	return i
}

// fill reads more bytes, moving the unread ones to the front and growing
// the buffer up to maxRecord.
func (rr *recordReader) fill() {
	if rr.start > 0 {
		n := copy(rr.buf, rr.buf[rr.start:rr.end])
		rr.start, rr.end = 0, n
	}
	if rr.end == len(rr.buf) {
		nb := make([]byte, min(2*len(rr.buf), maxRecord+1))
		copy(nb, rr.buf[:rr.end])
		rr.buf = nb
	}
	n, err := rr.r.Read(rr.buf[rr.end:])
	rr.end += n
	rr.read += int64(n)
	if err != nil {
		rr.eof = true
		if err != io.EOF {
			rr.err = err
		}
	}
}

// skipLong consumes a line longer than maxRecord, keeping its prefix in
// raw and its length in long.
func (rr *recordReader) skipLong() error {
	rr.long = int64(rr.end - rr.start)
	prefix := append([]byte(nil), rr.buf[rr.start:rr.start+rawPrefix]...)
	rr.start, rr.end = 0, 0
	for {
		if rr.eof {
			if rr.err != nil {
				return rr.err
			}
			break
		}
		rr.fill()
		w := rr.buf[rr.start:rr.end]
		if i := lineEnd(w); i >= 0 {
			rr.long += int64(i)
			rr.start += i + 1
			if w[i] == '\r' {
				rr.skipLF = true // dropped by next, which may need another read to see it
			}
			break
		}
		rr.long += int64(len(w))
		rr.start, rr.end = 0, 0
	}
	rr.raw = prefix
	rr.line++
	return nil
}

// tooLong is the reason an over-long line is set aside, or "".
func (rr *recordReader) tooLong() string {
	if rr.long == 0 {
		return ""
	}
	return fmt.Sprintf("line of %d bytes is longer than the %d-byte limit (only its first %d bytes are kept here)", rr.long, maxRecord, rawPrefix)
}

// split parses the current record into fields (RFC 4180, with quotes inside
// an unquoted field kept as text). It reports a malformed quoted field.
// Fields point into the raw line, so they are valid until the next call of
// next; only a quoted field with doubled quotes is copied, unescaped, into
// ubuf, which never has to grow within a line (unescaped text is shorter
// than the line), so the fields pointing into it stay put.
func (rr *recordReader) split() ([][]byte, error) {
	rr.fields = rr.fields[:0]
	b := rr.raw
	if cap(rr.ubuf) < len(b) {
		rr.ubuf = make([]byte, 0, len(b))
	}
	rr.ubuf = rr.ubuf[:0]
	for {
		var f []byte
		if len(b) > 0 && b[0] == '"' {
			var err error
			if f, b, err = rr.quoted(b[1:]); err != nil {
				return nil, err
			}
		} else {
			i := bytes.IndexByte(b, ',')
			if i < 0 {
				i = len(b)
			}
			f, b = b[:i:i], b[i:]
		}
		rr.fields = append(rr.fields, f)
		if len(b) == 0 {
			break
		}
		b = b[1:] // the comma
	}
	return rr.fields, nil
}

// quoted reads a quoted field from b, just after its opening quote, and
// returns its text and what follows its closing quote.
func (rr *recordReader) quoted(b []byte) (field, rest []byte, err error) {
	i := bytes.IndexByte(b, '"')
	if i >= 0 && (i+1 == len(b) || b[i+1] != '"') {
		field, rest = b[:i:i], b[i+1:] // no doubled quote: no copy needed
	} else {
		start := len(rr.ubuf)
		for {
			if i < 0 {
				return nil, nil, errors.New("quoted field is not closed on its line (police.uk fields never span lines)")
			}
			rr.ubuf = append(rr.ubuf, b[:i]...)
			b = b[i+1:]
			if len(b) > 0 && b[0] == '"' {
				rr.ubuf = append(rr.ubuf, '"')
				b = b[1:]
				i = bytes.IndexByte(b, '"')
				continue
			}
			break
		}
		field, rest = rr.ubuf[start:len(rr.ubuf):len(rr.ubuf)], b
	}
	if len(rest) > 0 && rest[0] != ',' {
		return nil, nil, errors.New("text after a closing quote")
	}
	return field, rest, nil
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
