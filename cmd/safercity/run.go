package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/safercity/safercity/config"
	"github.com/safercity/safercity/pipeline"
	"github.com/safercity/safercity/scheduler"
	"github.com/safercity/safercity/store"
)

func init() {
	register(&command{
		name: "run",
		args: "[JOB...]",
		summary: "Run the pipeline once, in order, without the server: load police.inbox and the partner\n" +
			"feeds, transform, hotspots and the index; or only the jobs named. A job whose needs\n" +
			"failed is skipped. Every run is recorded in the job history (safercity jobs).",
		run: runRun,
	})
}

func runRun(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, lookup("run"))
	f.dbFlag()
	cfgPath := f.configFlag()
	month := f.String("month", "", "`YYYY-MM` of hotspots and the index (default: the latest month with enriched crimes)")
	list := f.Bool("list", false, "list the jobs in order with their schedules, and run nothing")
	names, err := f.parse(args)
	if err != nil {
		return err
	}
	if _, err := monthFlag(*month); err != nil {
		return err
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	jobs, err := pipeline.Jobs(e.log, cfg, *cfgPath, *month)
	if err != nil {
		return err
	}
	if *list {
		return listJobs(e.stdout, jobs)
	}
	selected, err := selectJobs(jobs, names)
	if err != nil {
		return err
	}
	if len(names) == 0 && cfg.Police.Inbox == "" {
		fmt.Fprintln(e.stdout, "(no police job: police.inbox is not configured; load police data with `safercity ingest police PATH`)")
	}
	st, err := store.Open(ctx, f.db)
	if err != nil {
		return err
	}
	defer st.Close()
	runner, err := scheduler.NewRunner(st, jobs, pipeline.RunnerOptions(cfg, e.log))
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	if _, err := scheduler.MarkInterrupted(ctx, st); err != nil {
		return err
	}
	return runSelected(ctx, e.stdout, runner, selected)
}

// listJobs prints the jobs in order with their schedules and needs.
func listJobs(w io.Writer, jobs []scheduler.Job) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "job\tschedule\tneeds\truns after new data")
	for _, j := range jobs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%v\n", j.Name, orDash(j.Schedule), orDash(strings.Join(j.Needs, ", ")), j.OnNewData)
	}
	return tw.Flush()
}

// runSelected runs the jobs in order, skipping those whose needs failed,
// with a line per job as it ends, so a long run shows its progress.
func runSelected(ctx context.Context, w io.Writer, runner *scheduler.Runner, selected []scheduler.Job) error {
	width := len("job")
	for _, j := range selected {
		width = max(width, len(j.Name))
	}
	fmt.Fprintf(w, "%-*s  %-11s %10s %9s\n", width, "job", "status", "rows", "took")
	var failed []string
	for _, j := range selected {
		if i := slices.IndexFunc(j.Needs, func(n string) bool { return slices.Contains(failed, n) }); i >= 0 {
			fmt.Fprintf(w, "%-*s  %-11s %10s %9s  needs %s, which failed\n", width, j.Name, "skipped", "", "", j.Needs[i])
			failed = append(failed, j.Name)
			continue
		}
		r, err := runner.Do(ctx, j.Name, scheduler.TriggerManual)
		took := ""
		if r.Finished != nil {
			took = r.Finished.Sub(r.Started).Round(time.Millisecond).String()
		}
		line := fmt.Sprintf("%-*s  %-11s %10d %9s  %s", width, j.Name, r.Status, r.Rows, took, strings.TrimSpace(r.Error+" "+r.Note))
		fmt.Fprintln(w, strings.TrimRight(line, " "))
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil && r.Status != scheduler.StatusSucceeded {
			failed = append(failed, j.Name)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("not done: %s (errors above and in `safercity jobs`)", strings.Join(failed, ", "))
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// selectJobs returns the named jobs in pipeline order (all for none),
// refusing an unknown name with the nearest.
func selectJobs(jobs []scheduler.Job, names []string) ([]scheduler.Job, error) {
	if len(names) == 0 {
		return jobs, nil
	}
	var selected []scheduler.Job
	var known []string
	for _, j := range jobs {
		known = append(known, j.Name)
		if slices.Contains(names, j.Name) {
			selected = append(selected, j)
		}
	}
	for _, n := range names {
		if err := nameCheck("job", n, known); err != nil {
			return nil, fmt.Errorf("%w: %w", errUsage, err)
		}
	}
	return selected, nil
}
