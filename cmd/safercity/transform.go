package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/safercity/safercity/config"
	"github.com/safercity/safercity/store"
	"github.com/safercity/safercity/transform"
)

func init() {
	register(&command{
		name: "transform",
		summary: "Place every stored street crime in British National Grid terms (easting, northing,\n" +
			"grid cell, LSOA, local authority, unit, profile groups, harm) in crimes_enriched;\n" +
			"the view crimes adds police.uk's ID and text and the cell's grid reference. Only\n" +
			"months that are new, republished or computed with other settings are recomputed,\n" +
			"each in one transaction.",
		run: runTransform,
	})
}

func runTransform(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, lookup("transform"))
	f.dbFlag()
	cfgPath := f.configFlag()
	month := f.String("month", "", "only this `YYYY-MM` month")
	cell := f.Float64("cell", 0, "cell size in `metres` (25…1000, dividing 1 km); default from the configuration, 100")
	asJSON := f.Bool("json", false, "print what was done as JSON")
	quiet := f.Bool("quiet", false, "print only the totals")
	if _, err := f.parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	tc, err := cfg.TransformConfig()
	if err != nil {
		return err
	}
	if *cell != 0 {
		tc.CellSize = *cell
	}
	var months []time.Time
	if *month != "" {
		m, err := monthFlag(*month)
		if err != nil {
			return err
		}
		months = append(months, m)
	}
	st, err := store.OpenExisting(ctx, f.db)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := transform.Alone(ctx, st); err != nil {
		return err
	}
	res, err := transform.Run(ctx, st, tc, months, e.log)
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if jerr := enc.Encode(res); jerr != nil {
			return jerr
		}
		return err
	}
	var computed, rows int64
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	if !*quiet {
		fmt.Fprintln(tw, "month\tstatus\trows\tlocated\tunknown crime types")
	}
	for _, r := range res {
		if r.Status == "computed" {
			computed++
			rows += r.Rows
		}
		if !*quiet {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\n", r.Month, r.Status, r.Rows, r.Located, r.Unplaced)
		}
	}
	_ = tw.Flush() // to the terminal: a failed write there has nowhere else to be reported
	fmt.Fprintf(e.stdout, "%d of %d months computed (%d crimes)\n", computed, len(res), rows)
	return err
}
