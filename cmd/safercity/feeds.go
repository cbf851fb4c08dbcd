package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/safercity/safercity/config"
	"github.com/safercity/safercity/ingest"
	"github.com/safercity/safercity/ingest/feed"
	"github.com/safercity/safercity/store"
)

func init() {
	register(&command{
		name: "ingest feed",
		args: "NAME [PATH] | --all",
		summary: "Load a partner feed (licensed premises, incident logs, population, indicators)\n" +
			"as its contract in the configuration file declares; PATH (a file, an inbox\n" +
			"folder or an http(s) URL) overrides the contract's source. Only declared fields\n" +
			"are stored; rows that cannot be loaded are kept in quarantine with their reason.",
		run: runIngestFeed,
	})
	register(&command{
		name:    "feeds",
		summary: "List the configured partner feeds with their kind, source and last load.",
		run:     runFeeds,
	})
}

// feedConfigFlag adds --config, saying where feed contracts come from
// without one.
func feedConfigFlag(f *flags) *string {
	p := f.configFlag()
	f.Lookup("config").Usage = "configuration `file` with the feed contracts (env SAFERCITY_CONFIG; default ./safercity.yaml if present, else " + config.BundledFeeds + ")"
	return p
}

func runIngestFeed(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, lookup("ingest feed"))
	f.dbFlag()
	cfgPath := feedConfigFlag(f)
	all := f.Bool("all", false, "load every configured feed")
	quiet := f.Bool("quiet", false, "no per-file lines, only each feed's totals")
	asJSON := f.Bool("json", false, "print the summary as one JSON object (feeds, each with files and totals; errors) for scripts")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	switch {
	case *all && len(pos) > 0:
		return fmt.Errorf("%w: --all loads every feed from its own source; give no NAME or PATH", errUsage)
	case !*all && (len(pos) == 0 || len(pos) > 2):
		return fmt.Errorf("%w: give a feed NAME and optionally a PATH, or --all (`safercity feeds` lists the feeds)", errUsage)
	}
	cfg, err := config.LoadFeeds(*cfgPath)
	if err != nil {
		return err
	}
	feeds := cfg.Feeds
	var source string
	if !*all {
		fd, err := cfg.Lookup(pos[0])
		if err != nil {
			return err
		}
		feeds = []*feed.Feed{fd}
		if len(pos) == 2 {
			source = pos[1]
		}
	}
	st, err := store.Open(ctx, f.db)
	if err != nil {
		return err
	}
	defer st.Close()
	out := struct {
		Feeds  []*ingest.FeedSummary `json:"feeds"`
		Errors []string              `json:"errors,omitempty"`
	}{Feeds: []*ingest.FeedSummary{}}
	refused := 0
	for _, fd := range feeds {
		sum, err := ingest.Feed(ctx, st, fd, ingest.FeedOptions{Source: source, Log: e.log})
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			out.Errors = append(out.Errors, err.Error())
			continue
		}
		out.Feeds = append(out.Feeds, sum)
		refused += sum.Totals.Refused
		if !*asJSON {
			fmt.Fprintf(e.stdout, "feed %s (%s) from %s\n", sum.Feed, sum.Kind, sum.Source)
			printSummary(e, &sum.Summary, *quiet)
			fmt.Fprintln(e.stdout)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	}
	switch {
	case len(out.Errors) > 0:
		return fmt.Errorf("%d feed(s) not loaded: %s", len(out.Errors), strings.Join(out.Errors, "; "))
	case refused > 0:
		return fmt.Errorf("%d file(s) refused (see their errors above); the other files were loaded", refused)
	}
	return nil
}

func runFeeds(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, lookup("feeds"))
	f.dbFlag()
	cfgPath := feedConfigFlag(f)
	asJSON := f.Bool("json", false, "print the feeds as a JSON array for scripts")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: feeds takes no arguments", errUsage)
	}
	cfg, err := config.LoadFeeds(*cfgPath)
	if err != nil {
		return err
	}
	statuses := map[string]ingest.FeedStatus{}
	if _, err := os.Stat(f.db); err == nil {
		st, err := store.OpenReadOnly(ctx, f.db)
		if err != nil {
			e.log.Warn("last loads unknown", "error", err)
		} else {
			defer st.Close()
			list, err := ingest.FeedStatuses(ctx, st, cfg.Feeds)
			if err != nil {
				return err
			}
			for _, s := range list {
				statuses[s.Feed] = s
			}
		}
	}
	type row struct {
		Name     string             `json:"name"`
		Kind     feed.Kind          `json:"kind"`
		Format   string             `json:"format"`
		Source   string             `json:"source"`
		Partner  string             `json:"partner"`
		LastLoad *ingest.FeedStatus `json:"last_load"` // null if never loaded
	}
	var rows []row
	for _, fd := range cfg.Feeds {
		r := row{Name: fd.Name, Kind: fd.Kind, Format: fd.Format, Source: shortPath(fd.Source), Partner: fd.Partner}
		if s, ok := statuses[fd.Name]; ok && !s.LastLoad.IsZero() {
			r.LastLoad = &s
		}
		rows = append(rows, r)
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	fmt.Fprintf(e.stdout, "feeds in %s\n", cfg.Path)
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "feed\tkind\tformat\tsource\tlast load (UTC)\trows\tquarantined\tstatus")
	for _, r := range rows {
		last, n, q, status := "never", "-", "-", "-"
		if s := r.LastLoad; s != nil {
			last, n, q, status = s.LastLoad.Format("2006-01-02 15:04"), fmt.Sprint(s.Rows), fmt.Sprint(s.Quarantined), s.LastStatus
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, r.Kind, r.Format, r.Source, last, n, q, status)
	}
	return tw.Flush()
}

// shortPath shows a source relative to the working folder when it is inside it.
func shortPath(p string) string {
	if feed.IsURL(p) || !filepath.IsAbs(p) {
		return p
	}
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if rel, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return p
}
