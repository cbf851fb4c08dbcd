package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/safercity/safercity/store"
)

// A Job is one named step of the pipeline.
type Job struct {
	Name string
	// Schedule is when the job runs by itself: a cron spec of five fields
	// (minute hour day-of-month month day-of-week) or a descriptor such as
	// @monthly, read in Europe/London time; "" for no clock.
	Schedule string
	// Needs names the jobs this one waits for: it does not start while any
	// of them is queued or running. They must come before it in the list
	// given to NewRunner.
	Needs []string
	// OnNewData runs the job after any job it needs succeeds having
	// written rows: transform after new police data, say.
	OnNewData bool
	// Run does the work and returns the rows it wrote; 0 means nothing
	// changed. It must stop soon after ctx is cancelled, leaving what it
	// had not committed rolled back. Errors are retried unless Permanent;
	// a Warning error is recorded but the run has succeeded.
	Run func(ctx context.Context, st *store.Store) (rows int64, err error)
}

// Permanent marks an error that a retry cannot mend (a configuration
// mistake, say), so the run is marked failed at once.
func Permanent(err error) error { return permanent{err} }

type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

// Warning marks an error that does not fail a run: the run succeeded, and
// the warning is kept with it in the job history (files an ingest refused
// while it loaded the others, say).
func Warning(err error) error { return warning{err} }

type warning struct{ error }

func (w warning) Unwrap() error { return w.error }

// Errors of Runner.Trigger.
var (
	ErrUnknownJob = errors.New("no such job")
	ErrBusy       = errors.New("job already queued or running")
	ErrStopping   = errors.New("the server is stopping and takes no new jobs")
)

// RunnerOptions tune a Runner. Zero values take the defaults.
type RunnerOptions struct {
	// Retries is how many times a failed job is tried again: default 3; a
	// negative value means none.
	Retries int
	// Backoff is the wait before the first retry, doubled before each next
	// one up to an hour: default one minute.
	Backoff time.Duration
	// Seconds makes schedules take a leading seconds field (cron.WithSeconds),
	// for tests.
	Seconds bool
	Log     *slog.Logger // nil for slog.Default()
}

// maxBackoff bounds the wait between retries.
const maxBackoff = time.Hour

// cancelWait is how long Shutdown waits for a cancelled job to return.
const cancelWait = 15 * time.Second

// A Runner runs jobs one at a time — on their schedules, when triggered, and
// after the jobs they need wrote new data — and records every attempt in the
// job history. One at a time, because every job writes the one database
// file and the stages number what they store from what is already there; it
// also means no job overlaps itself, and a job waits for those it needs by
// queueing behind them.
type Runner struct {
	st      *store.Store
	jobs    []*job
	byName  map[string]*job
	retries int
	backoff time.Duration
	log     *slog.Logger
	clock   *cron.Cron

	mu       sync.Mutex
	queue    []*request // waiting to run, in the order triggered
	running  *request
	started  bool
	stopping bool
	wake     chan struct{}
	done     chan struct{} // closed when the worker has returned
}

type job struct {
	Job
	schedule cron.Schedule // nil without one
}

// A request is a job waiting for its turn.
type request struct {
	job       *job
	trigger   Trigger
	attempt   int
	notBefore time.Time // a retry waits out its backoff

	// Set when it starts running.
	ctx     context.Context
	cancel  context.CancelFunc
	started time.Time
}

// NewRunner checks the jobs — unique names, valid schedules, needs that
// come earlier in the list, so that there are no cycles — and returns a
// runner for them on st. Start starts it.
func NewRunner(st *store.Store, jobs []Job, o RunnerOptions) (*Runner, error) {
	r := &Runner{st: st, byName: map[string]*job{}, retries: o.Retries, backoff: o.Backoff, log: o.Log,
		wake: make(chan struct{}, 1), done: make(chan struct{})}
	if r.retries == 0 {
		r.retries = 3
	} else if r.retries < 0 {
		r.retries = 0
	}
	if r.backoff <= 0 {
		r.backoff = time.Minute
	}
	if r.log == nil {
		r.log = slog.Default()
	}
	fields := cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor
	if o.Seconds {
		fields |= cron.Second
	}
	parser := cron.NewParser(fields)
	r.clock = cron.New(cron.WithLocation(London), cron.WithParser(parser), cron.WithLogger(cronLogger{r.log}))
	for _, jb := range jobs {
		if jb.Name == "" || jb.Run == nil {
			return nil, fmt.Errorf("job %q: a job needs a name and a Run function", jb.Name)
		}
		if _, dup := r.byName[jb.Name]; dup {
			return nil, fmt.Errorf("job %s is defined twice", jb.Name)
		}
		for _, n := range jb.Needs {
			if _, ok := r.byName[n]; !ok {
				return nil, fmt.Errorf("job %s needs %s, which is not a job before it in the list", jb.Name, n)
			}
		}
		j := &job{Job: jb}
		if jb.Schedule != "" {
			s, err := parser.Parse(jb.Schedule)
			if err != nil {
				return nil, fmt.Errorf("job %s: schedule %q: %v (want five fields, minute hour day-of-month month day-of-week, or a descriptor such as @daily)", jb.Name, jb.Schedule, err)
			}
			j.schedule = s
		}
		r.jobs = append(r.jobs, j)
		r.byName[jb.Name] = j
	}
	return r, nil
}

// Start queues what a stopped process left undone — jobs whose last run
// was interrupted, and jobs that run on new data which the jobs they need
// wrote after their last success — and starts the clock and the worker.
// Call MarkInterrupted first.
func (r *Runner) Start(ctx context.Context) error {
	todo, err := r.catchUp(ctx)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started || r.stopping {
		return errors.New("serve: runner started twice")
	}
	r.started = true
	for _, j := range todo {
		r.log.Info("job queued to catch up", "job", j.Name)
		r.enqueue(j, TriggerStartup)
	}
	for _, j := range r.jobs {
		if j.schedule != nil {
			r.clock.Schedule(j.schedule, cron.FuncJob(func() { r.fire(j) }))
		}
	}
	r.clock.Start()
	go r.work()
	return nil
}

// catchUp lists the jobs Start queues.
func (r *Runner) catchUp(ctx context.Context) ([]*job, error) {
	type last struct {
		status  Status
		okStart time.Time // start of the last success
		newData time.Time // end of the last success that wrote rows
	}
	rows, err := r.st.DB.QueryContext(ctx, `SELECT job,
		arg_max(status, run_id),
		coalesce(max(started) FILTER (WHERE status = 'succeeded'), TIMESTAMP '0001-01-01'),
		coalesce(max(finished) FILTER (WHERE status = 'succeeded' AND rows > 0), TIMESTAMP '0001-01-01')
		FROM job_runs GROUP BY job`)
	if err != nil {
		return nil, fmt.Errorf("job history: %w", err)
	}
	defer rows.Close()
	lasts := map[string]last{}
	for rows.Next() {
		var name string
		var l last
		if err := rows.Scan(&name, &l.status, &l.okStart, &l.newData); err != nil {
			return nil, fmt.Errorf("job history: %w", err)
		}
		lasts[name] = l
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("job history: %w", err)
	}
	var todo []*job
	for _, j := range r.jobs {
		l := lasts[j.Name]
		stale := false
		for _, n := range j.Needs {
			stale = stale || j.OnNewData && lasts[n].newData.After(l.okStart)
		}
		if l.status == StatusInterrupted || stale {
			todo = append(todo, j)
		}
	}
	return todo, nil
}

// fire is a job's clock going off.
func (r *Runner) fire(j *job) {
	if err := r.Trigger(j.Name, TriggerSchedule); err != nil {
		r.log.Info("scheduled run skipped", "job", j.Name, "reason", err)
	}
}

// Trigger queues a run of the named job. It returns an error wrapping
// ErrUnknownJob, ErrBusy (the job is queued or running already: a run
// never overlaps another of the same job) or ErrStopping.
func (r *Runner) Trigger(name string, t Trigger) error {
	j, ok := r.byName[name]
	if !ok {
		return fmt.Errorf("%w %q; the jobs are %v", ErrUnknownJob, name, r.Names())
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopping {
		return ErrStopping
	}
	if q := r.running; q != nil && q.job == j {
		return fmt.Errorf("%w: %s has been running since %s", ErrBusy, name, q.started.In(London).Format(TimeLayout))
	}
	for _, q := range r.queue {
		if q.job == j {
			if q.attempt > 1 {
				return fmt.Errorf("%w: %s failed and will be tried again at %s", ErrBusy, name, q.notBefore.In(London).Format(TimeLayout))
			}
			return fmt.Errorf("%w: %s is queued already", ErrBusy, name)
		}
	}
	r.enqueue(j, t)
	return nil
}

// Job returns the job of that name as it was given, if there is one.
func (r *Runner) Job(name string) (Job, bool) {
	j, ok := r.byName[name]
	if !ok {
		return Job{}, false
	}
	return j.Job, true
}

// Names are the jobs' names, in the order they were given.
func (r *Runner) Names() []string {
	var names []string
	for _, j := range r.jobs {
		names = append(names, j.Name)
	}
	return names
}

// enqueue adds a first attempt of j unless it is queued already. r.mu is held.
func (r *Runner) enqueue(j *job, t Trigger) {
	for _, q := range r.queue {
		if q.job == j {
			return
		}
	}
	r.queue = append(r.queue, &request{job: j, trigger: t, attempt: 1})
	r.signal()
}

func (r *Runner) signal() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// work runs queued jobs one at a time until the runner stops.
func (r *Runner) work() {
	defer close(r.done)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		q, wait, ok := r.next()
		if !ok {
			return
		}
		if q != nil {
			r.execute(q)
			continue
		}
		var due <-chan time.Time
		if wait > 0 {
			timer.Reset(wait)
			due = timer.C
		}
		select {
		case <-r.wake:
		case <-due:
		}
		timer.Stop()
	}
}

// next takes the first queued request that is due and waits for none of
// the jobs it needs, and marks it running; or else says how long until a
// retry is due (0: until woken). ok is false once the runner is stopping.
func (r *Runner) next() (q *request, wait time.Duration, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopping {
		return nil, 0, false
	}
	now := time.Now()
	for i, q := range r.queue {
		if d := q.notBefore.Sub(now); d > 0 {
			if wait == 0 || d < wait {
				wait = d
			}
			continue
		}
		if r.waitsFor(q) {
			continue
		}
		r.queue = slices.Delete(r.queue, i, i+1)
		// Not the server's context: a job must outlive the signal that
		// stops the server by the grace that Shutdown gives it.
		q.ctx, q.cancel = context.WithCancel(context.Background())
		q.started = now
		r.running = q
		return q, 0, true
	}
	return nil, wait, true
}

// waitsFor reports whether a job q needs is queued. r.mu is held.
func (r *Runner) waitsFor(q *request) bool {
	for _, o := range r.queue {
		if o != q && slices.Contains(q.job.Needs, o.job.Name) {
			return true
		}
	}
	return false
}

// execute runs the running request and then queues its retry or the jobs
// that run on its new data.
func (r *Runner) execute(q *request) {
	retryIn := time.Duration(0)
	if q.attempt <= r.retries {
		retryIn = r.backoff
		for i := 1; i < q.attempt && retryIn < maxBackoff; i++ {
			retryIn *= 2
		}
		retryIn = min(retryIn, maxBackoff)
	}
	run, err := r.attempt(q.ctx, q.job, q.trigger, q.attempt, retryIn)
	q.cancel()

	r.mu.Lock()
	defer r.mu.Unlock()
	r.running = nil
	switch {
	case r.stopping:
	case run.Status == StatusFailed && retryIn > 0 && retryable(err):
		r.queue = append(r.queue, &request{job: q.job, trigger: q.trigger, attempt: q.attempt + 1, notBefore: time.Now().Add(retryIn)})
	case run.Status == StatusSucceeded && run.Rows > 0:
		for _, j := range r.jobs {
			if j.OnNewData && slices.Contains(j.Needs, q.job.Name) {
				r.enqueue(j, q.trigger)
			}
		}
	}
}

func retryable(err error) bool {
	var p permanent
	return !errors.As(err, &p)
}

// Do runs the named job once, now, in the calling goroutine, and records
// the run; it neither retries nor runs the jobs after it. It is for running
// the pipeline without the scheduler (safercity run): do not use it on a
// started runner. The error is the job's.
func (r *Runner) Do(ctx context.Context, name string, t Trigger) (Run, error) {
	j, ok := r.byName[name]
	if !ok {
		return Run{}, fmt.Errorf("%w %q; the jobs are %v", ErrUnknownJob, name, r.Names())
	}
	return r.attempt(ctx, j, t, 1, 0)
}

// attempt runs j once and records it. retryIn, when not 0, is when a
// failure will be tried again, for the record.
func (r *Runner) attempt(ctx context.Context, j *job, t Trigger, n int, retryIn time.Duration) (Run, error) {
	run := Run{Job: j.Name, Trigger: t, Attempt: n, Started: time.Now(), Status: StatusRunning}
	log := r.log.With("job", j.Name, "trigger", t, "attempt", n)
	if err := startRun(r.st, &run); err != nil {
		log.Error("job not started", "error", err)
		run.Status, run.Error = StatusFailed, err.Error()
		return run, err
	}
	log.Info("job started", "run", run.ID)
	notes := &notes{}
	rows, err := call(context.WithValue(ctx, notesKey{}, notes), j, r.st)
	finished := time.Now()
	run.Finished, run.Rows, run.Note = &finished, rows, notes.String()
	var w warning
	switch {
	case err == nil:
		run.Status = StatusSucceeded
		log.Info("job succeeded", "rows", rows, "took", finished.Sub(run.Started).Round(time.Millisecond))
	case errors.As(err, &w):
		run.Status, run.Error = StatusSucceeded, "warning: "+err.Error()
		log.Warn("job succeeded with a warning", "rows", rows, "warning", err)
	case ctx.Err() != nil:
		run.Status = StatusInterrupted
		run.Error = "cancelled at shutdown before it finished; what it had not committed was rolled back: " + err.Error()
		log.Warn("job interrupted", "error", err)
	default:
		run.Status, run.Error = StatusFailed, err.Error()
		if retryIn > 0 && retryable(err) {
			run.Error += fmt.Sprintf(" (will try again in %s)", retryIn)
		}
		log.Error("job failed", "error", err, "retry_in", retryIn)
	}
	if herr := finishRun(r.st, &run); herr != nil {
		log.Error("job outcome not recorded", "error", herr)
	}
	return run, err
}

type notesKey struct{}

// notes collects what a run says about itself through Note.
type notes struct {
	mu    sync.Mutex
	lines []string
}

func (n *notes) String() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return strings.Join(n.lines, "; ")
}

// Note records, with the run of the job whose ctx it is given, what the job
// did and why — which results it recomputed and which of their inputs had
// changed, say — so that the job history shows it. Outside a run it does
// nothing.
func Note(ctx context.Context, format string, args ...any) {
	n, ok := ctx.Value(notesKey{}).(*notes)
	if !ok {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.lines = append(n.lines, fmt.Sprintf(format, args...))
}

// call runs the job, turning a panic into an error so that one broken job
// does not stop the server.
func call(ctx context.Context, j *job, st *store.Store) (rows int64, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = Permanent(fmt.Errorf("job %s panicked: %v", j.Name, p))
		}
	}()
	return j.Run(ctx, st)
}

// Shutdown stops the clock and the taking of jobs, drops the queue, and
// waits for the running job to finish. If ctx ends first, it cancels the
// job, waits a little longer for it to roll back and return, and returns
// ctx's error; or, if the job still has not returned, an error saying so
// (the database stays consistent if the process exits under it, and the
// next start marks its run interrupted).
func (r *Runner) Shutdown(ctx context.Context) error {
	r.mu.Lock()
	r.stopping = true
	r.queue = nil
	started := r.started
	r.mu.Unlock()
	<-r.clock.Stop().Done()
	if !started {
		return nil
	}
	r.signal()
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
	}
	r.mu.Lock()
	if q := r.running; q != nil {
		r.log.Warn("cancelling job", "job", q.job.Name, "reason", context.Cause(ctx))
		q.cancel()
	}
	r.mu.Unlock()
	select {
	case <-r.done:
		return ctx.Err()
	case <-time.After(cancelWait):
		return fmt.Errorf("%w within %s of being cancelled; exiting under it (the next start marks its run interrupted)", ErrStuck, cancelWait)
	}
}

var ErrStuck = errors.New("the running job did not return")

// Running returns the job running now and since when, or "".
func (r *Runner) Running() (string, time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running == nil {
		return "", time.Time{}
	}
	return r.running.job.Name, r.running.started
}

// JobInfo is a job as the API lists it.
type JobInfo struct {
	Name      string     `json:"name"`
	Schedule  string     `json:"schedule"` // "" for none
	Needs     []string   `json:"needs"`
	OnNewData bool       `json:"on_new_data"`
	State     string     `json:"state"`              // idle | queued | running | retrying
	Next      *time.Time `json:"next,omitempty"`     // the next scheduled run
	RetryAt   *time.Time `json:"retry_at,omitempty"` // when state is retrying
}

// Jobs lists the jobs in pipeline order with their state.
func (r *Runner) Jobs() []JobInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now().In(London)
	var out []JobInfo
	for _, j := range r.jobs {
		ji := JobInfo{Name: j.Name, Schedule: j.Schedule, Needs: append([]string{}, j.Needs...), OnNewData: j.OnNewData, State: "idle"}
		if j.schedule != nil && !r.stopping {
			next := j.schedule.Next(now)
			ji.Next = &next
		}
		if r.running != nil && r.running.job == j {
			ji.State = "running"
		}
		for _, q := range r.queue {
			if q.job != j {
				continue
			}
			ji.State = "queued"
			if q.attempt > 1 {
				at := q.notBefore.In(London)
				ji.State, ji.RetryAt = "retrying", &at
			}
		}
		out = append(out, ji)
	}
	return out
}

// TimeLayout is how times are shown: London time with its zone (GMT or BST).
const TimeLayout = "2006-01-02 15:04:05 MST"

// cronLogger sends the cron library's logs to slog.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "error", err)...)
}
