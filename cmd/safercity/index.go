package main

import (
	"context"
	"fmt"
	"sort"
	"text/tabwriter"

	"github.com/safercity/safercity/index"

	"github.com/safercity/safercity/index/indexstage"
	"github.com/safercity/safercity/store"
)

func init() {
	register(&command{
		name: "index",
		summary: "Score the comparative resilience index for a month across units (cities, districts):\n" +
			"indicators from police data and partner feeds, normalised, weighted and aggregated into\n" +
			"pillar and overall scores with Monte Carlo rank intervals, GREEN/AMBER/RED ratings and\n" +
			"trends. Stores the scores and writes index-YYYY-MM.html (self-contained), .csv, .json and .xlsx.",
		run: runIndex,
	})
	register(&command{
		name:    "index indicators",
		summary: "List the indicators the index computes from the store: code, pillar, direction, unit, source.",
		run:     runIndexIndicators,
	})
}

func runIndex(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, lookup("index"))
	f.dbFlag()
	cfgPath := f.configFlag()
	month := f.String("month", "", "`YYYY-MM` to score (default: the latest month with enriched crimes)")
	out := f.String("out", ".", "`folder` for index-YYYY-MM.html, .csv, .json and .xlsx (\"\" to write none)")
	if _, err := f.parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	ic, err := cfg.index()
	if err != nil {
		return err
	}
	ic.Log = e.log
	st, err := store.OpenExisting(ctx, f.db)
	if err != nil {
		return err
	}
	defer st.Close()
	m, err := monthOrLatest(ctx, st, *month)
	if err != nil {
		return err
	}
	res, err := indexstage.Run(ctx, st, m, ic, *out)
	if err != nil {
		return err
	}
	r := res.Report.Result
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s — %s\n", res.Report.Title, r.Period)
	fmt.Fprintln(tw, "rank\tunit\tscore\trank 5–95%")
	units := append([]index.UnitResult(nil), r.Units...)
	sort.SliceStable(units, func(i, j int) bool { return units[i].Rank < units[j].Rank })
	for _, u := range units {
		fmt.Fprintf(tw, "%d\t%s\t%.1f\t%d–%d\n", u.Rank, u.Unit, u.Score, u.Interval.P05, u.Interval.P95)
	}
	tw.Flush()
	for _, s := range res.Report.Summary {
		fmt.Fprintln(e.stdout, "•", s)
	}
	for _, p := range res.Files {
		fmt.Fprintln(e.stdout, "wrote", p)
	}
	return nil
}

func runIndexIndicators(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, lookup("index indicators"))
	if _, err := f.parse(args); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "code\tpillar\tdirection\tunit\tneeds\tname")
	for _, d := range indexstage.Definitions {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", d.Code, d.Pillar, d.Direction, d.Unit, d.Needs, d.Name)
	}
	fmt.Fprintln(tw, "(partner indicators come from the indicators feed, with the pillar and direction its contract declares)")
	return tw.Flush()
}
