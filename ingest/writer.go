package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/safercity/safercity/ingest/policeuk"
	"github.com/safercity/safercity/store"
)

// queue hands the parsed units to the writers in the order they were
// given, the versions of a partition together, so that one writer decides
// each partition, in one of its transactions.
type queue struct {
	mu       sync.Mutex
	next     int
	units    []unit
	results  []chan *parsed
	budget   *budget
	maxBytes int64
	done     []*FileResult // by unit, once written
}

// take waits for the next unit and the other versions of its partition
// that follow it to be parsed, and returns their places and what was
// parsed; no places when none is left.
func (q *queue) take(ctx context.Context) ([]int, []*parsed, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var (
		at []int
		ps []*parsed
	)
	for q.next < len(q.units) && (len(at) == 0 || q.units[q.next].fallback) {
		select {
		case p := <-q.results[q.next]:
			q.budget.give(q.units[q.next].cost(q.maxBytes))
			at, ps = append(at, q.next), append(ps, p)
			q.next++
		case <-ctx.Done():
			for _, p := range ps {
				p.release()
			}
			return nil, nil, ctx.Err()
		}
	}
	return at, ps, nil
}

// drain frees what was parsed but not taken, once the writers have ended.
func (q *queue) drain() {
	for _, ch := range q.results[q.next:] {
		select {
		case p := <-ch:
			p.release()
		default:
		}
	}
}

// summary reports the units written, in the order given.
func (q *queue) summary() *Summary {
	sum := &Summary{}
	for _, r := range q.done {
		if r != nil {
			sum.add(*r)
		}
	}
	return sum
}

// write stores units from q with w until none is left, committing about
// every commitRows rows.
func (q *queue) write(ctx context.Context, w *writer) error {
	for more := true; more; {
		err := w.st.Tx(ctx, func(tx *store.Tx) error {
			w.tx = tx
			for txRows := int64(0); txRows < commitRows; {
				at, ps, err := q.take(ctx)
				if err != nil {
					return err
				}
				if len(at) == 0 {
					more = false
					break
				}
				if err := q.add(w, at, ps); err != nil {
					return err
				}
				if w.pending >= batchRows {
					txRows += w.pending
					if err := w.flush(); err != nil {
						return err
					}
				}
			}
			return w.flush()
		})
		w.release()
		if err != nil {
			return err
		}
		w.commit()
	}
	return nil
}

// add hands the versions of a partition to w, recording each one's result.
func (q *queue) add(w *writer, at []int, ps []*parsed) error {
	by := "" // the version that decided the partition; the rest are superseded
	for k, p := range ps {
		r, err := w.add(p, by)
		if err != nil {
			for _, rest := range ps[k+1:] {
				rest.release()
			}
			return fmt.Errorf("%s: %w", p.unit.path, err)
		}
		q.done[at[k]] = &r
		if r.Status == StatusUnchanged || r.Status == StatusLoaded || r.Status == StatusReplaced {
			by = p.unit.path
		}
	}
	return nil
}

// writer stores parsed files on one connection, in transactions of about
// commitRows rows, inserting them about batchRows at a time.
type writer struct {
	st            *store.Store
	tx            *store.Tx
	state         *state
	log           *slog.Logger
	progress      *Progress
	replacePoorer bool

	pending  int64
	records  map[policeuk.Kind][]arrow.RecordBatch
	lin      *lineage
	staged   map[policeuk.Partition]stored // state changes to apply on commit
	deferred []*parsed
}

var tables = map[policeuk.Kind]string{
	policeuk.Street:        "police_street",
	policeuk.Outcomes:      "police_outcomes",
	policeuk.StopAndSearch: "police_stop_search",
}

// add stores p, or says why not; by names the version of p's partition in
// this run that decided it already ("" for none), which supersedes p.
func (w *writer) add(p *parsed, by string) (FileResult, error) {
	if w.records == nil {
		w.records = map[policeuk.Kind][]arrow.RecordBatch{}
		w.staged = map[policeuk.Partition]stored{}
	}
	// Released after the statement that stores it; appended last, since
	// replacing a partition of this batch flushes the batch first.
	defer func() { w.deferred = append(w.deferred, p) }()
	r := FileResult{Path: p.unit.path, Kind: string(p.part.Kind), Force: p.part.Force}
	if !p.part.Month.IsZero() {
		r.Month = p.part.Month.Format("2006-01")
	}
	defer func() { w.progress.file(r.Loaded + r.Quarantined) }()
	if by != "" {
		r.Status, r.Note = StatusSuperseded, "not loaded: a later file in this run holds the same partition: "+by
		return r, nil
	}
	old, had := w.current(p.part)
	switch {
	case p.unchanged || (had && p.err == nil && p.file != nil && old.sameBytes(p.sha, p.crc, p.size)):
		r.Status = StatusUnchanged
		return r, nil
	case p.file == nil && p.err == nil:
		r.Status, r.Note = StatusSkipped, "not read: the name is not a police.uk file name (YYYY-MM-<force>-<kind>.csv)"
		return r, nil
	case p.err != nil:
		r.Status, r.Error = StatusRefused, p.err.Error()
		w.log.Debug("refused", "file", p.unit.path, "error", p.err)
		w.refuse(p, r)
		return r, nil
	}
	r.Loaded, r.Quarantined = p.file.Record.NumRows(), int64(len(p.file.Rejected))
	why, err := w.poorer(p, old, had)
	if err != nil {
		return r, err
	}
	if why != "" {
		r.Status, r.Error, r.Loaded, r.Quarantined = StatusKept, why, 0, 0
		w.refuse(p, r)
		return r, nil
	}
	r.Status, r.Note = StatusLoaded, columnNote(p.file)
	if had {
		r.Status = StatusReplaced
		n, err := w.remove(old, p.id, p.part.Kind)
		if err != nil {
			return r, err
		}
		r.Replaced = n
	}
	w.source(p, r)
	p.file.Record.Retain()
	w.records[p.part.Kind] = append(w.records[p.part.Kind], p.file.Record)
	w.staged[p.part] = stored{id: p.id, sha: p.sha, crc: int64(p.crc), size: p.size, rows: r.Loaded, lsoa: hasLSOA(p.file)}
	w.pending += r.Loaded
	for _, q := range p.file.Rejected {
		w.lineage().quarantine(p.id, p.unit.path, q.Line, q.Raw, q.Reason)
	}
	return r, nil
}

// refuse records a file that was not loaded in lineage, once per path
// and content.
func (w *writer) refuse(p *parsed, r FileResult) {
	key := [2]string{p.unit.path, bytesID(p.sha, int64(p.crc), p.size)}
	w.state.mu.Lock()
	seen := w.state.refused[key]
	w.state.refused[key] = true
	w.state.mu.Unlock()
	if seen {
		return
	}
	w.source(p, r)
}

// poorer says why p should not replace the stored partition old, or "".
func (w *writer) poorer(p *parsed, old stored, had bool) (string, error) {
	if !had || w.replacePoorer {
		return "", nil
	}
	loaded := p.file.Record.NumRows()
	if loaded*2 < old.rows {
		return fmt.Sprintf("kept the stored partition (%d rows): this file has only %d loadable rows of %d lines, so it lost most of them; check it, or load it with --replace-poorer to replace the partition anyway",
			old.rows, loaded, p.file.DataLines), nil
	}
	if p.part.Kind != policeuk.StopAndSearch && old.lsoa && !hasLSOA(p.file) {
		return "kept the stored partition: it has LSOA columns and this copy (the police.uk API's, or a trimmed file) has none; load it with --replace-poorer to replace the partition anyway", nil
	}
	lost, err := w.lostOutcomes(p, old)
	if err != nil || len(lost) == 0 {
		return "", err
	}
	return fmt.Sprintf("kept the stored partition: it has outcomes (%s) and this copy lacks the column; load it with --replace-poorer to replace the partition anyway",
		strings.Join(lost, ", ")), nil
}

// columnNote says which of the kind's columns the file lacks (stored
// empty) and which of its columns are not police.uk's (not stored), so that
// no column is dropped without a word.
func columnNote(f *policeuk.File) string {
	var parts []string
	if len(f.Missing) > 0 {
		parts = append(parts, "no "+strings.Join(f.Missing, ", ")+" column (stored empty)")
	}
	if len(f.Ignored) > 0 {
		parts = append(parts, "columns not stored, unknown to police.uk's layout: "+strings.Join(f.Ignored, ", "))
	}
	return strings.Join(parts, "; ")
}

func hasLSOA(f *policeuk.File) bool {
	return !slices.Contains(f.Missing, "LSOA code")
}

// remove deletes the stored partition old, which the file with lineage id
// replaces, and returns how many rows it had.
func (w *writer) remove(old stored, id int64, kind policeuk.Kind) (int64, error) {
	n, err := w.tx.Exec(fmt.Sprintf(`DELETE FROM %s WHERE source_id = ?`, tables[kind]), old.id)
	if err != nil {
		return 0, err
	}
	if _, err := w.tx.Exec(`DELETE FROM quarantine WHERE source_id = ?`, old.id); err != nil {
		return 0, err
	}
	_, err = w.tx.Exec(`UPDATE sources SET superseded_by = ? WHERE source_id = ?`, id, old.id)
	return n, err
}

// source stages the file's lineage row.
func (w *writer) source(p *parsed, r FileResult) {
	status := "loaded" // the lineage status; replaced and loaded files are both loaded
	if r.Status == StatusRefused || r.Status == StatusKept {
		status = StatusRefused
	}
	facts := &policeFacts{crc32: p.crc}
	if p.file != nil {
		facts.lsoa = hasLSOA(p.file)
	}
	w.lineage().source(sourceRow{id: p.id, path: p.unit.path, size: p.size, sha256: p.sha, kind: r.Kind, force: r.Force,
		month: p.part.Month, loaded: r.Loaded, quarantined: r.Quarantined, started: p.started, status: status, err: r.Error,
		police: facts})
}

func (w *writer) lineage() *lineage {
	if w.lin == nil {
		w.lin = newLineage()
	}
	return w.lin
}

// current is the stored partition. (A partition is staged at most once a
// run: its versions come to one writer together, and once one is loaded
// the rest are superseded.)
func (w *writer) current(p policeuk.Partition) (stored, bool) {
	w.state.mu.Lock()
	defer w.state.mu.Unlock()
	s, ok := w.state.current[p]
	return s, ok
}

// flush inserts the pending batches into their tables.
func (w *writer) flush() error {
	for _, kind := range policeuk.Kinds {
		if _, err := w.tx.AppendArrow(tables[kind], policeuk.Schema(kind), w.records[kind]); err != nil {
			return err
		}
	}
	if w.lin != nil {
		if err := w.lin.flush(w.tx); err != nil {
			return err
		}
	}
	w.release() // stored: only the transaction's commit is left
	w.pending = 0
	return nil
}

// commit makes the batch's partitions the current ones, once stored.
func (w *writer) commit() {
	w.state.mu.Lock()
	defer w.state.mu.Unlock()
	for p, s := range w.staged {
		w.state.current[p] = s
	}
	clear(w.staged)
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
