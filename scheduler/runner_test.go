package scheduler_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/safercity/safercity/internal/poll"
	"github.com/safercity/safercity/internal/schedtest"
	"github.com/safercity/safercity/scheduler"
	"github.com/safercity/safercity/store"
)

// history returns every run, oldest first.
func history(t *testing.T, st *store.Store) []scheduler.Run {
	t.Helper()
	runs, err := scheduler.Runs(context.Background(), st, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(runs)-1; i < j; i, j = i+1, j-1 {
		runs[i], runs[j] = runs[j], runs[i]
	}
	return runs
}

// idle reports whether nothing is queued or running.
func idle(r *scheduler.Runner) func() bool {
	return func() bool {
		for _, j := range r.Jobs() {
			if j.State != "idle" {
				return false
			}
		}
		return true
	}
}

func TestRetryWithBackoffThenSucceed(t *testing.T) {
	st := schedtest.Store(t)
	var calls atomic.Int32
	r := schedtest.Runner(t, st, scheduler.RunnerOptions{Retries: 3, Backoff: 50 * time.Millisecond}, scheduler.Job{Name: "flaky",
		Run: func(ctx context.Context, st *store.Store) (int64, error) {
			if calls.Add(1) < 3 {
				return 0, errors.New("partner server unavailable")
			}
			return 7, nil
		}})
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := r.Trigger("flaky", scheduler.TriggerAPI); err != nil {
		t.Fatal(err)
	}
	poll.Until(t, 5*time.Second, "a success", schedtest.Finished(t, st, "flaky", scheduler.StatusSucceeded))
	runs := history(t, st)
	if got := schedtest.Summary(runs); got != "flaky:failed flaky:failed flaky:succeeded" {
		t.Fatalf("runs %s, want two failures then a success", got)
	}
	for i, run := range runs {
		if run.Attempt != i+1 || run.Trigger != scheduler.TriggerAPI || run.Finished == nil {
			t.Errorf("run %d: %+v, want attempt %d of the api trigger, finished", i, run, i+1)
		}
	}
	if !strings.Contains(runs[0].Error, "partner server unavailable (will try again in 50ms)") ||
		!strings.Contains(runs[1].Error, "(will try again in 100ms)") {
		t.Errorf("errors %q, %q: want the cause and the doubling wait", runs[0].Error, runs[1].Error)
	}
	// The waits double: 50 ms, then 100 ms.
	if gap := runs[1].Started.Sub(*runs[0].Finished); gap < 50*time.Millisecond {
		t.Errorf("second attempt %s after the first: want at least the 50ms backoff", gap)
	}
	if gap := runs[2].Started.Sub(*runs[1].Finished); gap < 100*time.Millisecond {
		t.Errorf("third attempt %s after the second: want at least 100ms", gap)
	}
	if runs[2].Rows != 7 {
		t.Errorf("rows %d, want 7", runs[2].Rows)
	}
}

func TestFailingJobKeepsEarlierResults(t *testing.T) {
	st := schedtest.Store(t)
	ctx := context.Background()
	if _, err := st.DB.ExecContext(ctx, `CREATE TABLE results (month VARCHAR, value INTEGER)`); err != nil {
		t.Fatal(err)
	}
	// Like a stage: replace the month's rows in one transaction.
	var value atomic.Int32
	var broken atomic.Bool
	stage := func(ctx context.Context, st *store.Store) (int64, error) {
		err := st.Tx(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(`DELETE FROM results WHERE month = '2020-11'`); err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO results VALUES ('2020-11', ?)`, value.Add(1)); err != nil {
				return err
			}
			if broken.Load() {
				return errors.New("disk full")
			}
			return nil
		})
		return 1, err
	}
	r := schedtest.Runner(t, st, scheduler.RunnerOptions{Retries: 2, Backoff: 10 * time.Millisecond}, scheduler.Job{Name: "stage", Run: stage})
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.Trigger("stage", scheduler.TriggerSchedule); err != nil {
		t.Fatal(err)
	}
	// The run is recorded as finished a moment before the runner lets the
	// job go: wait for both, or the next trigger finds it still running.
	poll.Until(t, 5*time.Second, "the first run", func() bool {
		return schedtest.Finished(t, st, "stage", scheduler.StatusSucceeded)() && idle(r)()
	})
	broken.Store(true)
	if err := r.Trigger("stage", scheduler.TriggerSchedule); err != nil {
		t.Fatal(err)
	}
	poll.Until(t, 5*time.Second, "the retries to run out", func() bool { return len(history(t, st)) == 4 && idle(r)() })
	runs := history(t, st)
	if got := schedtest.Summary(runs); got != "stage:succeeded stage:failed stage:failed stage:failed" {
		t.Fatalf("runs %s, want a success and then three failed attempts (1 + 2 retries)", got)
	}
	if last := runs[3]; last.Attempt != 3 || strings.Contains(last.Error, "will try again") || !strings.Contains(last.Error, "disk full") {
		t.Errorf("last attempt %+v: want attempt 3, the cause and no further retry", last)
	}
	var got int
	if err := st.DB.QueryRowContext(ctx, `SELECT value FROM results WHERE month = '2020-11'`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != 1 {
		t.Errorf("stored value %d: want 1, the first run's, since the failed runs rolled back", got)
	}
}

func TestPermanentErrorIsNotRetried(t *testing.T) {
	st := schedtest.Store(t)
	r := schedtest.Runner(t, st, scheduler.RunnerOptions{Retries: 3, Backoff: time.Millisecond}, scheduler.Job{Name: "misconfigured",
		Run: func(ctx context.Context, st *store.Store) (int64, error) {
			return 0, scheduler.Permanent(errors.New("profile zzz does not exist"))
		}})
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := r.Trigger("misconfigured", scheduler.TriggerAPI); err != nil {
		t.Fatal(err)
	}
	poll.Until(t, 5*time.Second, "the failure", schedtest.Finished(t, st, "misconfigured", scheduler.StatusFailed))
	time.Sleep(50 * time.Millisecond)
	if runs := history(t, st); len(runs) != 1 || runs[0].Error != "profile zzz does not exist" {
		t.Errorf("runs %+v: want one failed attempt", runs)
	}
}

func TestWarningSucceeds(t *testing.T) {
	st := schedtest.Store(t)
	r := schedtest.Runner(t, st, scheduler.RunnerOptions{}, scheduler.Job{Name: "ingest",
		Run: func(ctx context.Context, st *store.Store) (int64, error) {
			return 10, scheduler.Warning(errors.New("1 file(s) refused"))
		}})
	run, err := r.Do(context.Background(), "ingest", scheduler.TriggerManual)
	if err == nil || run.Status != scheduler.StatusSucceeded || run.Rows != 10 || run.Error != "warning: 1 file(s) refused" {
		t.Errorf("run %+v (err %v): want succeeded with the warning kept", run, err)
	}
}

// TestNoOverlap runs a slow job every second for three seconds: the clock
// keeps firing while it runs, and no run may start before the last ended.
func TestNoOverlap(t *testing.T) {
	st := schedtest.Store(t)
	var running, most atomic.Int32
	r := schedtest.Runner(t, st, scheduler.RunnerOptions{Seconds: true}, scheduler.Job{Name: "slow", Schedule: "* * * * * *",
		Run: func(ctx context.Context, st *store.Store) (int64, error) {
			n := running.Add(1)
			defer running.Add(-1)
			if n > most.Load() {
				most.Store(n)
			}
			time.Sleep(1500 * time.Millisecond)
			return 0, nil
		}})
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	poll.Until(t, 5*time.Second, "the slow job to start", func() bool { return running.Load() == 1 })
	err := r.Trigger("slow", scheduler.TriggerAPI)
	if !errors.Is(err, scheduler.ErrBusy) || !strings.Contains(err.Error(), "has been running since") {
		t.Errorf("trigger while running: %v, want ErrBusy saying it is running", err)
	}
	poll.Until(t, 10*time.Second, "two scheduled runs", func() bool { return len(history(t, st)) >= 2 })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if most.Load() != 1 {
		t.Errorf("%d runs at once, want 1", most.Load())
	}
	runs := history(t, st)
	for i, run := range runs {
		if run.Trigger != scheduler.TriggerSchedule {
			t.Errorf("run %d trigger %s, want schedule", run.ID, run.Trigger)
		}
		if i > 0 && run.Started.Before(*runs[i-1].Finished) {
			t.Errorf("run %d started at %s, before run %d finished at %s", run.ID, run.Started, runs[i-1].ID, runs[i-1].Finished)
		}
	}
}

func TestTriggerWhileQueued(t *testing.T) {
	st := schedtest.Store(t)
	release := make(chan struct{})
	block := func(ctx context.Context, st *store.Store) (int64, error) { <-release; return 0, nil }
	noop := func(ctx context.Context, st *store.Store) (int64, error) { return 0, nil }
	r := schedtest.Runner(t, st, scheduler.RunnerOptions{}, scheduler.Job{Name: "block", Run: block}, scheduler.Job{Name: "next", Run: noop})
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer close(release)
	if err := r.Trigger("block", scheduler.TriggerAPI); err != nil {
		t.Fatal(err)
	}
	poll.Until(t, 5*time.Second, "block to run", func() bool { name, _ := r.Running(); return name == "block" })
	if err := r.Trigger("next", scheduler.TriggerAPI); err != nil {
		t.Fatal(err)
	}
	if err := r.Trigger("next", scheduler.TriggerSchedule); !errors.Is(err, scheduler.ErrBusy) || !strings.Contains(err.Error(), "queued already") {
		t.Errorf("second trigger of a queued job: %v, want ErrBusy", err)
	}
	if err := r.Trigger("nope", scheduler.TriggerAPI); !errors.Is(err, scheduler.ErrUnknownJob) {
		t.Errorf("unknown job: %v, want ErrUnknownJob", err)
	}
	states := map[string]string{}
	for _, j := range r.Jobs() {
		states[j.Name] = j.State
	}
	if states["block"] != "running" || states["next"] != "queued" {
		t.Errorf("states %v, want block running and next queued", states)
	}
}

// TestNeedsWait queues a job before the one it needs: it runs after it,
// also when that one fails first and waits out a retry.
func TestNeedsWait(t *testing.T) {
	st := schedtest.Store(t)
	release := make(chan struct{})
	var loadCalls atomic.Int32
	r := schedtest.Runner(t, st, scheduler.RunnerOptions{Retries: 1, Backoff: 200 * time.Millisecond},
		scheduler.Job{Name: "other", Run: func(ctx context.Context, st *store.Store) (int64, error) { <-release; return 0, nil }},
		scheduler.Job{Name: "load", Run: func(ctx context.Context, st *store.Store) (int64, error) {
			if loadCalls.Add(1) == 1 {
				return 0, errors.New("inbox not mounted")
			}
			return 0, nil
		}},
		scheduler.Job{Name: "report", Needs: []string{"load"}, Run: func(ctx context.Context, st *store.Store) (int64, error) { return 0, nil }},
	)
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"other", "report", "load"} {
		if err := r.Trigger(name, scheduler.TriggerAPI); err != nil {
			t.Fatal(err)
		}
	}
	close(release)
	poll.Until(t, 5*time.Second, "report", schedtest.Finished(t, st, "report", scheduler.StatusSucceeded))
	if got := schedtest.Summary(history(t, st)); got != "other:succeeded load:failed load:succeeded report:succeeded" {
		t.Errorf("runs %s: report must wait for load, through its retry", got)
	}
}

// TestOnNewData runs the jobs that follow new data, with the trigger of the
// job that wrote it, and not after a run that changed nothing.
func TestOnNewData(t *testing.T) {
	st := schedtest.Store(t)
	var rows atomic.Int64
	noop := func(ctx context.Context, st *store.Store) (int64, error) { return 1, nil }
	r := schedtest.Runner(t, st, scheduler.RunnerOptions{},
		scheduler.Job{Name: "police", Run: func(ctx context.Context, st *store.Store) (int64, error) { return rows.Load(), nil }},
		scheduler.Job{Name: "transform", Needs: []string{"police"}, OnNewData: true, Run: noop},
		scheduler.Job{Name: "hotspots", Needs: []string{"transform"}, OnNewData: true, Run: noop},
		scheduler.Job{Name: "index", Needs: []string{"hotspots"}, Run: noop},
	)
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	rows.Store(100)
	if err := r.Trigger("police", scheduler.TriggerSchedule); err != nil {
		t.Fatal(err)
	}
	poll.Until(t, 5*time.Second, "hotspots", schedtest.Finished(t, st, "hotspots", scheduler.StatusSucceeded))
	poll.Until(t, 5*time.Second, "the queue to empty", idle(r))
	runs := history(t, st)
	if got := schedtest.Summary(runs); got != "police:succeeded transform:succeeded hotspots:succeeded" {
		t.Errorf("runs %s: want police, then transform and hotspots on its new data, and not the index", got)
	}
	for _, run := range runs {
		if run.Trigger != scheduler.TriggerSchedule {
			t.Errorf("%s trigger %s, want police's, schedule", run.Job, run.Trigger)
		}
	}
	rows.Store(0)
	if err := r.Trigger("police", scheduler.TriggerSchedule); err != nil {
		t.Fatal(err)
	}
	poll.Until(t, 5*time.Second, "the second police run", func() bool { return len(history(t, st)) == 4 })
	time.Sleep(100 * time.Millisecond)
	if got := schedtest.Summary(history(t, st)[3:]); got != "police:succeeded" {
		t.Errorf("after a load with nothing new: %s, want police alone", got)
	}
}

func TestShutdown(t *testing.T) {
	st := schedtest.Store(t)
	ctx := context.Background()
	if _, err := st.DB.ExecContext(ctx, `CREATE TABLE results (v INTEGER)`); err != nil {
		t.Fatal(err)
	}
	var started sync.WaitGroup
	// A stage that writes in a transaction and takes long: cancelled, it
	// rolls back.
	long := func(ctx context.Context, st *store.Store) (int64, error) {
		err := st.Tx(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(`INSERT INTO results VALUES (1)`); err != nil {
				return err
			}
			started.Done()
			<-ctx.Done()
			return ctx.Err()
		})
		return 0, err
	}
	short := func(ctx context.Context, st *store.Store) (int64, error) {
		started.Done()
		time.Sleep(200 * time.Millisecond)
		return 1, nil
	}

	t.Run("finishes within grace", func(t *testing.T) {
		r := schedtest.Runner(t, st, scheduler.RunnerOptions{}, scheduler.Job{Name: "short", Run: short})
		if err := r.Start(ctx); err != nil {
			t.Fatal(err)
		}
		started.Add(1)
		r.Trigger("short", scheduler.TriggerAPI)
		started.Wait()
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if err := r.Shutdown(sctx); err != nil {
			t.Errorf("shutdown: %v, want nil: the job finished in time", err)
		}
		if err := r.Trigger("short", scheduler.TriggerAPI); !errors.Is(err, scheduler.ErrStopping) {
			t.Errorf("trigger after shutdown: %v, want ErrStopping", err)
		}
		if runs, _ := scheduler.Runs(ctx, st, "short", 1); len(runs) != 1 || runs[0].Status != scheduler.StatusSucceeded {
			t.Errorf("runs %+v, want one succeeded", runs)
		}
	})

	t.Run("cancelled after grace", func(t *testing.T) {
		r := schedtest.Runner(t, st, scheduler.RunnerOptions{}, scheduler.Job{Name: "long", Run: long})
		if err := r.Start(ctx); err != nil {
			t.Fatal(err)
		}
		started.Add(1)
		r.Trigger("long", scheduler.TriggerAPI)
		started.Wait()
		sctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		begin := time.Now()
		if err := r.Shutdown(sctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("shutdown: %v, want the grace's deadline", err)
		}
		if took := time.Since(begin); took > 3*time.Second {
			t.Errorf("shutdown took %s", took)
		}
		runs, _ := scheduler.Runs(ctx, st, "long", 1)
		if len(runs) != 1 || runs[0].Status != scheduler.StatusInterrupted || !strings.Contains(runs[0].Error, "cancelled at shutdown") {
			t.Errorf("runs %+v, want one interrupted", runs)
		}
		var n int
		st.DB.QueryRowContext(ctx, `SELECT count(*) FROM results`).Scan(&n)
		if n != 0 {
			t.Errorf("%d rows stored by the cancelled job, want 0 (rolled back)", n)
		}
	})
}

// TestCatchUpAtStart: a run left running by a killed process is marked
// interrupted and run again at start; a job that follows new data runs when
// the job it needs wrote some after its last success.
func TestCatchUpAtStart(t *testing.T) {
	st := schedtest.Store(t)
	ctx := context.Background()
	now := time.Now().UTC()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO job_runs (job, trigger, attempt, started, finished, status, rows) VALUES ('transform', 'schedule', 1, ?, ?, 'succeeded', 5)`, []any{now.Add(-3 * time.Hour), now.Add(-3 * time.Hour)}},
		{`INSERT INTO job_runs (job, trigger, attempt, started, finished, status, rows) VALUES ('feed', 'schedule', 1, ?, ?, 'succeeded', 9)`, []any{now.Add(-2 * time.Hour), now.Add(-2 * time.Hour)}},
		{`INSERT INTO job_runs (job, trigger, attempt, started, status) VALUES ('police', 'schedule', 1, ?, 'running')`, []any{now.Add(-time.Hour)}},
	} {
		if _, err := st.DB.ExecContext(ctx, q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	marked, err := scheduler.MarkInterrupted(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if len(marked) != 1 || marked[0].Job != "police" || marked[0].Status != scheduler.StatusInterrupted || !strings.Contains(marked[0].Error, "killed") {
		t.Fatalf("marked %+v, want the police run, interrupted", marked)
	}
	var ran sync.Map
	job := func(name string, needs ...string) scheduler.Job {
		return scheduler.Job{Name: name, Needs: needs, OnNewData: len(needs) > 0, Run: func(ctx context.Context, st *store.Store) (int64, error) {
			ran.Store(name, true)
			return 0, nil
		}}
	}
	r := schedtest.Runner(t, st, scheduler.RunnerOptions{}, job("police"), job("feed"), job("transform", "police"), job("hotspots", "transform", "feed"), job("other"))
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	poll.Until(t, 5*time.Second, "catching up", func() bool { _, ok := ran.Load("hotspots"); return ok })
	poll.Until(t, 5*time.Second, "the queue to empty", idle(r))
	runs, _ := scheduler.Runs(ctx, st, "", 2)
	if got := schedtest.Summary(runs); got != "hotspots:succeeded police:succeeded" {
		t.Errorf("latest runs %s: want police (interrupted) and hotspots (feed wrote rows since its last success) run again", got)
	}
	for _, run := range runs {
		if run.Trigger != scheduler.TriggerStartup {
			t.Errorf("%s trigger %s, want startup", run.Job, run.Trigger)
		}
	}
	if _, ok := ran.Load("transform"); ok {
		t.Error("transform ran: police wrote nothing since its last success")
	}
}

func TestNewRunnerRejects(t *testing.T) {
	st := schedtest.Store(t)
	noop := func(ctx context.Context, st *store.Store) (int64, error) { return 0, nil }
	for _, tt := range []struct {
		jobs []scheduler.Job
		want string
	}{
		{[]scheduler.Job{{Name: "a", Run: noop}, {Name: "a", Run: noop}}, "defined twice"},
		{[]scheduler.Job{{Name: "a", Needs: []string{"b"}, Run: noop}, {Name: "b", Run: noop}}, "needs b, which is not a job before it"},
		{[]scheduler.Job{{Name: "a", Schedule: "every day", Run: noop}}, `schedule "every day"`},
		{[]scheduler.Job{{Name: "a", Schedule: "0 6 2 * * *", Run: noop}}, "want five fields"},
		{[]scheduler.Job{{Name: "a"}}, "needs a name and a Run function"},
	} {
		if _, err := scheduler.NewRunner(st, tt.jobs, scheduler.RunnerOptions{Log: schedtest.Quiet}); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewRunner(%v): %v, want an error containing %q", tt.jobs[0].Name, err, tt.want)
		}
	}
}
