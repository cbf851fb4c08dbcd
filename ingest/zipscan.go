package ingest

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"

	kflate "github.com/klauspost/compress/flate"

	"github.com/safercity/safercity/internal/inflate"
)

// ErrZipDamaged marks a zip entry whose data is cut short or fails its
// CRC-32.
var ErrZipDamaged = errors.New("zip entry is damaged")

const (
	localHeaderSig = 0x04034b50
	descriptorSig  = 0x08074b50
	localHeaderLen = 30
)

// scanLocal recovers the entries of a zip whose central directory, at its
// end, is missing: a download cut short. It walks the local headers that
// start each entry; every whole entry is listed as usual, and the entry the
// file ends in is refused with its name. Entries whose sizes follow their
// data (a data descriptor) are inflated once here to find where they end.
func scanLocal(f *os.File, size int64, p string, maxBytes int64) []unit {
	var units []unit
	for off := int64(0); off+localHeaderLen <= size; {
		var h [localHeaderLen]byte
		if _, err := f.ReadAt(h[:], off); err != nil || binary.LittleEndian.Uint32(h[:]) != localHeaderSig {
			break // the central directory, or garbage: nothing more to recover
		}
		flags, method := binary.LittleEndian.Uint16(h[6:]), binary.LittleEndian.Uint16(h[8:])
		crc := binary.LittleEndian.Uint32(h[14:])
		csize, usize := int64(binary.LittleEndian.Uint32(h[18:])), int64(binary.LittleEndian.Uint32(h[22:]))
		nameLen, extraLen := int64(binary.LittleEndian.Uint16(h[26:])), int64(binary.LittleEndian.Uint16(h[28:]))
		name := make([]byte, nameLen)
		if _, err := f.ReadAt(name, off+localHeaderLen); err != nil {
			break
		}
		start := off + localHeaderLen + nameLen + extraLen
		u := unit{path: p + "!" + string(name)}
		if flags&8 != 0 {
			var err error
			if csize, crc, usize, err = descriptor(f, start, size, method); err != nil {
				u.err = fmt.Errorf("%w (%v): the archive ends inside it; download the archive again", ErrZipDamaged, err)
				return append(units, u)
			}
		}
		end := start + csize
		if flags&8 != 0 {
			end += descriptorLen(f, end)
		}
		switch {
		case csize == 0xffffffff || usize == 0xffffffff:
			u.err = fmt.Errorf("%w: a zip64 entry in an archive without its directory cannot be recovered; download the archive again", ErrZipDamaged)
			return append(units, u)
		case start+csize > size:
			u.err = fmt.Errorf("%w: the archive ends inside it (truncated download?); download the archive again", ErrZipDamaged)
			return append(units, u)
		}
		if len(name) > 0 && name[len(name)-1] != '/' {
			entry := zipEntry{f: f, start: start, csize: csize, usize: usize, crc: crc, method: method}
			units = append(units, entryUnit(p, string(name), usize, crc, maxBytes, entry.open))
		}
		off = end
	}
	return units
}

// descriptor inflates the entry at start to find where its data ends and
// reads the data descriptor after it.
func descriptor(f *os.File, start, size int64, method uint16) (csize int64, crc uint32, usize int64, err error) {
	if method != 8 {
		return 0, 0, 0, errors.New("an entry stored without its size")
	}
	cr := &byteCounter{r: io.NewSectionReader(f, start, size-start)}
	if _, err := io.Copy(io.Discard, kflate.NewReader(cr)); err != nil {
		return 0, 0, 0, err
	}
	end := start + cr.n
	var d [16]byte
	if _, err := f.ReadAt(d[:], end); err != nil {
		return 0, 0, 0, err
	}
	b := d[:]
	if binary.LittleEndian.Uint32(b) == descriptorSig {
		b = b[4:]
	}
	return cr.n, binary.LittleEndian.Uint32(b), int64(binary.LittleEndian.Uint32(b[8:])), nil
}

// descriptorLen is the length of the data descriptor at off.
func descriptorLen(f *os.File, off int64) int64 {
	var s [4]byte
	if _, err := f.ReadAt(s[:], off); err == nil && binary.LittleEndian.Uint32(s[:]) == descriptorSig {
		return 16
	}
	return 12
}

// byteCounter is a ByteReader, so that inflate reads no further than the
// compressed stream, and counts what it read.
type byteCounter struct {
	r   io.Reader
	buf [1]byte
	n   int64
}

func (c *byteCounter) ReadByte() (byte, error) {
	if _, err := io.ReadFull(c.r, c.buf[:]); err != nil {
		return 0, err
	}
	c.n++
	return c.buf[0], nil
}

func (c *byteCounter) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	x, err := c.ReadByte()
	if err != nil {
		return 0, err
	}
	b[0] = x
	return 1, nil
}

// zipEntry is an entry found by scanLocal.
type zipEntry struct {
	f            *os.File
	start        int64
	csize, usize int64
	crc          uint32
	method       uint16
}

func (e zipEntry) open() (io.ReadCloser, error) {
	return inflateEntry(io.NewSectionReader(e.f, e.start, e.csize), e.csize, e.method, e.usize, e.crc)
}

// inflateEntry reads an entry's data, raw, which is csize bytes compressed
// with method, and checks it against the usize and crc its header declares.
func inflateEntry(raw io.Reader, csize int64, method uint16, usize int64, crc uint32) (io.ReadCloser, error) {
	c := &checked{crc: crc32.NewIEEE(), want: crc, size: usize, csize: csize, raw: &countingReader{r: raw}}
	switch method {
	case 0:
		c.rc = io.NopCloser(c.raw)
	case 8:
		if inflate.Available && wholeInflate(csize, usize) {
			c.rc, c.whole = inflateWhole(c.raw, csize, usize), true
			break
		}
		// A bufio.Reader keeps inflate on its fast path and says how much
		// of what it read is not consumed yet.
		c.buffered = bufio.NewReaderSize(c.raw, 32<<10)
		c.rc = kflate.NewReader(c.buffered)
	default:
		return nil, fmt.Errorf("zip compression method %d is not supported (only stored and deflated entries are read): re-zip the archive with deflate", method)
	}
	return c, nil
}

// maxWhole and maxWholeRatio bound the entries inflated whole in memory:
// the buffer is the size the entry declares, which is trusted only as far
// as a real police.uk file's (the largest force's month is some 25 MB, and
// CSV deflates less than tenfold); any other entry is streamed, so a
// header's claim never sizes more than that.
const (
	maxWhole      = 64 << 20
	maxWholeRatio = 32
)

func wholeInflate(csize, usize int64) bool {
	// Both sizes come from the archive's directory, which archive/zip does
	// not check against the file: the compressed one is bounded too, by the
	// most deflate can grow a police.uk file's worth of data.
	return csize > 0 && usize > 0 && usize <= maxWhole && usize <= csize*maxWholeRatio && csize <= usize+usize/1000+64
}

// inflateWhole reads an entry's csize compressed bytes and inflates them at
// once into the usize bytes it declares: a reader of the file, or of the
// reason it is damaged (checked adds the CRC-32 at the end).
func inflateWhole(raw io.Reader, csize, usize int64) io.ReadCloser {
	in := make([]byte, csize)
	if _, err := io.ReadFull(raw, in); err != nil {
		return damaged{err}
	}
	out := make([]byte, usize)
	if err := inflate.Decompress(in, out); err != nil {
		return damaged{err}
	}
	return io.NopCloser(bytes.NewReader(out))
}

// damaged reads as the reason an entry cannot be inflated.
type damaged struct{ err error }

func (d damaged) Read([]byte) (int, error) {
	return 0, fmt.Errorf("%w: %v; download the archive again", ErrZipDamaged, d.err)
}

func (damaged) Close() error { return nil }

// checked verifies an entry's size and CRC-32 at its end.
type checked struct {
	rc       io.ReadCloser
	crc      hash.Hash32
	want     uint32
	size     int64
	n        int64
	csize    int64
	raw      *countingReader
	buffered *bufio.Reader // between raw and inflate; nil when stored or whole
	whole    bool          // inflated at once, to exactly size bytes
}

func (c *checked) Read(b []byte) (int, error) {
	n, err := c.rc.Read(b)
	c.crc.Write(b[:n])
	c.n += int64(n)
	if c.n > c.size {
		return n, fmt.Errorf("%w: more data than its header declares; download the archive again", ErrZipDamaged)
	}
	if err == io.EOF && (c.n != c.size || c.crc.Sum32() != c.want) {
		return n, fmt.Errorf("%w: its size or CRC-32 disagrees with its header (truncated or corrupt); download the archive again", ErrZipDamaged)
	}
	return n, err
}

// CRC32 is the CRC-32 of what was read so far, which parseUnit keeps in
// lineage without summing it again.
func (c *checked) CRC32() uint32 { return c.crc.Sum32() }

// Size is the entry's expected length, for sizing buffers: its compressed
// size at the ratio inflated so far, never more than its header declares.
// The declared size alone could claim any size for a small entry.
func (c *checked) Size() int64 {
	if c.whole {
		return c.size
	}
	in := c.raw.n
	if c.buffered != nil {
		in -= int64(c.buffered.Buffered())
	}
	if in <= 0 {
		return 0
	}
	return min(int64(float64(c.csize)*float64(c.n)/float64(in)), c.size)
}

func (c *checked) Close() error { return c.rc.Close() }
