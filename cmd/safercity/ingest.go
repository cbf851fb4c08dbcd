package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime/debug"

	"github.com/safercity/safercity/ingest"
	"github.com/safercity/safercity/store"
)

func init() {
	register(&command{
		name: "ingest police",
		args: "PATH...",
		summary: "Load data.police.uk bulk files: single CSVs, folders laid out as the archive\n" +
			"(YYYY-MM/YYYY-MM-<force>-street.csv, -outcomes.csv, -stop-and-search.csv),\n" +
			"or the archive .zip itself. Loading a force-month again replaces it; rows that\n" +
			"cannot be loaded are kept in the quarantine table with their reason. Unchanged\n" +
			"zip entries are recognised by their CRC-32 and size without being read. A poorer\n" +
			"copy (most rows lost, or no LSOA columns where the stored one has them) is kept\n" +
			"out unless --replace-poorer; only regular files are read, each up to --max-file-mb.",
		run: runIngestPolice,
	})
}

func runIngestPolice(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, lookup("ingest police"))
	f.dbFlag()
	quiet := f.Bool("quiet", false, "no progress bar and no per-file lines")
	asJSON := f.Bool("json", false, "print the summary as one JSON object (files, totals) for scripts")
	workers := f.Int("workers", 0, "files parsed in parallel (0: one per CPU)")
	replacePoorer := f.Bool("replace-poorer", false, "replace stored partitions even with a poorer copy (one that lost most of its rows, or lacks the LSOA columns)")
	maxMB := f.Int64("max-file-mb", ingest.DefaultMaxFileBytes>>20, "refuse any file or zip entry larger than this many MiB")
	paths, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return fmt.Errorf("%w: give at least one CSV file, folder or .zip", errUsage)
	}
	st, err := store.Open(ctx, f.db)
	if err != nil {
		return err
	}
	defer st.Close()
	if *maxMB <= 0 {
		return fmt.Errorf("%w: --max-file-mb must be positive", errUsage)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(ingest.GoMemoryLimit)
	}
	if err := ingest.ForLoading(ctx, st); err != nil {
		return err
	}
	opt := ingest.Options{Workers: *workers, Log: e.log, ReplacePoorer: *replacePoorer, MaxFileBytes: *maxMB << 20}
	if !*quiet && !*asJSON && isTerminal(e.stderr) {
		opt.Progress = ingest.NewProgress(e.stderr)
	}
	sum, err := ingest.Police(ctx, st, paths, opt)
	if sum != nil {
		if *asJSON {
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			if jerr := enc.Encode(sum); jerr != nil {
				return jerr
			}
		} else {
			printSummary(e, sum, *quiet)
		}
	}
	if err != nil {
		return err
	}
	if sum.Totals.Refused > 0 {
		return fmt.Errorf("%d file(s) refused (see their errors above); the other files were loaded", sum.Totals.Refused)
	}
	if sum.Totals.Kept > 0 {
		return fmt.Errorf("%d stored partition(s) kept instead of a poorer copy (see above); check those files, or load them with --replace-poorer", sum.Totals.Kept)
	}
	return allQuarantined(sum)
}

func printSummary(e *env, sum *ingest.Summary, quiet bool) {
	w := e.stdout
	if !quiet {
		fmt.Fprintf(w, "%-10s %9s %11s %9s  %s\n", "status", "loaded", "quarantined", "replaced", "file")
		for _, r := range sum.Files {
			msg := r.Path
			if r.Error != "" {
				msg += ": " + r.Error
			} else if r.Note != "" {
				msg += " (" + r.Note + ")"
			}
			fmt.Fprintf(w, "%-10s %9d %11d %9d  %s\n", r.Status, r.Loaded, r.Quarantined, r.Replaced, msg)
		}
	}
	t := sum.Totals
	fmt.Fprintf(w, "%-10s %9d %11d %9d  %d files: %d unchanged, %d superseded, %d skipped, %d kept out, %d refused\n",
		"total", t.Loaded, t.Quarantined, t.Replaced, t.Files, t.Unchanged, t.Superseded, t.Skipped, t.Kept, t.Refused)
}
