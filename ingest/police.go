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
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
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
}

// Summary reports a load, file by file.
type Summary struct {
	Files  []FileResult `json:"files"`
	Totals Totals       `json:"totals"`
}

// Options tune a load.
type Options struct {
	Workers  int          // files parsed at once; 0 means GOMAXPROCS
	Progress *Progress    // nil for none
	Log      *slog.Logger // nil for slog.Default()
	Alloc    memory.Allocator
}

// batchRows is how many rows are committed per transaction: large enough
// that DuckDB writes in bulk, small enough to bound memory.
const batchRows = 350_000

// aheadFiles bounds how many parsed files wait for the writer.
const aheadFiles = 256

// Police loads data.police.uk files from paths (CSV files, folders, zips).
// A refused file does not stop the others; the returned error is for
// failures of the store itself, after which the last batch is rolled back.
func Police(ctx context.Context, st *store.Store, paths []string, opt Options) (*Summary, error) {
	units, closeUnits, err := collect(paths)
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
	return loadUnits(ctx, st, units, opt)
}

func loadUnits(ctx context.Context, st *store.Store, units []unit, opt Options) (*Summary, error) {
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	if opt.Alloc == nil {
		opt.Alloc = memory.DefaultAllocator
	}
	markSuperseded(units)
	state, err := readState(ctx, st)
	if err != nil {
		return nil, err
	}
	opt.Progress.start(len(units))
	defer opt.Progress.stop()

	results := make([]chan *parsed, len(units))
	for i := range results {
		results[i] = make(chan *parsed, 1)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int)
	ahead := make(chan struct{}, aheadFiles)
	var wg sync.WaitGroup
	for w := 0; w < opt.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i] <- parseUnit(units[i], state.nextID+int64(i), opt.Alloc)
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := range units {
			select {
			case ahead <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	defer wg.Wait()

	w := &writer{st: st, state: state, log: opt.Log, progress: opt.Progress}
	sum := &Summary{}
	next := 0
	for next < len(units) {
		err := st.Tx(ctx, func(tx *store.Tx) error {
			w.tx = tx
			for next < len(units) && w.pending < batchRows {
				var p *parsed
				select {
				case p = <-results[next]:
				case <-ctx.Done():
					return ctx.Err()
				}
				<-ahead
				next++
				r, err := w.add(p)
				if err != nil {
					return fmt.Errorf("%s: %w", p.unit.path, err)
				}
				sum.Files = append(sum.Files, r)
			}
			return w.flush()
		})
		w.release()
		if err != nil {
			cancel()
			for _, ch := range results[next:] {
				select {
				case p := <-ch:
					p.release()
				default:
				}
			}
			return sum, fmt.Errorf("store: %w (the batch in progress was rolled back; earlier batches are kept, so running the same command again resumes)", err)
		}
		w.commit()
	}
	for _, f := range sum.Files {
		sum.Totals.Files++
		sum.Totals.Loaded += f.Loaded
		sum.Totals.Quarantined += f.Quarantined
		sum.Totals.Replaced += f.Replaced
		switch f.Status {
		case StatusUnchanged:
			sum.Totals.Unchanged++
		case StatusRefused:
			sum.Totals.Refused++
		case StatusSuperseded:
			sum.Totals.Superseded++
		case StatusSkipped:
			sum.Totals.Skipped++
		}
	}
	return sum, nil
}

// markSuperseded marks every unit whose partition a later unit of the same
// run also holds, so that one run stores each partition once: the last one
// given wins, and running the same command again finds it unchanged.
func markSuperseded(units []unit) {
	last := map[policeuk.Partition]int{}
	for i, u := range units {
		if p, err := policeuk.ParsePartition(u.path); err == nil && u.err == nil {
			if j, ok := last[p]; ok {
				units[j].supersededBy = u.path
			}
			last[p] = i
		}
	}
}

// parsed is a unit read into memory, or the reason it was refused.
type parsed struct {
	unit    unit
	id      int64
	part    policeuk.Partition
	file    *policeuk.File
	size    int64
	sha     string
	started time.Time
	err     error
}

func (p *parsed) release() {
	if p.file != nil {
		p.file.Release()
		p.file = nil
	}
}

func parseUnit(u unit, id int64, alloc memory.Allocator) *parsed {
	p := &parsed{unit: u, id: id, started: time.Now().UTC()}
	if u.err != nil {
		p.err = u.err
		return p
	}
	part, err := policeuk.ParsePartition(u.path)
	p.part = part
	if u.supersededBy != "" || (err != nil && u.found) {
		return p // listed in the summary, not read
	}
	rc, openErr := u.open()
	if openErr != nil {
		p.err = openErr
		return p
	}
	defer rc.Close()
	h := sha256.New()
	cr := &countingReader{r: io.TeeReader(rc, h), size: u.size}
	if err != nil {
		p.err = err
	} else {
		p.file, p.err = policeuk.Read(cr, part, id, alloc)
	}
	// Hash the whole file even when it was refused, so lineage identifies it.
	if _, err := io.Copy(io.Discard, cr); err != nil && p.err == nil {
		p.err = err
	}
	if p.err != nil {
		p.release()
	}
	p.size, p.sha = cr.n, hex.EncodeToString(h.Sum(nil))
	return p
}

type countingReader struct {
	r    io.Reader
	n    int64
	size int64 // the file's length when known, for policeuk.Read to size its batch
}

func (c *countingReader) Size() int64 { return c.size }

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

// state is what the store already holds, read once before loading.
type state struct {
	nextID  int64
	current map[policeuk.Partition]stored
	refused map[[2]string]bool // path, sha256 of files already recorded as refused
}

type stored struct {
	id  int64
	sha string
}

func readState(ctx context.Context, st *store.Store) (*state, error) {
	s := &state{current: map[policeuk.Partition]stored{}, refused: map[[2]string]bool{}}
	if err := st.DB.QueryRowContext(ctx, `SELECT coalesce(max(source_id), 0) + 1 FROM sources`).Scan(&s.nextID); err != nil {
		return nil, err
	}
	rows, err := st.DB.QueryContext(ctx, `SELECT source_id, path, sha256, kind, force, month, status FROM sources
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
		)
		if err := rows.Scan(&id, &path, &sha, &kind, &force, &month, &status); err != nil {
			return nil, err
		}
		if status == StatusRefused {
			s.refused[[2]string{path, sha.String}] = true
			continue
		}
		p := policeuk.Partition{Kind: policeuk.Kind(kind.String), Force: force.String, Month: month.Time.UTC()}
		s.current[p] = stored{id, sha.String}
	}
	return s, rows.Err()
}

// writer stores parsed files in order, one transaction per batch.
type writer struct {
	st       *store.Store
	tx       *store.Tx
	state    *state
	log      *slog.Logger
	progress *Progress

	pending  int64
	records  map[policeuk.Kind][]arrow.Record
	inBatch  map[int64]bool // source ids whose rows are pending
	lin      *lineage
	staged   map[policeuk.Partition]stored // state changes to apply on commit
	deferred []*parsed
}

var tables = map[policeuk.Kind]string{
	policeuk.Street:        "police_street",
	policeuk.Outcomes:      "police_outcomes",
	policeuk.StopAndSearch: "police_stop_search",
}

func (w *writer) add(p *parsed) (FileResult, error) {
	if w.records == nil {
		w.records = map[policeuk.Kind][]arrow.Record{}
		w.inBatch = map[int64]bool{}
		w.staged = map[policeuk.Partition]stored{}
	}
	w.deferred = append(w.deferred, p)
	r := FileResult{Path: p.unit.path, Kind: string(p.part.Kind), Force: p.part.Force}
	if !p.part.Month.IsZero() {
		r.Month = p.part.Month.Format("2006-01")
	}
	defer func() { w.progress.file(r.Loaded + r.Quarantined) }()
	if p.unit.supersededBy != "" {
		r.Status, r.Note = StatusSuperseded, "not loaded: a later file in this run holds the same partition: "+p.unit.supersededBy
		return r, nil
	}
	if p.file == nil && p.err == nil {
		r.Status, r.Note = StatusSkipped, "not read: the name is not a police.uk file name (YYYY-MM-<force>-<kind>.csv)"
		return r, nil
	}
	if p.err != nil {
		r.Status, r.Error = StatusRefused, p.err.Error()
		w.log.Debug("refused", "file", p.unit.path, "error", p.err)
		key := [2]string{p.unit.path, p.sha}
		if w.state.refused[key] {
			return r, nil
		}
		w.state.refused[key] = true
		w.source(p, r)
		return r, nil
	}
	r.Loaded, r.Quarantined = p.file.Record.NumRows(), int64(len(p.file.Rejected))
	old, had := w.current(p.part)
	if had && old.sha == p.sha {
		r.Status, r.Loaded, r.Quarantined = StatusUnchanged, 0, 0
		return r, nil
	}
	r.Status = StatusLoaded
	if had {
		r.Status = StatusReplaced
		if w.inBatch[old.id] {
			if err := w.flush(); err != nil {
				return r, err
			}
		}
		n, err := w.tx.Exec(fmt.Sprintf(`DELETE FROM %s WHERE source_id = ?`, tables[p.part.Kind]), old.id)
		if err != nil {
			return r, err
		}
		r.Replaced = n
		if _, err := w.tx.Exec(`DELETE FROM quarantine WHERE source_id = ?`, old.id); err != nil {
			return r, err
		}
		if _, err := w.tx.Exec(`UPDATE sources SET superseded_by = ? WHERE source_id = ?`, p.id, old.id); err != nil {
			return r, err
		}
	}
	w.source(p, r)
	p.file.Record.Retain()
	w.records[p.part.Kind] = append(w.records[p.part.Kind], p.file.Record)
	w.inBatch[p.id] = true
	w.staged[p.part] = stored{p.id, p.sha}
	w.pending += r.Loaded
	for _, q := range p.file.Rejected {
		w.lineage().quarantine(p.id, p.unit.path, q.Line, q.Raw, q.Reason)
	}
	return r, nil
}

// source stages the file's lineage row.
func (w *writer) source(p *parsed, r FileResult) {
	status := "loaded" // the lineage status; replaced and loaded files are both loaded
	if r.Status == StatusRefused {
		status = StatusRefused
	}
	w.lineage().source(sourceRow{id: p.id, path: p.unit.path, size: p.size, sha256: p.sha, kind: r.Kind, force: r.Force,
		month: p.part.Month, loaded: r.Loaded, quarantined: r.Quarantined, started: p.started, status: status, err: r.Error})
}

func (w *writer) lineage() *lineage {
	if w.lin == nil {
		w.lin = newLineage()
	}
	return w.lin
}

// current is the stored partition as this transaction sees it.
func (w *writer) current(p policeuk.Partition) (stored, bool) {
	if s, ok := w.staged[p]; ok {
		return s, true
	}
	s, ok := w.state.current[p]
	return s, ok
}

// flush inserts the pending batches into their tables.
func (w *writer) flush() error {
	for _, kind := range policeuk.Kinds {
		recs := w.records[kind]
		if len(recs) == 0 {
			continue
		}
		if _, err := w.tx.AppendArrow(tables[kind], policeuk.Schema(kind), recs); err != nil {
			return err
		}
		for _, r := range recs {
			r.Release()
		}
		delete(w.records, kind)
	}
	if w.lin != nil {
		if err := w.lin.flush(w.tx); err != nil {
			return err
		}
		w.lin.release()
		w.lin = nil
	}
	clear(w.inBatch)
	return nil
}

// commit makes the batch's partitions the current ones, once stored.
func (w *writer) commit() {
	for p, s := range w.staged {
		w.state.current[p] = s
	}
	clear(w.staged)
	w.pending = 0
}

// release frees the batch's parsed files, committed or not.
func (w *writer) release() {
	for _, recs := range w.records {
		for _, r := range recs {
			r.Release()
		}
	}
	clear(w.records)
	for _, p := range w.deferred {
		p.release()
	}
	w.deferred = w.deferred[:0]
	if w.lin != nil {
		w.lin.release()
		w.lin = nil
	}
}
