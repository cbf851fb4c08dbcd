package scheduler

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/safercity/safercity/store"
)

// A Trigger says what started a run.
type Trigger string

// The triggers of a run. A job run after a job it needs wrote new data has
// that job's trigger.
const (
	TriggerSchedule Trigger = "schedule" // its cron schedule
	TriggerManual   Trigger = "manual"   // safercity run
	TriggerAPI      Trigger = "api"      // POST /api/jobs/{name}/run or the dashboard
	TriggerStartup  Trigger = "startup"  // catching up at start on what a stopped process left undone
)

// A Status is where a run stands.
type Status string

// The statuses of a run.
const (
	StatusRunning     Status = "running"
	StatusSucceeded   Status = "succeeded"
	StatusFailed      Status = "failed"
	StatusInterrupted Status = "interrupted" // cancelled at shutdown, or its process was killed
)

// A Run is one attempt of a job as the job history (table job_runs) records
// it. Times are in Europe/London.
type Run struct {
	ID       int64      `json:"id"`
	Job      string     `json:"job"`
	Trigger  Trigger    `json:"trigger"`
	Attempt  int        `json:"attempt"`
	Started  time.Time  `json:"started"`
	Finished *time.Time `json:"finished"` // nil while running
	Status   Status     `json:"status"`
	Rows     int64      `json:"rows"`
	Error    string     `json:"error,omitempty"`
	Note     string     `json:"note,omitempty"` // what the job did and why (see Note)
}

// London is the time zone of schedules and of the times shown.
var London = mustLoadLocation("Europe/London")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // time/tzdata is linked in, so this cannot happen
	}
	return loc
}

// interruptedByKill is the error recorded on runs found running at start.
const interruptedByKill = "the process running it stopped before it finished (killed, or crashed); " +
	"what it had not committed was rolled back"

// MarkInterrupted records as interrupted the runs that a process left
// running when it died, and returns them. Only a process that holds the
// database for writing can call it, and DuckDB lets one process at a time
// do so, so every run still marked running then is one whose process is
// gone.
func MarkInterrupted(ctx context.Context, st *store.Store) ([]Run, error) {
	rows, err := st.DB.QueryContext(ctx, `UPDATE job_runs SET status = 'interrupted', finished = ?, error = ?
		WHERE status = 'running' RETURNING `+runColumns+`, ''`, time.Now().UTC(), interruptedByKill)
	if err != nil {
		return nil, fmt.Errorf("job history: mark interrupted runs: %w", err)
	}
	return scanRuns(rows)
}

// Runs returns the latest runs, newest first: of one job unless job is "",
// and at most limit of them unless limit is 0.
func Runs(ctx context.Context, st *store.Store, job string, limit int) ([]Run, error) {
	q := `SELECT ` + runColumns + `, coalesce(note, '') FROM job_runs LEFT JOIN job_notes USING (run_id)`
	var args []any
	if job != "" {
		q += ` WHERE job = ?`
		args = append(args, job)
	}
	q += ` ORDER BY run_id DESC`
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := st.DB.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("job history: %w", err)
	}
	return scanRuns(rows)
}

const runColumns = `run_id, job, trigger, attempt, started, finished, status, rows, coalesce(error, '')`

func scanRuns(rows *sql.Rows) ([]Run, error) {
	defer rows.Close()
	var runs []Run
	for rows.Next() {
		var r Run
		var finished sql.NullTime
		if err := rows.Scan(&r.ID, &r.Job, &r.Trigger, &r.Attempt, &r.Started, &finished, &r.Status, &r.Rows, &r.Error, &r.Note); err != nil {
			return nil, fmt.Errorf("job history: %w", err)
		}
		r.Started = r.Started.In(London)
		if finished.Valid {
			t := finished.Time.In(London)
			r.Finished = &t
		}
		runs = append(runs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("job history: %w", err)
	}
	return runs, nil
}

// historyTimeout bounds a history write, which runs on its own context so
// that a run cancelled at shutdown is still recorded as interrupted.
const historyTimeout = 10 * time.Second

func startRun(st *store.Store, r *Run) error {
	ctx, cancel := context.WithTimeout(context.Background(), historyTimeout)
	defer cancel()
	err := st.DB.QueryRowContext(ctx, `INSERT INTO job_runs (job, trigger, attempt, started, status)
		VALUES (?, ?, ?, ?, 'running') RETURNING run_id`, r.Job, string(r.Trigger), r.Attempt, r.Started.UTC()).Scan(&r.ID)
	if err != nil {
		return fmt.Errorf("job history: record the start of %s: %w", r.Job, err)
	}
	return nil
}

func finishRun(st *store.Store, r *Run) error {
	ctx, cancel := context.WithTimeout(context.Background(), historyTimeout)
	defer cancel()
	var msg any
	if r.Error != "" {
		msg = r.Error
	}
	if r.Note != "" {
		if _, err := st.DB.ExecContext(ctx, `INSERT OR REPLACE INTO job_notes VALUES (?, ?)`, r.ID, r.Note); err != nil {
			return fmt.Errorf("job history: record the note of %s: %w", r.Job, err)
		}
	}
	_, err := st.DB.ExecContext(ctx, `UPDATE job_runs SET finished = ?, status = ?, rows = ?, error = ? WHERE run_id = ?`,
		r.Finished.UTC(), string(r.Status), r.Rows, msg, r.ID)
	if err != nil {
		return fmt.Errorf("job history: record the end of %s: %w", r.Job, err)
	}
	return nil
}
