package serve

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/safercity/safercity/internal/storetest"
	"github.com/safercity/safercity/scheduler"
	"github.com/safercity/safercity/store"
)

// openStore opens a fresh database file with every migration applied.
func openStore(t *testing.T) *store.Store {
	st, _ := storetest.Open(t)
	return st
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// newRunner starts no clock: the tests trigger jobs themselves.
func newRunner(t *testing.T, st *store.Store, o scheduler.RunnerOptions, jobs ...scheduler.Job) *scheduler.Runner {
	t.Helper()
	if o.Log == nil {
		o.Log = quiet
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

// finished reports whether the named job has a run with the status.
func finished(t *testing.T, st *store.Store, job string, status scheduler.Status) func() bool {
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

// summary is each run's job:status, in order.
func summary(runs []scheduler.Run) string {
	var parts []string
	for _, r := range runs {
		parts = append(parts, r.Job+":"+string(r.Status))
	}
	return strings.Join(parts, " ")
}

// badRequests checks that each GET target is answered 400 with a message
// holding its want.
func badRequests(t *testing.T, s *Server, cases map[string]string) {
	t.Helper()
	for target, want := range cases {
		if w := send(s, "GET", target, local); w.Code != 400 || !strings.Contains(w.Body.String(), want) {
			t.Errorf("%s: %d %s, want 400 saying %s", target, w.Code, w.Body.String(), want)
		}
	}
}
