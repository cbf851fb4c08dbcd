package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/safercity/safercity/lake"
	"github.com/safercity/safercity/store"
)

func init() {
	register(&command{
		name: "export lake",
		args: "DIR",
		summary: "Write the enriched crimes, outcomes, stop and search and hotspot cells as a Parquet lake,\n" +
			"hive-partitioned as DIR/TABLE/month=YYYY-MM/force=SLUG/, for Spark, Trino, BigQuery or\n" +
			"DuckDB (docs/lake.md). Only partitions whose rows changed since the last export are\n" +
			"rewritten; partitions the database no longer has are deleted. `safercity query --lake DIR`\n" +
			"runs the named queries on it.",
		run: runExportLake,
	})
}

func runExportLake(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, lookup("export lake"))
	f.dbFlag()
	asJSON := f.Bool("json", false, "print what was written, left and removed per table as JSON")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: give the lake's folder (it is created when missing)", errUsage)
	}
	st, err := store.OpenReadOnly(ctx, f.db)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := lake.Export(ctx, st, pos[0])
	if *asJSON && res != nil {
		if werr := writeJSON(e.stdout, map[string]any{"dir": pos[0], "tables": res}); werr != nil {
			return werr
		}
	} else if res != nil {
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "table\twritten\tunchanged\tremoved\trows written")
		for _, r := range res {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\n", r.Table, len(r.Written), r.Unchanged, len(r.Removed), r.Rows)
		}
		tw.Flush()
		for _, r := range res {
			if len(r.Removed) > 0 {
				fmt.Fprintf(e.stdout, "%s: removed (no longer in the database): %s\n", r.Table, strings.Join(r.Removed, ", "))
			}
		}
	}
	return err
}

// openLake opens a lake for the named queries, for query --lake.
func openLake(ctx context.Context, dir string) (*store.Store, error) {
	st, held, err := lake.Open(ctx, dir)
	if err != nil {
		return nil, err
	}
	if len(held) == 0 {
		st.Close()
		return nil, fmt.Errorf("lake %s holds no rows yet: run safercity export lake %s", dir, dir)
	}
	return st, nil
}
