package feed

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"unicode/utf8"
)

// utf8Text returns the feed's bytes as UTF-8 text without a byte order
// mark, decoding them first if the contract says they are Windows-1252.
func utf8Text(r io.Reader, encoding string) io.Reader {
	if encoding == "windows-1252" {
		return &cp1252Reader{r: r}
	}
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\uFEFF")) {
		br.Discard(3)
	}
	return br
}

// cp1252High maps the bytes 0x80–0x9F of Windows-1252, where it differs
// from Latin-1. The five bytes Windows-1252 leaves undefined map to the C1
// controls of the same value, as the WHATWG Encoding Standard does, so no
// byte is lost.
var cp1252High = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8D, 'Ž', 0x8F,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9D, 'ž', 'Ÿ',
}

// cp1252Reader decodes Windows-1252 bytes to UTF-8. Bytes from 0xA0 are the
// Latin-1 code points of the same value.
type cp1252Reader struct {
	r   io.Reader
	in  [4096]byte
	buf []byte // decoded text of the last read
	out []byte // the part of buf not yet returned
	err error
}

func (d *cp1252Reader) Read(p []byte) (int, error) {
	for len(d.out) == 0 {
		if d.err != nil {
			return 0, d.err
		}
		n, err := d.r.Read(d.in[:])
		d.err = err
		d.buf = d.buf[:0]
		for _, c := range d.in[:n] {
			switch {
			case c < 0x80:
				d.buf = append(d.buf, c)
			case c < 0xA0:
				d.buf = utf8.AppendRune(d.buf, cp1252High[c-0x80])
			default:
				d.buf = utf8.AppendRune(d.buf, rune(c))
			}
		}
		d.out = d.buf
	}
	n := copy(p, d.out)
	d.out = d.out[n:]
	return n, nil
}

// printable turns a raw row into text that can always be stored, so that a
// quarantined row keeps as much of what was published as possible.
func printable(raw []byte) string {
	s := strings.Trim(string(raw), "\r\n")
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}
