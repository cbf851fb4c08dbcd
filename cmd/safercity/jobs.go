package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/safercity/safercity/serve"
	"github.com/safercity/safercity/store"
)

func init() {
	register(&command{
		name: "jobs",
		summary: "List the job history, newest first: job, trigger, attempt, start (Europe/London), time\n" +
			"taken, status, rows written and error. While `safercity serve` holds the database, read\n" +
			"it from the server with --server.",
		run: runJobs,
	})
}

func runJobs(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, lookup("jobs"))
	f.dbFlag()
	job := f.String("job", "", "only this job's runs")
	limit := f.Int("limit", 20, "show at most this many `runs`")
	asJSON := f.Bool("json", false, "print the runs as a JSON array")
	server := f.String("server", "", "read the history from a running server at this `URL`, e.g. http://127.0.0.1:8080 (token from env SAFERCITY_TOKEN)")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 || *limit < 1 {
		return fmt.Errorf("%w: jobs takes no arguments, and --limit must be at least 1", errUsage)
	}
	var runs []serve.Run
	stale := false
	if *server != "" {
		runs, err = fetchRuns(ctx, *server, *job, *limit)
		if err != nil {
			return err
		}
	} else {
		st, err := store.OpenReadOnly(ctx, f.db)
		if err != nil {
			if strings.Contains(err.Error(), "in use by another process") {
				return fmt.Errorf("%w\nTo read the history from the server: safercity jobs --server http://%s", err, defaultAddr)
			}
			return err
		}
		defer st.Close()
		if runs, err = serve.Runs(ctx, st, *job, *limit); err != nil {
			return err
		}
		// Opened read-only, so no process holds the file for writing: a
		// run still marked running belongs to one that is gone.
		for _, r := range runs {
			stale = stale || r.Status == serve.StatusRunning
		}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if runs == nil {
			runs = []serve.Run{}
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
			r.Started.In(serve.London).Format("2006-01-02 15:04:05 MST"), took, r.Status, r.Rows, clip(r.Error), clip(r.Note))
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
func fetchRuns(ctx context.Context, server, job string, limit int) ([]serve.Run, error) {
	u, err := url.Parse(strings.TrimSuffix(server, "/") + "/api/jobs")
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: --server %q: want a URL such as http://127.0.0.1:8080", errUsage, server)
	}
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	if job != "" {
		q.Set("job", job)
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	if tok := os.Getenv("SAFERCITY_TOKEN"); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, err
	}
	var out struct {
		Runs  []serve.Run `json:"runs"`
		Error string      `json:"error"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, fmt.Errorf("%s: %s: not the job history (%v)", u.Redacted(), resp.Status, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s: %s", u.Redacted(), resp.Status, out.Error)
	}
	return out.Runs, nil
}

// clip shortens a message for the table; --json has it whole.
func clip(msg string) string {
	if len(msg) > 100 {
		return msg[:100] + "…"
	}
	return msg
}
