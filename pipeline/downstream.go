package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/safercity/safercity/hotspots"
	"github.com/safercity/safercity/index/indexstage"
	"github.com/safercity/safercity/ingest/feed"
	"github.com/safercity/safercity/inputs"
	"github.com/safercity/safercity/scheduler"
	"github.com/safercity/safercity/store"
)

// The hotspots and index jobs follow the data: besides the month they are
// for (the one given, else the latest enriched month), they recompute every
// stored result whose inputs changed since it was computed — a month
// republished in a later archive, a reloaded partner feed, other settings —
// oldest month first, and note each one and why in the job history. Their
// inputs are recorded in result_inputs (package inputs).

// indexLookback is how far back an index month reads enriched crimes: the
// same month a year before, scored for trends over its own twelve months.
const indexLookback = 23

// followHotspots is the hotspots job.
func followHotspots(ctx context.Context, st *store.Store, hs []hotspots.Options, month string) (int64, error) {
	target, err := jobMonth(ctx, st, month)
	if err != nil {
		return 0, err
	}
	byName := map[string]hotspots.Options{}
	var want []inputs.Result
	stored := map[inputs.Result]bool{}
	for _, o := range hs {
		byName[o.Profile.Name] = o
		months, err := parseMonths(hotspots.StoredMonths(ctx, st, o.Profile.Name))
		if err != nil {
			return 0, err
		}
		want = appendResults(want, stored, "hotspots", o.Profile.Name, months, target)
	}
	if err := noteUnfollowed(ctx, st, byName); err != nil {
		return 0, err
	}
	tasks, err := plan(ctx, st, "hotspots", want, stored, func(r inputs.Result) (inputs.Parts, error) {
		return hotspotInputs(ctx, st, byName[r.Key], r.Month)
	})
	if err != nil {
		return 0, err
	}
	// A profile-month that cannot be computed (no crime of the profile that
	// month, say) does not hold up the others; nor does an index month.
	var rows int64
	var problems []string
	shared := hotspots.NewShared() // the profiles of a month share each force's study area
	for _, t := range tasks {
		o := byName[t.Key]
		o.Month, o.Shared = t.Month, shared
		if _, err := hotspots.Run(ctx, st, o); err != nil {
			if ctx.Err() != nil {
				return rows, err
			}
			problems = append(problems, fmt.Sprintf("profile %s %s: %v", t.Key, t.Month.Format("2006-01"), err))
			continue
		}
		n, err := recordTask(ctx, st, t, func() (int64, error) { return hotspots.CellCount(ctx, st, t.Key, t.Month) })
		if err != nil {
			return rows, err
		}
		rows += n
	}
	return rows, taskProblems(problems, len(tasks))
}

// hotspotInputs are what a profile's month is computed from: the enriched
// crimes of its emerging hot spot window, the premises (NTE zones) and
// incidents feeds, and its settings.
func hotspotInputs(ctx context.Context, st *store.Store, o hotspots.Options, m time.Time) (inputs.Parts, error) {
	window := o.Window
	if window == 0 {
		window = hotspots.DefaultWindow
	}
	p := inputs.Parts{}
	o.Month = time.Time{}
	inputs.AddSettings(p, o)
	if err := inputs.AddEnriched(ctx, st, p, m.AddDate(0, 1-window, 0), m); err != nil {
		return nil, err
	}
	return p, inputs.AddFeeds(ctx, st, p, string(feed.Premises), string(feed.Incidents))
}

// noteUnfollowed notes stored hotspot profiles that the job does not
// compute (run by hand with `safercity hotspots`), which it cannot keep up
// to date.
func noteUnfollowed(ctx context.Context, st *store.Store, profiles map[string]hotspots.Options) error {
	stored, err := hotspots.StoredProfiles(ctx, st)
	if err != nil {
		return err
	}
	var other []string
	for _, n := range stored {
		if _, ok := profiles[n]; !ok {
			other = append(other, n)
		}
	}
	if len(other) > 0 {
		scheduler.Note(ctx, "stored profiles %s are not recomputed when their data change (add them to schedule.profiles to follow them)",
			strings.Join(other, ", "))
	}
	return nil
}

// followIndex is the index job.
func followIndex(ctx context.Context, st *store.Store, ic indexstage.Config, month string) (int64, error) {
	target, err := jobMonth(ctx, st, month)
	if err != nil {
		return 0, err
	}
	months, err := parseMonths(indexstage.Months(ctx, st))
	if err != nil {
		return 0, err
	}
	stored := map[inputs.Result]bool{}
	want := appendResults(nil, stored, "index", "", months, target)
	tasks, err := plan(ctx, st, "index", want, stored, func(r inputs.Result) (inputs.Parts, error) {
		return indexInputs(ctx, st, ic, r.Month)
	})
	if err != nil {
		return 0, err
	}
	var rows int64
	var problems []string
	thin := 0
	for _, t := range tasks {
		if _, err := indexstage.Run(ctx, st, t.Month, ic, ""); err != nil {
			if ctx.Err() != nil {
				return rows, err
			}
			if errors.Is(err, indexstage.ErrNoData) || errors.Is(err, indexstage.ErrTooThin) {
				thin++
			}
			problems = append(problems, fmt.Sprintf("index %s: %v", t.Month.Format("2006-01"), err))
			continue
		}
		n, err := recordTask(ctx, st, t, func() (int64, error) { return indexstage.ScoreCount(ctx, st, t.Month) })
		if err != nil {
			return rows, err
		}
		rows += n
	}
	err = taskProblems(problems, len(tasks))
	if thin > 0 && thin == len(tasks) {
		// Retrying cannot add data: fail once, with the reason.
		err = scheduler.Permanent(err)
	}
	return rows, err
}

// indexInputs are what an index month is computed from: the enriched
// crimes of its lookback, the population and indicators feeds, and its
// settings.
func indexInputs(ctx context.Context, st *store.Store, ic indexstage.Config, m time.Time) (inputs.Parts, error) {
	ic.Log = nil
	p := inputs.Parts{}
	inputs.AddSettings(p, ic)
	if err := inputs.AddEnriched(ctx, st, p, m.AddDate(0, -indexLookback, 0), m); err != nil {
		return nil, err
	}
	return p, inputs.AddFeeds(ctx, st, p, string(feed.Population), string(feed.Indicators))
}

// RecordHotspots records, for a profile's month that the hotspots command
// has just computed, what it was computed from, so that the hotspots job
// does not compute it again while that stands (or does, saying why, when
// its own settings differ). A run of one force replaced only that force's
// rows: its month's record is removed instead, and the job recomputes the
// month whole.
func RecordHotspots(ctx context.Context, st *store.Store, o hotspots.Options) error {
	r := inputs.Result{Stage: "hotspots", Key: o.Profile.Name, Month: o.Month}
	if o.Force != "" {
		return inputs.Forget(ctx, st, r)
	}
	o.Shared = nil
	p, err := hotspotInputs(ctx, st, o, o.Month)
	if err != nil {
		return err
	}
	return inputs.Record(ctx, st, r, p)
}

// RecordIndex records what an index month that the index command has just
// scored was computed from, as the index job does.
func RecordIndex(ctx context.Context, st *store.Store, m time.Time, ic indexstage.Config) error {
	p, err := indexInputs(ctx, st, ic, m)
	if err != nil {
		return err
	}
	return inputs.Record(ctx, st, inputs.Result{Stage: "index", Month: m}, p)
}

// parseMonths parses the YYYY-MM months a stage lists as stored.
func parseMonths(list []string, err error) ([]time.Time, error) {
	if err != nil {
		return nil, err
	}
	out := make([]time.Time, 0, len(list))
	for _, s := range list {
		m, err := time.Parse("2006-01", s)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// appendResults adds a stage's stored results of months, marked stored,
// and the target month's unless stored already.
func appendResults(want []inputs.Result, stored map[inputs.Result]bool, stage, key string, months []time.Time, target time.Time) []inputs.Result {
	hasTarget := false
	for _, m := range months {
		r := inputs.Result{Stage: stage, Key: key, Month: m}
		stored[r] = true
		want = append(want, r)
		hasTarget = hasTarget || m.Equal(target)
	}
	if !hasTarget {
		want = append(want, inputs.Result{Stage: stage, Key: key, Month: target})
	}
	return want
}

// plan lists the results to compute, or notes that there are none.
func plan(ctx context.Context, st *store.Store, stage string, want []inputs.Result, stored map[inputs.Result]bool,
	now func(inputs.Result) (inputs.Parts, error)) ([]inputs.Task, error) {
	recorded, err := inputs.Recorded(ctx, st, stage)
	if err != nil {
		return nil, err
	}
	tasks, err := inputs.Plan(want, stored, recorded, now)
	if err == nil && len(tasks) == 0 {
		scheduler.Note(ctx, "all %d stored results up to date", len(want))
	}
	return tasks, err
}

// recordTask records the inputs of a result just computed, notes it with
// its reason, and returns the rows it stored (count counts them).
func recordTask(ctx context.Context, st *store.Store, t inputs.Task, count func() (int64, error)) (int64, error) {
	if err := inputs.Record(ctx, st, t.Result, t.Inputs); err != nil {
		return 0, err
	}
	scheduler.Note(ctx, "%s: %s", t.Result, t.Reason)
	return count()
}

// taskProblems is the job's outcome when some tasks failed: an error when
// all did, else a warning.
func taskProblems(problems []string, tasks int) error {
	switch {
	case len(problems) == 0:
		return nil
	case len(problems) == tasks:
		return errors.New(strings.Join(problems, "; "))
	}
	return scheduler.Warning(errors.New(strings.Join(problems, "; ")))
}
