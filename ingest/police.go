// Package ingest brings source data into the store: data.police.uk bulk
// files (single CSVs, archive folders, or the archive zip read in place) and
// what the police.uk API hands over in the same layout, partner feeds under
// their contracts, and boundary layers. Every row is either loaded or set
// aside in quarantine with its reason, each published partition is replaced
// whole when it is loaded again, and every source file has a lineage record.
package ingest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/safercity/safercity/ingest/policeuk"
	"github.com/safercity/safercity/store"
)

// File statuses in a Summary.
const (
	StatusLoaded    = "loaded"    // a partition not stored before
	StatusReplaced  = "replaced"  // a new version of a stored partition replaced it
	StatusUnchanged = "unchanged" // the stored partition came from identical bytes; nothing written
	StatusRefused   = "refused"   // not a police.uk file, or unreadable; nothing of it stored
	// StatusSuperseded marks a file not loaded because a later file in the
	// same run holds the same partition (the last one given wins).
	StatusSuperseded = "superseded"
	// StatusKept marks a file not loaded because it is a poorer copy of
	// the stored partition (it lost most of its rows, or lacks the LSOA
	// columns the stored one has): the stored one is kept, and
	// --replace-poorer
	// replaces it anyway.
	StatusKept = "kept"
	// StatusSkipped marks a CSV found in a folder whose name is not a
	// police.uk file name; it is listed, not read.
	StatusSkipped = "skipped"
)

// FileResult is what happened to one source file.
type FileResult struct {
	Path        string `json:"path"`
	Kind        string `json:"kind"`
	Force       string `json:"force"`
	Month       string `json:"month"`
	Loaded      int64  `json:"loaded"`
	Quarantined int64  `json:"quarantined"`
	Replaced    int64  `json:"replaced"` // rows of the earlier version removed
	Status      string `json:"status"`
	Error       string `json:"error,omitempty"`
	Note        string `json:"note,omitempty"`
}

// Totals adds up a Summary's files.
type Totals struct {
	Files       int   `json:"files"`
	Loaded      int64 `json:"loaded"`
	Quarantined int64 `json:"quarantined"`
	Replaced    int64 `json:"replaced"`
	Unchanged   int   `json:"unchanged"`
	Refused     int   `json:"refused"`
	Superseded  int   `json:"superseded"`
	Skipped     int   `json:"skipped"`
	Kept        int   `json:"kept"`
}

// Summary reports a load, file by file.
type Summary struct {
	Files  []FileResult `json:"files"`
	Totals Totals       `json:"totals"`
}

// Changed lists the partitions this load wrote (loaded or replaced), for
// the stages downstream that recompute what depends on them.
func (s *Summary) Changed() []policeuk.Partition {
	var ps []policeuk.Partition
	for _, f := range s.Files {
		if f.Status == StatusLoaded || f.Status == StatusReplaced {
			if p, err := policeuk.ParsePartition(f.Path); err == nil {
				ps = append(ps, p)
			}
		}
	}
	return ps
}

// Options tune a load.
type Options struct {
	Workers int // files parsed at once; 0 means GOMAXPROCS
	// Writers is how many connections store parsed files at once, each in
	// its own transactions; 0 means GOMAXPROCS. DuckDB inserts one Arrow
	// stream on one thread, so one writer held a load to a core.
	Writers  int
	Progress *Progress    // nil for none
	Log      *slog.Logger // nil for slog.Default()
	Alloc    memory.Allocator
	// ReplacePoorer replaces a stored partition even with a poorer copy.
	ReplacePoorer bool
	// MaxFileBytes bounds one file; 0 means DefaultMaxFileBytes.
	MaxFileBytes int64
	// Now is the clock that decides which months cannot have been
	// published yet; nil means time.Now.
	Now func() time.Time
}

// batchRows is how many rows a writer inserts per statement: large enough
// that DuckDB writes in bulk, small enough to bound memory with a batch
// pending in each writer. Between 25,000 and 350,000 the load took the same
// time on a 12-month archive; at this size its peak memory was lowest.
const batchRows = 100_000

// commitRows is about how many rows are committed per transaction. Each
// commit leaves DuckDB a part-filled row group that it logs and rewrites, so
// few large transactions cost a third less than one per batch; inserting
// batch by batch inside them keeps memory bounded, since DuckDB writes full
// row groups of a transaction to the file as they fill.
const commitRows = 2_000_000

// GoMemoryLimit is the soft limit on the Go heap that `ingest police` sets
// unless GOMEMLIMIT says otherwise. The Go side holds at most a batch in
// progress per writer, the files parsed ahead (aheadBytes) and one file per
// worker (each under MaxFileBytes); without a limit the collector lets the
// heap grow to twice that before it runs, which with DuckDB's own memory
// took a 12-month archive's load past 1 GiB. Since each file's buffers are
// sized once (policeuk's presize), the heap in use stays lower: at 256 MiB a
// 36-month archive loaded in the same time as at 384 and the process's peak
// was 813 MiB instead of 906.
const GoMemoryLimit = 256 << 20

// DuckDBMemoryLimit is DuckDB's memory limit while `ingest police` runs.
// A load only appends: the blocks DuckDB has written are on disk and need
// not stay cached, and with its default limit the cache grew with the
// archive (1.7 GiB of RSS for 36 months), at no gain in speed.
const DuckDBMemoryLimit = "256MB"

// ForLoading sets up st for a bulk load that is the process's only work,
// as `ingest police` is: DuckDBMemoryLimit, and DuckDB on one thread
// (store.Alone). An insert scans one Arrow stream, which one thread does:
// with more, the calling thread spun in DuckDB's task scheduler waiting for
// the thread that had the work (a fifth of the load's CPU in perf on two
// cores: mutex lock and unlock), CPU that the parsers need. The cores are
// used by inserting on several connections at once instead
// (Options.Writers), each on its caller's thread.
func ForLoading(ctx context.Context, st *store.Store) error {
	return st.Alone(ctx, DuckDBMemoryLimit)
}

// aheadBytes bounds the bytes of files parsed (or being parsed) but not yet
// taken by a writer, so memory does not grow with the archive.
const aheadBytes = 64 << 20

// Police loads data.police.uk files from paths (CSV files, folders, zips).
// A refused file does not stop the others; the returned error is for
// failures of the store itself, after which the last batch is rolled back.
func Police(ctx context.Context, st *store.Store, paths []string, opt Options) (*Summary, error) {
	opt = opt.withDefaults()
	units, closeUnits, err := collect(paths, opt.MaxFileBytes)
	if err != nil {
		return nil, err
	}
	defer closeUnits()
	return loadUnits(ctx, st, units, opt)
}

// Source is a police.uk file that is not on disk, such as one assembled
// from the police.uk API. Path must end in the archive's file name
// (YYYY-MM-<force>-<kind>.csv); it is kept in lineage.
type Source struct {
	Path string
	Open func() (io.ReadCloser, error)
}

// PoliceSources loads police.uk files from sources, exactly as Police loads
// files from disk.
func PoliceSources(ctx context.Context, st *store.Store, sources []Source, opt Options) (*Summary, error) {
	units := make([]unit, len(sources))
	for i, s := range sources {
		units[i] = unit{path: s.Path, open: s.Open}
	}
	return loadUnits(ctx, st, units, opt.withDefaults())
}

func (opt Options) withDefaults() Options {
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	if opt.Writers <= 0 {
		opt.Writers = runtime.GOMAXPROCS(0)
	}
	if opt.Alloc == nil {
		opt.Alloc = memory.DefaultAllocator
	}
	if opt.MaxFileBytes <= 0 {
		opt.MaxFileBytes = DefaultMaxFileBytes
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return opt
}

func loadUnits(ctx context.Context, st *store.Store, units []unit, opt Options) (*Summary, error) {
	units = orderVersions(units)
	state, err := readState(ctx, st)
	if err != nil {
		return nil, err
	}
	for i, u := range units {
		units[i].unchanged = state.sameEntry(u)
	}
	opt.Progress.start(len(units))
	defer opt.Progress.stop()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	budget := newBudget(aheadBytes)
	results, wait := parseAhead(ctx, units, state.nextID, budget, opt)
	defer wait()
	q := &queue{units: units, results: results, budget: budget, maxBytes: opt.MaxFileBytes, done: make([]*FileResult, len(units))}
	// The first writer to fail gives the cause: it cancels the others,
	// which roll back what they have not committed.
	var (
		first error
		once  sync.Once
		wg    sync.WaitGroup
	)
	for range opt.Writers {
		wg.Go(func() {
			w := &writer{st: st, state: state, log: opt.Log, progress: opt.Progress, replacePoorer: opt.ReplacePoorer}
			if err := q.write(ctx, w); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		})
	}
	wg.Wait()
	q.drain()
	if first != nil {
		return q.summary(), fmt.Errorf("store: %w (what was loaded since the last commit was rolled back; earlier commits are kept, so running the same command again resumes)", first)
	}
	return q.summary(), nil
}

// parseAhead parses units with opt.Workers workers, at most the budget's
// bytes ahead of the writers, which take each unit's result from its channel
// in order (queue) and give its cost back. wait waits for the workers to end.
func parseAhead(ctx context.Context, units []unit, firstID int64, budget *budget, opt Options) (results []chan *parsed, wait func()) {
	results = make([]chan *parsed, len(units))
	for i := range results {
		results[i] = make(chan *parsed, 1)
	}
	jobs := make(chan int)
	now := opt.Now().In(policeuk.London)
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	for w := 0; w < opt.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i] <- parseUnit(ctx, units[i], firstID+int64(i), thisMonth, opt)
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := range units {
			if !budget.take(ctx, units[i].cost(opt.MaxFileBytes)) {
				return
			}
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	return results, wg.Wait
}

// add counts f in the summary.
func (s *Summary) add(f FileResult) {
	s.Files = append(s.Files, f)
	s.Totals.Files++
	s.Totals.Loaded += f.Loaded
	s.Totals.Quarantined += f.Quarantined
	s.Totals.Replaced += f.Replaced
	switch f.Status {
	case StatusUnchanged:
		s.Totals.Unchanged++
	case StatusRefused:
		s.Totals.Refused++
	case StatusSuperseded:
		s.Totals.Superseded++
	case StatusSkipped:
		s.Totals.Skipped++
	case StatusKept:
		s.Totals.Kept++
	}
}

// orderVersions puts the versions of a partition that one run holds
// together, the last given first, at the place of the last one: one writer
// takes them all (queue.take), loads the first that is good and marks the
// others superseded, so a later file that is refused or poorer never
// displaces a good earlier one.
func orderVersions(units []unit) []unit {
	versions := map[policeuk.Partition][]int{}
	parts := make([]policeuk.Partition, len(units))
	for i, u := range units {
		if p, err := policeuk.ParsePartition(u.path); err == nil && u.err == nil {
			parts[i] = p
			versions[p] = append(versions[p], i)
		}
	}
	out := make([]unit, 0, len(units))
	for i, u := range units {
		vs := versions[parts[i]]
		if len(vs) < 2 {
			out = append(out, u)
			continue
		}
		if vs[len(vs)-1] != i {
			continue // placed with the last version
		}
		for k := len(vs) - 1; k >= 0; k-- {
			v := units[vs[k]]
			v.fallback = k < len(vs)-1
			out = append(out, v)
		}
	}
	return out
}

// cost is what a unit may take of the ahead budget: its size, capped by
// the file limit past which it is refused.
func (u unit) cost(maxBytes int64) int64 {
	return min(max(u.size, 64<<10), maxBytes)
}

// parsed is a unit read into memory, or the reason it was refused.
type parsed struct {
	unit      unit
	id        int64
	part      policeuk.Partition
	file      *policeuk.File
	size      int64
	sha       string
	crc       uint32
	unchanged bool // recognised as the stored partition without reading it
	started   time.Time
	err       error
}

func (p *parsed) release() {
	if p.file != nil {
		p.file.Release()
		p.file = nil
	}
}

func parseUnit(ctx context.Context, u unit, id int64, thisMonth time.Time, opt Options) *parsed {
	p := &parsed{unit: u, id: id, started: time.Now().UTC()}
	if u.err != nil {
		p.err = u.err
		return p
	}
	part, err := policeuk.ParsePartition(u.path)
	p.part = part
	if err != nil && u.found {
		return p // listed in the summary, not read
	}
	if u.unchanged {
		p.unchanged = true
		return p
	}
	rc, openErr := u.open()
	if openErr != nil {
		p.err = openErr
		return p
	}
	defer rc.Close()
	// A zip entry's reader sums its CRC-32 as it reads, and the archive's
	// directory and the entry's own size name it (checked): that is its
	// fingerprint. A file from disk or the API is summed here, and its
	// SHA-256 taken too, which for an archive would cost a tenth of the
	// load.
	crc, summed := rc.(interface{ CRC32() uint32 })
	var (
		sha hash.Hash
		src io.Reader = &guard{ctx: ctx, r: rc, limit: opt.MaxFileBytes,
			advice: "police.uk files are far smaller; raise --max-file-mb if this one is real"}
	)
	if !summed {
		h := crc32.NewIEEE()
		sha = sha256.New()
		crc, src = crcSum{h}, io.TeeReader(src, io.MultiWriter(sha, h))
	}
	cr := &countingReader{r: src}
	if s, ok := rc.(interface{ Size() int64 }); ok {
		cr.size = s.Size // a zip entry's estimate (checked.Size)
	} else {
		cr.size = func() int64 { return u.size } // a regular file's real size (every zip entry has its checked estimate)
	}
	hold := ""
	if part.Month.After(thisMonth) {
		hold = fmt.Sprintf("month %s is after the current month %s: it cannot have been published yet (a mistyped name or a wrong clock?)",
			part.Month.Format("2006-01"), thisMonth.Format("2006-01"))
	}
	if err != nil {
		p.err = err
	} else {
		p.file, p.err = policeuk.ReadHolding(cr, part, id, opt.Alloc, hold)
	}
	// Read the whole file even when it was refused, so lineage identifies it.
	if _, err := io.Copy(io.Discard, cr); err != nil && p.err == nil {
		p.err = err
	}
	if p.err != nil {
		p.release()
		p.err = explainRead(p.err, u.zipped)
	}
	p.size, p.crc = cr.n, crc.CRC32()
	if sha != nil {
		p.sha = hex.EncodeToString(sha.Sum(nil))
	}
	return p
}

// explainRead says what a failed read of a zip entry means: the archive
// (truncated, or failing its CRC) is damaged, not the file's content.
func explainRead(err error, zipped bool) error {
	if !zipped || errors.Is(err, policeuk.ErrNotPoliceFile) || errors.Is(err, ErrTooLarge) || errors.Is(err, ErrZipDamaged) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("the zip entry is damaged (truncated, or its data disagrees with the archive's directory); download the archive again: %w", err)
}

// crcSum gives a CRC-32 hash the method of checked's running sum.
type crcSum struct{ hash.Hash32 }

func (c crcSum) CRC32() uint32 { return c.Sum32() }

type countingReader struct {
	r    io.Reader
	n    int64
	size func() int64 // the file's expected length, for policeuk.Read to size its batch; nil when unknown
}

func (c *countingReader) Size() int64 {
	if c.size == nil {
		return 0
	}
	return c.size()
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

// state is what the store already holds, read once before loading. The
// writers share it: mu guards the maps.
type state struct {
	mu      sync.Mutex
	nextID  int64
	current map[policeuk.Partition]stored
	refused map[[2]string]bool // path and bytesID of files already recorded as refused
}

type stored struct {
	id   int64
	sha  string
	crc  int64 // -1 when not recorded
	size int64
	rows int64
	lsoa bool
}

func readState(ctx context.Context, st *store.Store) (*state, error) {
	s := &state{current: map[policeuk.Partition]stored{}, refused: map[[2]string]bool{}}
	if err := st.DB.QueryRowContext(ctx, `SELECT coalesce(max(source_id), 0) + 1 FROM sources`).Scan(&s.nextID); err != nil {
		return nil, err
	}
	rows, err := st.DB.QueryContext(ctx, `SELECT source_id, path, sha256, kind, force, month, status,
			coalesce(crc32, -1), coalesce(size, -1), rows_loaded, coalesce(lsoa_columns, false) FROM sources
		WHERE superseded_by IS NULL AND kind IN ('street', 'outcomes', 'stop-and-search') OR status = 'refused'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id               int64
			path, status     string
			sha, kind, force sql.NullString
			month            sql.NullTime
			cur              stored
		)
		if err := rows.Scan(&id, &path, &sha, &kind, &force, &month, &status, &cur.crc, &cur.size, &cur.rows, &cur.lsoa); err != nil {
			return nil, err
		}
		if status == StatusRefused {
			s.refused[[2]string{path, bytesID(sha.String, cur.crc, cur.size)}] = true
			continue
		}
		p := policeuk.Partition{Kind: policeuk.Kind(kind.String), Force: force.String, Month: month.Time.UTC()}
		cur.id, cur.sha = id, sha.String
		s.current[p] = cur
	}
	return s, rows.Err()
}

// bytesID names a file's bytes: its SHA-256 where one was taken, else
// (a zip entry's) its CRC-32 and size.
func bytesID(sha string, crc, size int64) string {
	if sha != "" {
		return "sha256 " + sha
	}
	return fmt.Sprintf("crc32 %08x, %d bytes", crc, size)
}

// sameBytes reports whether a file holds the stored partition's bytes: by
// SHA-256 when both have one, else by CRC-32 and size.
func (old stored) sameBytes(sha string, crc uint32, size int64) bool {
	if old.sha != "" && sha != "" {
		return old.sha == sha
	}
	return old.crc == int64(crc) && old.size == size
}

// sameEntry reports whether u is a zip entry whose CRC-32 and size are those
// of the stored partition it names, so it need not be read at all.
func (s *state) sameEntry(u unit) bool {
	if !u.zipped || u.err != nil {
		return false
	}
	p, err := policeuk.ParsePartition(u.path)
	if err != nil {
		return false
	}
	old, ok := s.current[p]
	return ok && old.sameBytes("", u.crc32, u.size)
}
