package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/safercity/safercity/analysis/lisa"
	"github.com/safercity/safercity/hotspots/spatstat"
)

func init() {
	register(&command{
		name: "hotspots localmoran",
		args: "FILE.csv",
		summary: "Compute Anselin's Local Moran's I (cluster and outlier analysis) for any CSV with columns\n" +
			"x, y (metres) and value, with row-standardised weights over the other rows within --band;\n" +
			"print the input columns plus neighbours, Ii, E_Ii, Var_Ii, z, p (R spdep localmoran,\n" +
			"conditional moments), p_fdr (Benjamini-Hochberg), p_sim and p_sim_fdr (two-sided conditional\n" +
			"permutation pseudo p, draws tied with the observed I counted as extreme), quadrant (HH, LL,\n" +
			"HL, LH; isolated) and p_sim_folded (GeoDa's and ArcGIS's folded pseudo p, lenient on ties).",
		run: runLocalMoranCSV,
	})
}

// localMoranColumns are the columns hotspots localmoran appends.
var localMoranColumns = []string{"neighbours", "Ii", "E_Ii", "Var_Ii", "z", "p", "p_fdr", "p_sim", "p_sim_fdr", "quadrant", "p_sim_folded"}

func runLocalMoranCSV(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, lookup("hotspots localmoran"))
	band := f.Float64("band", 0, "fixed distance band in `metres` between points (required)")
	xCol := f.String("x", "x", "`column` of eastings (or any planar x in metres)")
	yCol := f.String("y", "y", "`column` of northings")
	valueCol := f.String("value", "value", "`column` of values, e.g. counts")
	perms := f.Int("permutations", 999, "conditional permutations per row for p_sim (0: none, columns left empty)")
	seed := f.Uint64("seed", 1, "random `seed` of the permutations, for reproducible p_sim")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *band <= 0 {
		return fmt.Errorf("%w: give --band and one CSV file (- for standard input)", errUsage)
	}
	if *perms < 0 {
		return fmt.Errorf("%w: --permutations %d: give 0 to skip them, or e.g. 999", errUsage, *perms)
	}
	in := os.Stdin
	if pos[0] != "-" {
		if in, err = os.Open(pos[0]); err != nil {
			return err
		}
		defer in.Close()
	}
	// ReadPointsCSV compares lower-cased input names with the added ones.
	reserved := make([]string, len(localMoranColumns))
	for i, c := range localMoranColumns {
		reserved[i] = strings.ToLower(c)
	}
	t, err := spatstat.ReadPointsCSV(in, spatstat.CSVColumns{X: *xCol, Y: *yCol, Value: *valueCol}, reserved)
	if err != nil {
		return err
	}
	res, err := lisa.Points(t.Points, t.Values, *band, lisa.Options{Permutations: *perms, Seed: *seed})
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	if res.Undefined > 0 {
		e.log.Warn("rows without a z-score (no neighbour within the band, or a value exactly at the mean): z, p and p_fdr are NaN, p_sim is 1",
			"rows", res.Undefined, "band_m", *band)
	}
	return t.WriteCSV(e.stdout, localMoranColumns, func(i int) []string {
		psim, psimFDR, folded := "", "", ""
		if res.PSim != nil {
			psim, psimFDR, folded = formatG(res.PSim[i]), formatG(res.PSimFDR[i]), formatG(res.PSimFolded[i])
		}
		return []string{strconv.Itoa(int(res.Neighbours[i])), formatG(res.I[i]), formatG(res.E[i]), formatG(res.Var[i]),
			formatG(res.Z[i]), formatG(res.P[i]), formatG(res.PFDR[i]), psim, psimFDR, res.Quadrant[i].String(), folded}
	})
}

// formatG writes the shortest decimal that reads back as v.
func formatG(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
