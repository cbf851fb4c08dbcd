package main

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

	"github.com/safercity/safercity/hotspots"
	"github.com/safercity/safercity/ingest"
	"github.com/safercity/safercity/ingest/feed"
	"github.com/safercity/safercity/ingest/policeapi"
	"github.com/safercity/safercity/scheduler"
	"github.com/safercity/safercity/store"
	"github.com/safercity/safercity/transform"
)

// The pipeline is the list of jobs that `safercity serve` schedules and
// `safercity run` runs once, built in pipeline below in the order they run:
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
// To add a step, append a scheduler.Job where it belongs in the list: a name,
// the jobs it Needs (they must come before it; it waits for them, and with
// OnNewData runs after any of them writes new rows) and a Run function
// returning the rows it wrote; give it a default clock in defaultSchedules
// if it should run by itself. Users override clocks by job name in the
// schedule: section of the configuration.

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

// defaultProfiles are the hotspot profiles the hotspots job computes.
var defaultProfiles = []string{"nte", "violence"}

// pipeline returns the jobs with their schedules. month (YYYY-MM) fixes the
// month of hotspots and the index; "" means the latest enriched month at the
// time each runs.
func pipeline(log *slog.Logger, cfg *config, cfgPath, month string) ([]scheduler.Job, error) {
	tc, err := cfg.transform()
	if err != nil {
		return nil, err
	}
	ic, err := cfg.index()
	if err != nil {
		return nil, err
	}
	ic.Log = log
	hs, err := hotspotOptions(cfg)
	if err != nil {
		return nil, err
	}
	feeds, err := pipelineFeeds(log, cfg, cfgPath)
	if err != nil {
		return nil, err
	}

	var jobs []scheduler.Job
	var loads []string // jobs that bring police data
	if cfg.Police.Inbox != "" {
		inbox := cfg.Police.Inbox
		if !filepath.IsAbs(inbox) {
			inbox = filepath.Join(cfg.dir, inbox)
		}
		jobs = append(jobs, scheduler.Job{Name: "police", Run: func(ctx context.Context, st *store.Store) (int64, error) {
			sum, err := ingest.Police(ctx, st, []string{inbox}, ingest.Options{Log: log})
			if err != nil {
				return 0, err
			}
			return sum.Totals.Loaded, refusals(sum)
		}})
		loads = append(loads, "police")
	}
	if len(cfg.Police.APIForces) > 0 {
		forces := cfg.Police.APIForces
		jobs = append(jobs, scheduler.Job{Name: "police-api", Run: func(ctx context.Context, st *store.Store) (int64, error) {
			c := &policeapi.Client{BaseURL: cfg.Police.APIURL, Logger: log}
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
		}})
		loads = append(loads, "police-api")
	}

	var allFeeds, hotspotFeeds []string
	for _, fd := range feeds {
		name := "feed-" + fd.Name
		jobs = append(jobs, scheduler.Job{Name: name, Run: func(ctx context.Context, st *store.Store) (int64, error) {
			sum, err := ingest.Feed(ctx, st, fd, ingest.FeedOptions{Log: log})
			if err != nil {
				return 0, err
			}
			return sum.Totals.Loaded, refusals(&sum.Summary)
		}})
		allFeeds = append(allFeeds, name)
		if fd.Kind == feed.Premises || fd.Kind == feed.Incidents {
			hotspotFeeds = append(hotspotFeeds, name) // NTE zones and night-time incidents
		}
	}

	jobs = append(jobs,
		scheduler.Job{Name: "transform", Needs: loads, OnNewData: true,
			Run: func(ctx context.Context, st *store.Store) (int64, error) {
				res, err := transform.Run(ctx, st, tc, nil, log)
				var rows int64
				for _, r := range res {
					if r.Status == "computed" {
						rows += r.Rows
					}
				}
				return rows, err
			}},
		scheduler.Job{Name: "hotspots", Needs: append([]string{"transform"}, hotspotFeeds...), OnNewData: true,
			Run: func(ctx context.Context, st *store.Store) (int64, error) { return followHotspots(ctx, st, hs, month) }},
		scheduler.Job{Name: "index", Needs: append([]string{"transform", "hotspots"}, allFeeds...), OnNewData: true,
			Run: func(ctx context.Context, st *store.Store) (int64, error) { return followIndex(ctx, st, ic, month) }},
	)
	return jobs, schedule(jobs, cfg)
}

// schedule gives each job its clock: the configuration's, else the default.
func schedule(jobs []scheduler.Job, cfg *config) error {
	sc := cfg.Schedule
	var names []string
	for i := range jobs {
		j := &jobs[i]
		names = append(names, j.Name)
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
		if !slices.Contains(names, name) {
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
	return fmt.Errorf("configuration: schedule.%s: %w", unknown[0], nameCheck("job", unknown[0], names))
}

// runnerOptions are the scheduler's settings from the configuration.
func (c *config) runnerOptions(log *slog.Logger) scheduler.RunnerOptions {
	return scheduler.RunnerOptions{Retries: c.Schedule.Retries, Backoff: c.Schedule.Backoff, Log: log}
}

// hotspotOptions are the hotspots job's runs, one per profile.
func hotspotOptions(cfg *config) ([]hotspots.Options, error) {
	names := cfg.Schedule.Profiles
	if len(names) == 0 {
		names = defaultProfiles
	}
	var out []hotspots.Options
	for _, name := range names {
		p, err := cfg.profile(name)
		if err != nil {
			return nil, fmt.Errorf("configuration: schedule.profiles: %w", err)
		}
		o, err := cfg.hotspotOptions(p)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// pipelineFeeds returns the partner feeds to load: those of the
// configuration, as `safercity ingest feed --all` finds them, or none when
// there is no feeds: section to find.
func pipelineFeeds(log *slog.Logger, cfg *config, cfgPath string) ([]*feed.Feed, error) {
	fc, err := loadFeedConfig(cfgPath)
	if err != nil {
		if cfg.Feeds.Kind != 0 {
			return nil, err
		}
		log.Info("no partner feeds configured: no feed jobs", "reason", err)
		return nil, nil
	}
	return fc.Feeds, nil
}

// jobMonth is the month a job works on: the one given, else the latest
// month with enriched crimes.
func jobMonth(ctx context.Context, st *store.Store, month string) (time.Time, error) {
	m, err := monthOrLatest(ctx, st, month)
	if err != nil {
		return m, scheduler.Permanent(err)
	}
	return m, nil
}

// refusals turns the files an ingest refused into a warning on its run.
func refusals(sum *ingest.Summary) error {
	n := sum.Totals.Refused + sum.Totals.Kept // a kept-out poorer copy is recorded as refused
	if n == 0 {
		return nil
	}
	var files []string
	for _, f := range sum.Files {
		if (f.Status == ingest.StatusRefused || f.Status == ingest.StatusKept) && len(files) < 3 {
			files = append(files, f.Path+": "+f.Error)
		}
	}
	return scheduler.Warning(fmt.Errorf("%d file(s) refused, the others loaded (see /api/sources?status=refused): %s",
		n, strings.Join(files, "; ")))
}
