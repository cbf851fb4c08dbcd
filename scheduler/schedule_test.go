package scheduler

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/safercity/safercity/internal/storetest"
	"github.com/safercity/safercity/store"
)

// TestScheduleInLondon: schedules are read on London's clocks, through the
// change between GMT and BST.
func TestScheduleInLondon(t *testing.T) {
	st, _ := storetest.Open(t)
	noop := func(ctx context.Context, st *store.Store) (int64, error) { return 0, nil }
	// Never started, the runner has no clock or goroutine to stop.
	r, err := NewRunner(st, []Job{{Name: "index", Schedule: "0 6 2 * *", Run: noop}, {Name: "monthly", Schedule: "@monthly", Run: noop}}, RunnerOptions{Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		job, after, want string
	}{
		{"index", "2024-03-15T12:00:00Z", "2024-04-02T05:00:00Z"}, // 06:00 BST
		{"index", "2024-10-15T12:00:00Z", "2024-11-02T06:00:00Z"}, // 06:00 GMT
		{"index", "2024-04-02T04:59:00Z", "2024-04-02T05:00:00Z"},
		{"monthly", "2024-06-15T00:00:00Z", "2024-06-30T23:00:00Z"}, // midnight BST on 1 July
	} {
		after, _ := time.Parse(time.RFC3339, tt.after)
		got := r.byName[tt.job].schedule.Next(after.In(London)).UTC().Format(time.RFC3339)
		if got != tt.want {
			t.Errorf("%s after %s: next %s, want %s", tt.job, tt.after, got, tt.want)
		}
	}
	infos := r.Jobs()
	if infos[0].Next == nil || infos[0].Next.Location() != London || infos[0].Next.Day() != 2 || infos[0].Next.Hour() != 6 {
		t.Errorf("Jobs: next %v, want 06:00 London time on the 2nd", infos[0].Next)
	}
}
