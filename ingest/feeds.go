package ingest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/safercity/safercity/ingest/feed"
	"github.com/safercity/safercity/store"
)

// FeedSummary reports the load of one partner feed, file by file. Files have
// the feed's kind and no force or month.
type FeedSummary struct {
	Feed   string `json:"feed"`
	Kind   string `json:"kind"`
	Source string `json:"source"`
	Summary
}

// MaxFeedBytes bounds one partner file as read: exports of registers,
// incident systems and indicators are a few megabytes; a file past the limit
// (or a source that never ends) is refused, never read into memory.
const MaxFeedBytes = 512 << 20

// FeedOptions tune a feed load.
type FeedOptions struct {
	// Source, when set, is read instead of the contract's source: a file, an
	// inbox folder or an http(s) URL.
	Source string
	Client *http.Client // for http(s) sources; nil for one with a 5-minute timeout
	Log    *slog.Logger // nil for slog.Default()
	Alloc  memory.Allocator
}

// Feed loads one partner feed as its contract declares, all in one
// transaction. Every file of the source is read — every matching file of an
// inbox — and each new one recorded in sources; a file whose bytes the feed
// already holds, all its rows still stored, is unchanged and writes nothing. The rows of the other files replace whole
// the partitions they fall in (feed.PartitionColumn): a register snapshot
// replaces the feed, an incident log the London-time months it covers,
// population its years, indicators their periods. Rows of unchanged files
// stay. A new version of a file at the same path supersedes the old one
// whole. An inbox of register snapshots is read as its last file by name:
// the earlier ones are listed as superseded.
//
// A file that cannot be read as the contract says is refused and the others
// still load; the returned error is for a source that cannot be opened or a
// failure of the store, after which nothing of the feed has changed.
func Feed(ctx context.Context, st *store.Store, f *feed.Feed, opt FeedOptions) (*FeedSummary, error) {
	opt = opt.withDefaults()
	src := opt.Source
	if src == "" {
		src = f.Source
	}
	units, err := feedUnits(ctx, src, f, opt.Client)
	if err != nil {
		return nil, fmt.Errorf("feed %s: %w", f.Name, err)
	}
	state, err := readFeedState(ctx, st, f)
	if err != nil {
		return nil, err
	}
	files := make([]*feedFile, len(units))
	defer releaseFeedFiles(files)
	if err := readFeedFiles(ctx, f, units, state.nextID, files, opt.Alloc); err != nil {
		return nil, err
	}
	fresh, refused := classifyFeedFiles(files, state)
	if len(fresh)+len(refused) > 0 {
		err := st.Tx(ctx, func(tx *store.Tx) error {
			return storeFeed(tx, f, state, files, fresh, refused)
		})
		if err != nil {
			return nil, fmt.Errorf("feed %s: store: %w (rolled back: nothing of the feed changed)", f.Name, err)
		}
	}
	sum := summariseFeed(f, src, files, opt.Log)
	if len(units) == 0 {
		opt.Log.Info("feed source has no files", "feed", f.Name, "source", src, "match", f.Match)
	}
	t := sum.Totals
	opt.Log.Debug("feed load", "feed", f.Name, "files", t.Files, "loaded", t.Loaded, "quarantined", t.Quarantined,
		"replaced", t.Replaced, "unchanged", t.Unchanged, "refused", t.Refused)
	return sum, nil
}

func (opt FeedOptions) withDefaults() FeedOptions {
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	if opt.Alloc == nil {
		opt.Alloc = memory.DefaultAllocator
	}
	if opt.Client == nil {
		opt.Client = &http.Client{Timeout: 5 * time.Minute}
	}
	return opt
}

// readFeedFiles reads units into files, numbering them from firstID. A file
// that cannot be read as the contract says is kept with its error; the
// error returned is one that stops the whole feed.
func readFeedFiles(ctx context.Context, f *feed.Feed, units []feedUnit, firstID int64, files []*feedFile, alloc memory.Allocator) error {
	for i, u := range units {
		ff := &feedFile{unit: u, id: firstID + int64(i)}
		files[i] = ff
		if f.Kind == feed.Premises && i < len(units)-1 {
			ff.status, ff.note = StatusSuperseded, "not loaded: a register is a snapshot, and the inbox's last file "+units[len(units)-1].path+" is the current one"
			continue
		}
		if err := ff.read(ctx, f, alloc); err != nil {
			return fmt.Errorf("feed %s: %s: %w", f.Name, u.path, err)
		}
	}
	return nil
}

func releaseFeedFiles(files []*feedFile) {
	for _, ff := range files {
		if ff != nil && ff.file != nil {
			ff.file.Release()
		}
	}
}

// classifyFeedFiles gives each file read its status against what the store
// holds and returns those to store: the fresh ones, and the refused ones not
// recorded as refused already.
func classifyFeedFiles(files []*feedFile, state *feedState) (fresh, refused []*feedFile) {
	seen := map[string]string{}
	for _, ff := range files {
		switch {
		case ff.status != "":
		case ff.err != nil:
			ff.status = StatusRefused
			if !state.refused[[2]string{ff.unit.path, ff.sha}] {
				refused = append(refused, ff)
			}
		case seen[ff.sha] != "":
			ff.status, ff.note = StatusSkipped, "not loaded: the same bytes as "+seen[ff.sha]+" in this load"
		default:
			seen[ff.sha] = ff.unit.path
			if old, ok := state.bySHA(ff.sha); ok {
				ff.status, ff.id = StatusUnchanged, old.id
				if old.path != ff.unit.path {
					ff.note = "the same bytes as " + old.path + ", stored already"
				}
				continue
			}
			ff.status = StatusLoaded
			fresh = append(fresh, ff)
		}
	}
	return fresh, refused
}

// summariseFeed reports every file of the load with its status and rows.
func summariseFeed(f *feed.Feed, src string, files []*feedFile, log *slog.Logger) *FeedSummary {
	sum := &FeedSummary{Feed: f.Name, Kind: string(f.Kind), Source: src}
	for _, ff := range files {
		r := FileResult{Path: ff.unit.path, Kind: string(f.Kind), Status: ff.status, Replaced: ff.replaced, Note: ff.note}
		if ff.err != nil {
			r.Error = ff.err.Error()
		}
		if ff.status == StatusLoaded || ff.status == StatusReplaced {
			r.Loaded, r.Quarantined = ff.file.Record.NumRows(), int64(len(ff.file.Rejected))
		}
		sum.Files = append(sum.Files, r)
		sum.Totals.add(r)
		if ff.file != nil && len(ff.file.Dropped) > 0 {
			log.Debug("columns the contract does not declare were not read", "feed", f.Name, "file", ff.unit.path, "columns", ff.file.Dropped)
		}
	}
	return sum
}

func (t *Totals) add(r FileResult) {
	t.Files++
	t.Loaded += r.Loaded
	t.Quarantined += r.Quarantined
	t.Replaced += r.Replaced
	switch r.Status {
	case StatusUnchanged:
		t.Unchanged++
	case StatusRefused:
		t.Refused++
	case StatusSuperseded:
		t.Superseded++
	case StatusSkipped:
		t.Skipped++
	}
}

// storeFeed writes a feed's new files, replacing what they supersede.
func storeFeed(tx *store.Tx, f *feed.Feed, state *feedState, files, fresh, refused []*feedFile) error {
	table := string(f.Kind)
	var keep []string // source ids whose rows stay: this load's files
	for _, ff := range files {
		if ff.status == StatusUnchanged || ff.status == StatusLoaded {
			keep = append(keep, fmt.Sprint(ff.id))
		}
	}
	var recs []arrow.RecordBatch
	for _, ff := range fresh {
		// A new version of a file supersedes the old one whole.
		if old, ok := state.byPath(ff.unit.path); ok && !slices.Contains(keep, fmt.Sprint(old.id)) {
			if err := supersede(tx, table, old.id, ff.id, &ff.replaced); err != nil {
				return err
			}
		}
		recs = append(recs, ff.file.Record)
	}
	if _, err := tx.AppendArrow(table, feed.Schema(f.Kind), recs); err != nil {
		return err
	}
	// Each partition the new rows fall in now holds only this load's rows.
	part := feed.PartitionColumn(f.Kind)
	for _, ff := range fresh {
		q := fmt.Sprintf(`DELETE FROM %s WHERE feed = ? AND source_id NOT IN (%s)`, table, strings.Join(keep, ", "))
		args := []any{f.Name}
		if part != "" {
			q += fmt.Sprintf(` AND %s IN (SELECT %s FROM %s WHERE source_id = ?)`, part, part, table)
			args = append(args, ff.id)
		}
		n, err := tx.Exec(q, args...)
		if err != nil {
			return err
		}
		ff.replaced += n
		if ff.replaced > 0 {
			ff.status = StatusReplaced
		}
	}
	if len(fresh) > 0 {
		// Files of earlier loads left without a row have been replaced.
		rows, err := tx.Query(fmt.Sprintf(`SELECT source_id FROM sources s WHERE feed = ? AND superseded_by IS NULL
			AND status <> 'refused' AND source_id NOT IN (%s)
			AND NOT EXISTS (SELECT 1 FROM %s t WHERE t.source_id = s.source_id)`, strings.Join(keep, ", "), table), f.Name)
		if err != nil {
			return err
		}
		var gone []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			gone = append(gone, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range gone {
			if err := supersede(tx, table, id, fresh[0].id, nil); err != nil {
				return err
			}
		}
	}
	return appendFeedLineage(tx, f, append(fresh, refused...))
}

// supersede removes what source old stored and marks it superseded by the
// source by.
func supersede(tx *store.Tx, table string, old, by int64, replaced *int64) error {
	n, err := tx.Exec(fmt.Sprintf(`DELETE FROM %s WHERE source_id = ?`, table), old)
	if err != nil {
		return err
	}
	if replaced != nil {
		*replaced += n
	}
	if _, err := tx.Exec(`DELETE FROM quarantine WHERE source_id = ?`, old); err != nil {
		return err
	}
	_, err = tx.Exec(`UPDATE sources SET superseded_by = ? WHERE source_id = ?`, by, old)
	return err
}

// appendFeedLineage records the files and their quarantined rows.
func appendFeedLineage(tx *store.Tx, f *feed.Feed, files []*feedFile) error {
	l := newLineage()
	defer l.release()
	for _, ff := range files {
		r := sourceRow{id: ff.id, path: ff.unit.path, size: ff.size, sha256: ff.sha, kind: string(f.Kind), feed: f.Name,
			started: ff.started, status: ff.status}
		if ff.file != nil {
			r.loaded, r.quarantined = ff.file.Record.NumRows(), int64(len(ff.file.Rejected))
			for _, q := range ff.file.Rejected {
				l.quarantine(ff.id, ff.unit.path, q.Line, q.Raw, q.Reason)
			}
		}
		if ff.err != nil {
			r.err = ff.err.Error()
		}
		l.source(r)
	}
	return l.flush(tx)
}

// feedUnit is one file of a feed's source.
type feedUnit struct {
	path string // file path or URL, as recorded in sources
	open func() (io.ReadCloser, error)
}

// feedUnits lists the files of a source: the file itself, every file of a
// folder matching the feed's glob (by name, ignoring case, in name order),
// or the document at a URL.
func feedUnits(ctx context.Context, src string, f *feed.Feed, client *http.Client) ([]feedUnit, error) {
	if feed.IsURL(src) {
		return []feedUnit{{path: src, open: func() (io.ReadCloser, error) { return fetch(ctx, client, src) }}}, nil
	}
	fi, err := os.Stat(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("source %s does not exist; check the contract's source or the PATH given", src)
	}
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	if !fi.IsDir() {
		return []feedUnit{{path: src, open: func() (io.ReadCloser, error) { return openFile(src) }}}, nil
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	var units []feedUnit
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		if ok, _ := filepath.Match(strings.ToLower(f.Match), strings.ToLower(e.Name())); !ok {
			continue
		}
		p := filepath.Join(src, e.Name())
		units = append(units, feedUnit{path: p, open: func() (io.ReadCloser, error) { return openFile(p) }})
	}
	return units, nil
}

func fetch(ctx context.Context, client *http.Client, url string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: %s; check the URL, or download the file and give its path", url, resp.Status)
	}
	return resp.Body, nil
}

// feedFile is one file of a feed being loaded.
type feedFile struct {
	unit     feedUnit
	id       int64
	file     *feed.File
	err      error // why the file was refused
	size     int64
	sha      string
	started  time.Time
	status   string
	note     string
	replaced int64
}

// read hashes and parses the file; the error is for a file that cannot be
// opened or read to its end, a refusal of its content is ff.err.
func (ff *feedFile) read(ctx context.Context, f *feed.Feed, alloc memory.Allocator) error {
	ff.started = time.Now().UTC()
	rc, err := ff.unit.open()
	if errors.Is(err, ErrNotRegular) {
		ff.err = err // this file is refused; the inbox's others load
		return nil
	}
	if err != nil {
		return err
	}
	defer rc.Close()
	h := sha256.New()
	cr := &countingReader{r: io.TeeReader(&guard{ctx: ctx, r: rc, limit: MaxFeedBytes,
		advice: "partner exports are far smaller: check the feed's source"}, h)}
	ff.file, ff.err = feed.Read(cr, f, ff.id, alloc)
	// Hash the whole file even when it was refused, so lineage identifies it
	// (a file over the limit is not read further).
	if errors.Is(ff.err, ErrTooLarge) {
		return nil
	}
	if _, err := io.Copy(io.Discard, cr); err != nil {
		return err
	}
	ff.size, ff.sha = cr.n, hex.EncodeToString(h.Sum(nil))
	return nil
}

// feedState is what the store holds of a feed, read before loading.
type feedState struct {
	nextID  int64
	current []storedFile       // files loaded and not superseded
	refused map[[2]string]bool // path, sha256 of files recorded as refused
}

type storedFile struct {
	id        int64
	path, sha string
	// intact says the feed still holds every row the file loaded: a later
	// load of another file may have replaced some of its partitions.
	intact bool
}

// bySHA returns the stored file with these bytes whose rows are all still
// stored: loading the bytes again would change nothing.
func (s *feedState) bySHA(sha string) (storedFile, bool) {
	for _, c := range s.current {
		if c.sha == sha && c.intact {
			return c, true
		}
	}
	return storedFile{}, false
}

func (s *feedState) byPath(path string) (storedFile, bool) {
	for _, c := range s.current {
		if c.path == path {
			return c, true
		}
	}
	return storedFile{}, false
}

func readFeedState(ctx context.Context, st *store.Store, f *feed.Feed) (*feedState, error) {
	s := &feedState{refused: map[[2]string]bool{}}
	if err := st.DB.QueryRowContext(ctx, `SELECT coalesce(max(source_id), 0) + 1 FROM sources`).Scan(&s.nextID); err != nil {
		return nil, err
	}
	rows, err := st.DB.QueryContext(ctx, fmt.Sprintf(`SELECT source_id, path, coalesce(sha256, ''), status,
			rows_loaded = (SELECT count(*) FROM %s t WHERE t.source_id = s.source_id)
		FROM sources s WHERE feed = ? AND superseded_by IS NULL ORDER BY source_id`, f.Kind), f.Name)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c storedFile
		var status string
		if err := rows.Scan(&c.id, &c.path, &c.sha, &status, &c.intact); err != nil {
			return nil, err
		}
		if status == StatusRefused {
			s.refused[[2]string{c.path, c.sha}] = true
			continue
		}
		s.current = append(s.current, c)
	}
	return s, rows.Err()
}

// FeedStatus is what the store holds of a feed.
type FeedStatus struct {
	Feed        string    `json:"feed"`
	Rows        int64     `json:"rows"`        // rows stored now
	Quarantined int64     `json:"quarantined"` // rows of its current files in quarantine
	Files       int64     `json:"files"`       // current source files
	LastLoad    time.Time `json:"last_load"`   // when a file of it was last recorded; zero if never
	LastStatus  string    `json:"last_status"` // that file's status: loaded, replaced or refused
	LastError   string    `json:"last_error,omitempty"`
}

// FeedStatuses reports what the store holds of each feed. A load that found
// every file unchanged records nothing, so LastLoad is when the feed last
// changed.
func FeedStatuses(ctx context.Context, st *store.Store, feeds []*feed.Feed) ([]FeedStatus, error) {
	var out []FeedStatus
	for _, f := range feeds {
		s := FeedStatus{Feed: f.Name}
		err := st.DB.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) FROM %s WHERE feed = ?`, f.Kind), f.Name).Scan(&s.Rows)
		if err == nil {
			err = st.DB.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE status <> 'refused'),
				(SELECT count(*) FROM quarantine q JOIN sources c USING (source_id) WHERE c.feed = ? AND c.superseded_by IS NULL)
				FROM sources WHERE feed = ? AND superseded_by IS NULL`, f.Name, f.Name).Scan(&s.Files, &s.Quarantined)
		}
		if err == nil {
			var msg sql.NullString
			err = st.DB.QueryRowContext(ctx, `SELECT finished, status, error FROM sources WHERE feed = ?
				ORDER BY finished DESC, source_id DESC LIMIT 1`, f.Name).Scan(&s.LastLoad, &s.LastStatus, &msg)
			s.LastError = msg.String
			if err == sql.ErrNoRows {
				err = nil
			}
		}
		if err != nil {
			return nil, fmt.Errorf("feed %s: %w", f.Name, err)
		}
		out = append(out, s)
	}
	return out, nil
}
