package main

import (
	"context"
	"fmt"
	"sort"
	"text/tabwriter"

	"github.com/safercity/safercity/config"
	"github.com/safercity/safercity/index"
	"github.com/safercity/safercity/pipeline"

	"github.com/safercity/safercity/index/indexstage"
	"github.com/safercity/safercity/store"
)

func init() {
	register(&command{
		name: "index",
		summary: "Score the comparative resilience index for a month across units (every district of England\n" +
			"and Wales with police data, the cities set, or your own units): indicators from police data,\n" +
			"bundled ONS populations and partner feeds, normalised, weighted and aggregated into pillar and\n" +
			"overall scores with Monte Carlo rank intervals nationally and among each unit's most similar\n" +
			"units, GREEN/AMBER/RED ratings and trends; every district left out is listed with the reason.\n" +
			"Stores the scores and writes index-YYYY-MM.html (self-contained, with maps), .csv, .json and .xlsx.",
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
	units := f.String("units", "", "comparison `units`: districts (every district with police data), cities (core and major cities,\n"+
		"data/units-cities.yaml) or a YAML file of units made of districts (default: index.unit_set, else districts)")
	if _, err := f.parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	ic, err := cfg.IndexConfig()
	if err != nil {
		return err
	}
	ic.Log = e.log
	if *units != "" {
		ic.UnitSet = *units
	}
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
	if err := pipeline.RecordIndex(ctx, st, m, ic); err != nil { // so that the next run or serve does not score it again
		return err
	}
	r := res.Report.Result
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s — %s\n", res.Report.Title, r.Period)
	fmt.Fprintln(tw, "rank\tunit\tscore\trank 5–95%")
	scored := append([]index.UnitResult(nil), r.Units...)
	sort.SliceStable(scored, func(i, j int) bool { return scored[i].Rank < scored[j].Rank })
	for _, u := range scored {
		fmt.Fprintf(tw, "%d\t%s\t%.1f\t%d–%d\n", u.Rank, u.Unit, u.Score, u.Interval.P05, u.Interval.P95)
	}
	_ = tw.Flush() // to the terminal: a failed write there has nowhere else to be reported
	if len(r.Excluded) > 0 {
		fmt.Fprintf(e.stdout, "excluded (%d):\n", len(r.Excluded))
		for _, x := range r.Excluded {
			fmt.Fprintf(e.stdout, "  %s: %s\n", x.Unit, x.Reason)
		}
	}
	// The notes say why indicators are missing, where populations come
	// from and what the method changed: the console must not hide them.
	if len(r.Notes) > 0 {
		fmt.Fprintf(e.stdout, "notes (%d):\n", len(r.Notes))
		for _, n := range r.Notes {
			fmt.Fprintf(e.stdout, "  %s\n", n)
		}
	}
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
