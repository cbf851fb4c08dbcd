package ingest

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/safercity/safercity/internal/regfile"
)

// DefaultMaxFileBytes bounds one police.uk file (or zip entry) as read. The
// largest real file, a month of the Metropolitan Police's street crimes,
// is about 30 MB; a file past the limit is refused, never read into memory.
const DefaultMaxFileBytes = 128 << 20

// ErrTooLarge marks a file refused for being over the size limit.
var ErrTooLarge = errors.New("file is over the size limit")

// ErrNotRegular marks a path that is not a regular file (a FIFO, device,
// socket, or a link to one): reading it could block or never end.
var ErrNotRegular = regfile.ErrNotRegular

// unit is one CSV to load: a file on disk or an entry of a zip archive.
type unit struct {
	path  string // shown to users and kept in lineage; archive.zip!entry for zip entries
	open  func() (io.ReadCloser, error)
	err   error // set when the unit is refused before it is read
	found bool  // found by walking a folder, not named by the user
	// zipped units carry the entry's declared CRC-32 and size, which
	// recognise an unchanged entry without reading it.
	zipped bool
	crc32  uint32
	size   int64 // bytes, when known before reading: a regular file's size or an entry's declared size
	// fallback is set on an earlier version of a partition that a later
	// unit of the same run also holds; it is tried only when the later
	// ones are not loaded.
	fallback bool
	// unchanged is set on a zip entry recognised as the stored partition.
	unchanged bool
}

// openRegular opens path for reading if it is a regular file (following
// links); see regfile.Open.
func openRegular(p string) (*os.File, int64, error) { return regfile.Open(p) }

// openFile is openRegular for callers that need only the reader.
func openFile(p string) (io.ReadCloser, error) {
	f, _, err := openRegular(p)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// guard reads at most limit bytes and stops as soon as ctx is cancelled,
// so that no source, however large or slow, outlives the command.
type guard struct {
	ctx    context.Context
	r      io.Reader
	limit  int64
	advice string // what to do about a file over the limit
	n      int64
}

func (g *guard) Read(b []byte) (int, error) {
	if err := g.ctx.Err(); err != nil {
		return 0, err
	}
	if g.n > g.limit {
		return 0, fmt.Errorf("%w: more than %d MiB (%s)", ErrTooLarge, g.limit>>20, g.advice)
	}
	if rest := g.limit + 1 - g.n; int64(len(b)) > rest {
		b = b[:rest]
	}
	n, err := g.r.Read(b)
	g.n += int64(n)
	return n, err
}

// collect expands the paths a user gave into units, in a stable order:
// folders are walked recursively for .csv and .zip files, and a zip is read
// in place, never unpacked to disk. The returned closer releases open
// archives.
func collect(paths []string, maxBytes int64) ([]unit, func(), error) {
	var units []unit
	var closers []io.Closer
	closeAll := func() {
		for _, c := range closers {
			c.Close()
		}
	}
	add := func(p string) {
		switch strings.ToLower(filepath.Ext(p)) {
		case ".zip":
			us, c := zipUnits(p, maxBytes)
			units = append(units, us...)
			if c != nil {
				closers = append(closers, c)
			}
		default:
			p := p
			u := unit{path: p, open: func() (io.ReadCloser, error) { return openFile(p) }}
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
				u.size = fi.Size()
			}
			units = append(units, u)
		}
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("%s: %w", p, err)
		}
		if !fi.IsDir() {
			add(p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			ext := strings.ToLower(filepath.Ext(q))
			if !d.IsDir() && (ext == ".csv" || ext == ".zip") {
				found = append(found, q)
			}
			return nil
		})
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("walk %s: %w", p, err)
		}
		sort.Strings(found)
		for _, q := range found {
			n := len(units)
			add(q)
			for i := n; i < len(units); i++ {
				units[i].found = true
			}
		}
	}
	return units, closeAll, nil
}

// zipUnits lists the entries of a police.uk archive. A zip whose directory
// cannot be read is scanned entry by entry (scanLocal), and is one refused
// unit only when nothing of it can be recovered.
func zipUnits(p string, maxBytes int64) ([]unit, io.Closer) {
	f, size, err := openRegular(p)
	if err != nil {
		return []unit{{path: p, err: err}}, nil
	}
	zr, err := zip.NewReader(f, size)
	if err != nil {
		if units := scanLocal(f, size, p, maxBytes); len(units) > 0 {
			return units, f
		}
		f.Close()
		return []unit{{path: p, err: fmt.Errorf("not a readable zip archive (truncated or corrupt?): %v", err)}}, nil
	}
	var units []unit
	for _, zf := range zr.File {
		if !strings.HasSuffix(zf.Name, "/") {
			units = append(units, entryUnit(p, zf.Name, int64(zf.UncompressedSize64), zf.CRC32, maxBytes, openEntry(zf)))
		}
	}
	if len(units) == 0 {
		units = append(units, unit{path: p, err: fmt.Errorf("zip archive holds no CSV files")})
	}
	return units, f
}

// openEntry opens a zip entry through inflateEntry rather than zip's own
// Open: klauspost's inflate is about twice as fast as the standard
// library's (inflating is a third of the work of loading an archive), and
// the entry's compression ratio so far estimates its length (checked.Size).
func openEntry(zf *zip.File) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) {
		raw, err := zf.OpenRaw()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrZipDamaged, err)
		}
		return inflateEntry(raw, int64(zf.CompressedSize64), zf.Method, int64(zf.UncompressedSize64), zf.CRC32)
	}
}

// entryUnit is the unit of one zip entry. An entry that is not a CSV (a zip
// within the zip, a stray document), declares more than maxBytes, or whose
// name could escape a folder (absolute, or with ..: a tool that later
// unpacks the same archive could be led to write outside its target) is
// refused with its name.
func entryUnit(p, name string, size int64, crc uint32, maxBytes int64, open func() (io.ReadCloser, error)) unit {
	u := unit{path: p + "!" + name}
	switch ext := strings.ToLower(path.Ext(name)); {
	case unsafeZipName(name):
		u.err = fmt.Errorf("zip entry %q has an absolute or parent-relative path; refusing it", name)
	case ext == ".zip":
		u.err = fmt.Errorf("zip entry %q is a zip within the zip; it is not opened: unpack it and load it on its own", name)
	case ext != ".csv":
		u.err = fmt.Errorf("zip entry %q is not a police.uk CSV file", name)
	case size > maxBytes || size < 0:
		u.err = fmt.Errorf("%w: zip entry %q declares %d MiB, more than the %d MiB limit (raise --max-file-mb if it is real)",
			ErrTooLarge, name, size>>20, maxBytes>>20)
	default:
		u.open, u.zipped, u.crc32, u.size = open, true, crc, size
	}
	return u
}

func unsafeZipName(name string) bool {
	n := strings.ReplaceAll(name, `\`, "/")
	if strings.HasPrefix(n, "/") || (len(n) > 1 && n[1] == ':') {
		return true
	}
	for _, part := range strings.Split(n, "/") {
		if part == ".." {
			return true
		}
	}
	return false
}

// budget bounds the bytes of files dispatched to the parsers but not yet
// taken by a writer. The writers take files in dispatch order, so one
// file is always let through when nothing is outstanding, however large.
type budget struct {
	mu    sync.Mutex
	cond  *sync.Cond
	limit int64
	used  int64
}

func newBudget(limit int64) *budget {
	b := &budget{limit: limit}
	b.cond = sync.NewCond(&b.mu)
	return b
}

// take waits until n bytes fit, or ctx ends (false).
func (b *budget) take(ctx context.Context, n int64) bool {
	stop := context.AfterFunc(ctx, func() {
		b.mu.Lock()
		b.cond.Broadcast()
		b.mu.Unlock()
	})
	defer stop()
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.used > 0 && b.used+n > b.limit && ctx.Err() == nil {
		b.cond.Wait()
	}
	if ctx.Err() != nil {
		return false
	}
	b.used += n
	return true
}

func (b *budget) give(n int64) {
	b.mu.Lock()
	b.used -= n
	b.cond.Broadcast()
	b.mu.Unlock()
}
