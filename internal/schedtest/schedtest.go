// Package schedtest gives the tests of the scheduler and of the server one
// harness: a fresh store, a job runner that starts no clock (the tests
// trigger jobs themselves) and stops when the test ends, and what the job
// history says. No mock stands in for the store or the runner.
package schedtest

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/safercity/safercity/internal/storetest"
	"github.com/safercity/safercity/scheduler"
	"github.com/safercity/safercity/store"
)

// Quiet is a logger that writes nothing, for runners whose logs the tests
// do not read.
var Quiet = slog.New(slog.DiscardHandler)

// Store opens a fresh database file with every migration applied, closed
// when the test ends.
func Store(t testing.TB) *store.Store {
	t.Helper()
	st, _ := storetest.Open(t)
	return st
}

// Runner makes a runner of jobs on st, logging to Quiet unless o says
// otherwise, shut down when the test ends.
func Runner(t testing.TB, st *store.Store, o scheduler.RunnerOptions, jobs ...scheduler.Job) *scheduler.Runner {
	t.Helper()
	if o.Log == nil {
		o.Log = Quiet
	}
	r, err := scheduler.NewRunner(st, jobs, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		r.Shutdown(ctx)
	})
	return r
}

// Finished reports whether the named job has a run with the status, for
// poll.Until.
func Finished(t testing.TB, st *store.Store, job string, status scheduler.Status) func() bool {
	return func() bool {
		runs, err := scheduler.Runs(context.Background(), st, job, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			if r.Status == status {
				return true
			}
		}
		return false
	}
}

// Summary is each run's job:status, in order.
func Summary(runs []scheduler.Run) string {
	var parts []string
	for _, r := range runs {
		parts = append(parts, r.Job+":"+string(r.Status))
	}
	return strings.Join(parts, " ")
}
