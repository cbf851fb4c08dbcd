// Package pipeline is SaferCity's job graph: which jobs `safercity serve`
// schedules and `safercity run` runs once, what each needs, what triggers
// it (its clock, new data from the jobs it needs) and, for the hotspots
// and index jobs, which stored results to recompute because their inputs
// changed (downstream.go). It builds scheduler.Jobs from the configuration
// and the stage packages; package scheduler runs them.
//
// The jobs, in the order they run:
//
//	police       load the police.uk downloads in police.inbox   daily 07:00
//	police-api   fetch police.api_forces' latest month           daily 07:15
//	feed-NAME    load each configured partner feed               daily 05:30
//	transform    enrich new and republished months               after new police data
//	hotspots     the hotspot profiles for the latest month,      after new enriched crime, premises or incidents
//	             and every stored profile-month whose inputs changed
//	index        the resilience index for the latest month,      06:00 on the 2nd of the month, and after new data
//	             and every stored month whose inputs changed
//
// To add a step, append a scheduler.Job where it belongs in Jobs: a name,
// the jobs it Needs (they must come before it; it waits for them, and with
// OnNewData runs after any of them writes new rows) and a Run function
// returning the rows it wrote; give it a default clock in defaultSchedules
// if it should run by itself. Users override clocks by job name in the
// schedule: section of the configuration.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/safercity/safercity/config"
	"github.com/safercity/safercity/hotspots"
	"github.com/safercity/safercity/index/indexstage"
	"github.com/safercity/safercity/ingest"
	"github.com/safercity/safercity/ingest/feed"
	"github.com/safercity/safercity/ingest/policeapi"
	"github.com/safercity/safercity/internal/names"
	"github.com/safercity/safercity/scheduler"
	"github.com/safercity/safercity/store"
	"github.com/safercity/safercity/transform"
)

// defaultSchedules are the cron specs (Europe/London) of jobs that run by
// the clock unless the configuration says otherwise.
var defaultSchedules = map[string]string{
	// police.uk publishes each month on no fixed day: look every morning
	// (files already loaded are recognised and skipped).
	"police": "0 7 * * *",
	// The API's latest month: looked for daily too; unchanged data is
	// recognised and not written again.
	"police-api": "15 7 * * *",
	// The monthly index is due at the start of each month.
	"index": "0 6 2 * *",
}

// defaultFeedSchedule is the clock of every feed job: daily, before the
// working day.
const defaultFeedSchedule = "30 5 * * *"

// Jobs returns the jobs with their schedules, configured by cfg (read from
// cfgPath, where the feed contracts are too). month (YYYY-MM) fixes the
// month of hotspots and the index; "" means the latest enriched month at
// the time each runs.
func Jobs(log *slog.Logger, cfg *config.Config, cfgPath, month string) ([]scheduler.Job, error) {
	sj, err := newStageJobs(log, cfg, month)
	if err != nil {
		return nil, err
	}
	feeds, err := jobFeeds(log, cfg, cfgPath)
	if err != nil {
		return nil, err
	}
	jobs, loads := policeJobs(log, cfg)
	var allFeeds, hotspotFeeds []string
	for _, fd := range feeds {
		j := feedJob(log, fd)
		jobs = append(jobs, j)
		allFeeds = append(allFeeds, j.Name)
		if fd.Kind == feed.Premises || fd.Kind == feed.Incidents {
			hotspotFeeds = append(hotspotFeeds, j.Name) // NTE zones and night-time incidents
		}
	}
	jobs = append(jobs, sj.jobs(loads, hotspotFeeds, allFeeds)...)
	return jobs, schedule(jobs, cfg)
}

// policeJobs are the jobs that bring police data, as configured, and their
// names.
func policeJobs(log *slog.Logger, cfg *config.Config) (jobs []scheduler.Job, names []string) {
	if cfg.Police.Inbox != "" {
		inbox := cfg.Resolve(cfg.Police.Inbox)
		jobs = append(jobs, scheduler.Job{Name: "police", Run: func(ctx context.Context, st *store.Store) (int64, error) {
			sum, err := ingest.Police(ctx, st, []string{inbox}, ingest.Options{Log: log})
			if err != nil {
				return 0, err
			}
			return sum.Totals.Loaded, refusals(sum)
		}})
	}
	if len(cfg.Police.APIForces) > 0 {
		forces, url := cfg.Police.APIForces, cfg.Police.APIURL
		jobs = append(jobs, scheduler.Job{Name: "police-api", Run: func(ctx context.Context, st *store.Store) (int64, error) {
			return fetchLatest(ctx, st, &policeapi.Client{BaseURL: url, Logger: log}, forces, log)
		}})
	}
	for _, j := range jobs {
		names = append(names, j.Name)
	}
	return jobs, names
}

// fetchLatest is the police-api job: each force's latest month from the
// police.uk API.
func fetchLatest(ctx context.Context, st *store.Store, c *policeapi.Client, forces []string, log *slog.Logger) (int64, error) {
	var rows int64
	var warnings []error // e.g. an API copy kept out beside a bulk partition with LSOA columns
	for _, force := range forces {
		spool := filepath.Join(filepath.Dir(st.Path), ".safercity-spool", force+"-latest")
		sum, err := ingest.PoliceAPI(ctx, st, c, ingest.APIRequest{Force: force, Spool: spool}, ingest.Options{Log: log})
		if err != nil {
			return rows, err
		}
		rows += sum.Totals.Loaded
		if w := refusals(sum); w != nil {
			warnings = append(warnings, w)
		}
	}
	if len(warnings) > 0 {
		return rows, scheduler.Warning(errors.Join(warnings...))
	}
	return rows, nil
}

// feedJob loads one partner feed from its contract's source.
func feedJob(log *slog.Logger, fd *feed.Feed) scheduler.Job {
	return scheduler.Job{Name: "feed-" + fd.Name, Run: func(ctx context.Context, st *store.Store) (int64, error) {
		sum, err := ingest.Feed(ctx, st, fd, ingest.FeedOptions{Log: log})
		if err != nil {
			return 0, err
		}
		return sum.Totals.Loaded, refusals(&sum.Summary)
	}}
}

// stageJobs are the settings of transform, hotspots and the index, checked
// before any job is built.
type stageJobs struct {
	log   *slog.Logger
	month string
	tc    transform.Config
	ic    indexstage.Config
	hs    []hotspots.Options
}

func newStageJobs(log *slog.Logger, cfg *config.Config, month string) (*stageJobs, error) {
	s := &stageJobs{log: log, month: month}
	var err error
	if s.tc, err = cfg.TransformConfig(); err != nil {
		return nil, err
	}
	if s.ic, err = cfg.IndexConfig(); err != nil {
		return nil, err
	}
	s.ic.Log = log
	if s.hs, err = cfg.ScheduledHotspots(); err != nil {
		return nil, err
	}
	return s, nil
}

// jobs are transform, hotspots and the index, after the jobs that bring
// their data: police loads, and the feeds of hotspots and of all.
func (s *stageJobs) jobs(loads, hotspotFeeds, allFeeds []string) []scheduler.Job {
	return []scheduler.Job{
		{Name: "transform", Needs: loads, OnNewData: true,
			Run: func(ctx context.Context, st *store.Store) (int64, error) {
				res, err := transform.Run(ctx, st, s.tc, nil, s.log)
				var rows int64
				for _, r := range res {
					if r.Status == "computed" {
						rows += r.Rows
					}
				}
				return rows, err
			}},
		{Name: "hotspots", Needs: append([]string{"transform"}, hotspotFeeds...), OnNewData: true,
			Run: func(ctx context.Context, st *store.Store) (int64, error) {
				return followHotspots(ctx, st, s.hs, s.month)
			}},
		{Name: "index", Needs: append([]string{"transform", "hotspots"}, allFeeds...), OnNewData: true,
			Run: func(ctx context.Context, st *store.Store) (int64, error) { return followIndex(ctx, st, s.ic, s.month) }},
	}
}

// schedule gives each job its clock: the configuration's, else the default.
func schedule(jobs []scheduler.Job, cfg *config.Config) error {
	sc := cfg.Schedule
	var known []string
	for i := range jobs {
		j := &jobs[i]
		known = append(known, j.Name)
		spec, ok := sc.Jobs[j.Name]
		switch {
		case ok:
			j.Schedule = spec
		case strings.HasPrefix(j.Name, "feed-"):
			j.Schedule = defaultFeedSchedule
			if sc.Feeds != nil {
				j.Schedule = *sc.Feeds
			}
		default:
			j.Schedule = defaultSchedules[j.Name]
		}
	}
	var unknown []string
	for name := range sc.Jobs {
		if !slices.Contains(known, name) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	// The first unknown name, in order, is the one reported.
	sort.Strings(unknown)
	if unknown[0] == "police" {
		return fmt.Errorf("configuration: schedule.police is set but police.inbox is not: set police.inbox to the folder where police.uk downloads arrive")
	}
	return fmt.Errorf("configuration: schedule.%s: %w", unknown[0], names.Check("job", unknown[0], known))
}

// RunnerOptions are the scheduler's settings from the configuration.
func RunnerOptions(cfg *config.Config, log *slog.Logger) scheduler.RunnerOptions {
	return scheduler.RunnerOptions{Retries: cfg.Schedule.Retries, Backoff: cfg.Schedule.Backoff, Log: log}
}

// jobFeeds returns the partner feeds to load: those of the configuration,
// as `safercity ingest feed --all` finds them, or none when there is no
// feeds: section to find.
func jobFeeds(log *slog.Logger, cfg *config.Config, cfgPath string) ([]*feed.Feed, error) {
	fc, err := config.LoadFeeds(cfgPath)
	if err != nil {
		if cfg.Feeds.Kind != 0 {
			return nil, err
		}
		log.Info("no partner feeds configured: no feed jobs", "reason", err)
		return nil, nil
	}
	return fc.Feeds, nil
}

// jobMonth is the month a job works on: the one given (YYYY-MM), else the
// latest month with enriched crimes.
func jobMonth(ctx context.Context, st *store.Store, month string) (time.Time, error) {
	if month != "" {
		m, err := time.Parse("2006-01", month)
		if err != nil {
			return m, scheduler.Permanent(fmt.Errorf("month %q is not YYYY-MM", month))
		}
		return m, nil
	}
	m, err := transform.LatestMonth(ctx, st)
	if err != nil {
		return m, scheduler.Permanent(err)
	}
	return m, nil
}

// refusals turns the files an ingest refused, and those that had every
// line quarantined, into a warning on its run.
func refusals(sum *ingest.Summary) error {
	n := sum.Totals.Refused + sum.Totals.Kept // a kept-out poorer copy is recorded as refused
	var files []string
	for _, f := range sum.Files {
		if (f.Status == ingest.StatusRefused || f.Status == ingest.StatusKept) && len(files) < 3 {
			files = append(files, f.Path+": "+f.Error)
		}
	}
	var errs []error
	if n > 0 {
		errs = append(errs, fmt.Errorf("%d file(s) refused, the others loaded (see /api/sources?status=refused): %s",
			n, strings.Join(files, "; ")))
	}
	if emptied := sum.Emptied(); len(emptied) > 0 {
		errs = append(errs, fmt.Errorf("%d file(s) had every line quarantined, so nothing of them was loaded (see the quarantine table): %s",
			len(emptied), strings.Join(emptied, ", ")))
	}
	if len(errs) == 0 {
		return nil
	}
	return scheduler.Warning(errors.Join(errs...))
}
