package ingest

import (
	"archive/zip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// unit is one CSV to load: a file on disk or an entry of a zip archive.
type unit struct {
	path  string // shown to users and kept in lineage; archive.zip!entry for zip entries
	open  func() (io.ReadCloser, error)
	err   error // set when the unit is refused before it is read
	found bool  // found by walking a folder, not named by the user
	// supersededBy names a later unit of the same run with the same
	// partition; this one is not loaded.
	supersededBy string
	size         int64 // bytes, when known before reading
}

// collect expands the paths a user gave into units, in a stable order:
// folders are walked recursively for .csv and .zip files, and a zip is read
// in place, never unpacked to disk. The returned closer releases open
// archives.
func collect(paths []string) ([]unit, func(), error) {
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
			us, c := zipUnits(p)
			units = append(units, us...)
			if c != nil {
				closers = append(closers, c)
			}
		default:
			p := p
			u := unit{path: p, open: func() (io.ReadCloser, error) { return os.Open(p) }}
			if fi, err := os.Stat(p); err == nil {
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

// zipUnits lists the CSV entries of a police.uk archive. A zip that cannot be
// opened is one refused unit; an entry whose name could escape a folder
// (absolute, or with ..) is refused, since a tool that later unpacks the same
// archive could be led to write outside its target.
func zipUnits(p string) ([]unit, io.Closer) {
	zr, err := zip.OpenReader(p)
	if err != nil {
		return []unit{{path: p, err: fmt.Errorf("not a readable zip archive (truncated or corrupt?): %v", err)}}, nil
	}
	var units []unit
	for _, f := range zr.File {
		name := f.Name
		if strings.HasSuffix(name, "/") {
			continue
		}
		u := unit{path: p + "!" + name}
		if unsafeZipName(name) {
			u.err = fmt.Errorf("zip entry %q has an absolute or parent-relative path; refusing it", name)
			units = append(units, u)
			continue
		}
		if strings.ToLower(path.Ext(name)) != ".csv" {
			continue
		}
		f := f
		u.open = func() (io.ReadCloser, error) { return f.Open() }
		u.size = int64(f.UncompressedSize64)
		units = append(units, u)
	}
	if len(units) == 0 {
		units = append(units, unit{path: p, err: fmt.Errorf("zip archive holds no CSV files")})
	}
	return units, zr
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
