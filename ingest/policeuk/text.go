package policeuk

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// textColumn builds a string column in plain Go slices. A row of a
// police.uk file is some ten strings, and arrow's StringBuilder spent more
// time on its bookkeeping than on the bytes (a capacity check per call, the
// offset appended through a function value: a fifth of a parse); here an
// append is a copy and a bit.
type textColumn struct {
	offsets []int32 // len = rows + 1, starting at 0
	data    []byte
	valid   []byte // a bit per row, least significant first
	nulls   int
}

func newTextColumn() *textColumn { return &textColumn{offsets: []int32{0}} }

func (c *textColumn) rows() int { return len(c.offsets) - 1 }

// append adds b, or a NULL when null.
func (c *textColumn) append(b []byte, null bool) {
	n := c.rows()
	if n%8 == 0 {
		c.valid = append(c.valid, 0)
	}
	if null {
		c.nulls++
	} else {
		c.valid[n/8] |= 1 << (n % 8)
		c.data = append(c.data, b...)
	}
	c.offsets = append(c.offsets, int32(len(c.data)))
}

// reserve makes room for rows more rows of about bytes bytes in all, so
// that a file's column is allocated about once.
func (c *textColumn) reserve(rows, bytes int) {
	if free := cap(c.offsets) - len(c.offsets); free < rows {
		c.offsets = append(make([]int32, 0, len(c.offsets)+rows), c.offsets...)
		c.valid = append(make([]byte, 0, (len(c.offsets)+rows)/8+1), c.valid...)
	}
	if free := cap(c.data) - len(c.data); free < bytes {
		c.data = append(make([]byte, 0, len(c.data)+bytes), c.data...)
	}
}

// array is the column as an Arrow string array; the column must not be
// appended to after. A column past Arrow's 2 GiB of text cannot be one.
func (c *textColumn) array() (arrow.Array, error) {
	if len(c.data) > math.MaxInt32 {
		return nil, fmt.Errorf("%d bytes of text in one column: more than an Arrow string column holds (2 GiB)", len(c.data))
	}
	var valid *memory.Buffer
	if c.nulls > 0 {
		valid = memory.NewBufferBytes(c.valid)
	}
	d := array.NewData(arrow.BinaryTypes.String, c.rows(),
		[]*memory.Buffer{valid, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(c.offsets)), memory.NewBufferBytes(c.data)},
		nil, c.nulls, 0)
	defer d.Release()
	return array.NewStringData(d), nil
}
