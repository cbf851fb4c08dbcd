package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/safercity/safercity/scheduler"
	"github.com/safercity/safercity/store"
)

func init() {
	register(&command{
		name: "jobs",
		summary: "List the job history, newest first: job, trigger, attempt, start (Europe/London), time\n" +
			"taken, status, rows written and error. While `safercity serve` holds the database, the\n" +
			"history comes from that server (the address it recorded beside the database), or --server.",
		run: runJobs,
	})
}

func runJobs(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, lookup("jobs"))
	f.dbFlag()
	job := f.String("job", "", "only this job's runs")
	limit := f.Int("limit", 20, "show at most this many `runs`")
	asJSON := f.Bool("json", false, "print the runs as a JSON array")
	server := f.String("server", "", "read the history from a running server at this `URL` (token from env SAFERCITY_TOKEN); by default, when a server holds the database, the one it recorded beside it")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 || *limit < 1 {
		return fmt.Errorf("%w: jobs takes no arguments, and --limit must be at least 1", errUsage)
	}
	var runs []scheduler.Run
	stale := false
	if *server != "" {
		runs, err = fetchRuns(ctx, serverAt(f.db, *server), *job, *limit)
		if err != nil {
			return err
		}
	} else {
		st, err := store.OpenReadOnly(ctx, f.db)
		if base, ok := serverFor(f.db, err); ok {
			// The server holds the database: ask it.
			e.log.Debug("the database is held by a server; reading the history from it", "url", base)
			runs, err = fetchRuns(ctx, base, *job, *limit)
		} else if err == nil {
			defer st.Close()
			runs, err = scheduler.Runs(ctx, st, *job, *limit)
			// Opened read-only, so no process holds the file for writing: a
			// run still marked running belongs to one that is gone.
			for _, r := range runs {
				stale = stale || r.Status == scheduler.StatusRunning
			}
		}
		if err != nil {
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if runs == nil {
			runs = []scheduler.Run{}
		}
		return enc.Encode(runs)
	}
	if len(runs) == 0 {
		fmt.Fprintln(e.stdout, "no runs yet: `safercity serve` runs the jobs on their schedules, `safercity run` runs them now")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "run\tjob\ttrigger\tattempt\tstarted\ttook\tstatus\trows\terror\tnote")
	for _, r := range runs {
		took := ""
		if r.Finished != nil {
			took = r.Finished.Sub(r.Started).Round(time.Millisecond).String()
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t%s\t%d\t%s\t%s\n", r.ID, r.Job, r.Trigger, r.Attempt,
			r.Started.In(scheduler.London).Format("2006-01-02 15:04:05 MST"), took, r.Status, r.Rows, clip(r.Error), clip(r.Note))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if stale {
		fmt.Fprintln(e.stdout, "(a run shown as running belongs to a process that stopped without finishing it; the next serve or run marks it interrupted)")
	}
	return nil
}

// fetchRuns reads the job history from a running server's API.
func fetchRuns(ctx context.Context, server remote, job string, limit int) ([]scheduler.Run, error) {
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	if job != "" {
		q.Set("job", job)
	}
	var out struct {
		Runs []scheduler.Run `json:"runs"`
	}
	err := apiGet(ctx, server, "/api/jobs", q, &out)
	return out.Runs, err
}

// clip shortens a message for the table; --json has it whole.
func clip(msg string) string {
	if len(msg) > 100 {
		return msg[:100] + "…"
	}
	return msg
}
