// Package regfile owns how SaferCity opens the files users and
// configuration name: only regular files, and never more than a limit.
// open(2) on a FIFO blocks until a writer appears and ignores SIGTERM, and
// a link to /dev/zero or /dev/urandom never ends, so a path that is not a
// regular file is refused with a reason before it is read.
package regfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// ErrNotRegular marks a path that is not a regular file (a FIFO, device,
// socket, folder, or a link to one).
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge marks a file longer than the caller's limit.
var ErrTooLarge = errors.New("file is over the size limit")

// Open opens p for reading if it is a regular file (following links) and
// returns its size. It refuses anything else before open(2), which blocks
// on a FIFO; the file is opened non-blocking and checked again, so that a
// file swapped for a FIFO in between cannot hang the caller either.
func Open(p string) (*os.File, int64, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, 0, err
	}
	if err := Check(fi); err != nil {
		return nil, 0, err
	}
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, 0, err
	}
	if fi, err = f.Stat(); err == nil {
		err = Check(fi)
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, fi.Size(), nil
}

// Check says why fi is not a regular file, or returns nil when it is.
func Check(fi fs.FileInfo) error {
	if fi.Mode().IsRegular() {
		return nil
	}
	what := "a special file"
	switch t := fi.Mode().Type(); {
	case t&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case t&fs.ModeCharDevice != 0, t&fs.ModeDevice != 0:
		what = "a device"
	case t&fs.ModeSocket != 0:
		what = "a socket"
	case t&fs.ModeDir != 0:
		what = "a folder"
	}
	return fmt.Errorf("%w: it is %s, which could block or never end; copy the data into a regular file", ErrNotRegular, what)
}

// ReadFile is os.ReadFile for a regular file of at most max bytes. The
// limit is checked while reading too, since a file may grow after it is
// opened.
func ReadFile(p string, max int64) ([]byte, error) {
	f, size, err := Open(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	defer f.Close()
	if size > max {
		return nil, fmt.Errorf("%s: %w: %d bytes, more than %d", p, ErrTooLarge, size, max)
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s: %w: more than %d bytes", p, ErrTooLarge, max)
	}
	return b, nil
}
