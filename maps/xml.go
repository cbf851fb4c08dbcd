package maps

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
)

// xmlWriter writes XML by hand, which keeps large documents streaming and
// their layout readable. It keeps the first error so that callers check once,
// at flush.
type xmlWriter struct {
	w   *bufio.Writer
	err error
}

func newXMLWriter(w io.Writer) *xmlWriter {
	return &xmlWriter{w: bufio.NewWriter(w)}
}

// raw writes s unescaped; it must already be well-formed XML.
func (x *xmlWriter) raw(s string) {
	if x.err == nil {
		_, x.err = x.w.WriteString(s)
	}
}

// printf writes formatted markup; values that come from callers go through
// text instead.
func (x *xmlWriter) printf(format string, args ...any) {
	if x.err == nil {
		_, x.err = fmt.Fprintf(x.w, format, args...)
	}
}

// text writes s escaped for use as character data or inside a quoted
// attribute value.
func (x *xmlWriter) text(s string) {
	if x.err == nil {
		x.err = xml.EscapeText(x.w, []byte(s))
	}
}

func (x *xmlWriter) flush() error {
	if x.err == nil {
		x.err = x.w.Flush()
	}
	return x.err
}
