package main

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"text/tabwriter"

	"github.com/safercity/safercity/hotspots"
)

// maxAreaLines is how many areas a profile section lists; the rest are in
// --json and the tables it names.
const maxAreaLines = 10

// printRates prints the profile's rates section: per layer the areas with
// the highest smoothed rate, the raw rate beside it, and the areas without
// a rate with the reason.
func printRates(w io.Writer, rs []hotspots.AreaRates) {
	for _, r := range rs {
		fmt.Fprintf(w, "%s rates per 1,000 residents (population feed %s; Empirical Bayes shrinks small areas' rates towards the force's %s, Marshall 1991 as R spdep EBest; spatial EB towards each area's %s, as spdep EBlocal and GeoDa; area_rates, --class rate|ebrate|excess): %d areas, %d without residents",
			r.Layer, yearOr(r.PopulationYear), fixed2(float64(r.Prior)), reachText(r.Reach), len(r.Areas), r.NoPopulation)
		if r.Elsewhere > 0 {
			fmt.Fprintf(w, "; %d of the month's crimes were recorded beyond the force's districts or in no LSOA and are in no rate", r.Elsewhere)
		}
		fmt.Fprintln(w)
		areas := slices.Clone(r.Areas)
		slices.SortStableFunc(areas, func(a, b hotspots.AreaRate) int { return cmp.Compare(smoothed(b), smoothed(a)) })
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  code\tname\tcrimes\tresidents\traw\tEB\tspatial EB\texcess risk\tforecast")
		var without []hotspots.AreaRate
		shown := 0
		for _, a := range areas {
			if math.IsNaN(float64(a.Raw)) {
				without = append(without, a)
				continue
			}
			if shown < maxAreaLines {
				fmt.Fprintf(tw, "  %s\t%s\t%d\t%.0f\t%s\t%s\t%s\t%s\t%s\n", a.Code, a.Name, a.Crimes, float64(a.Population),
					fixed2(float64(a.Raw)), fixed2(float64(a.EB)), fixed2(float64(a.SpatialEB)), fixed2(float64(a.Excess)), fixed2(float64(a.Forecast)))
				shown++
			}
		}
		tw.Flush()
		printWithout(w, r.Layer, without)
		printAreaForecast(w, r.Layer, r.Forecast)
	}
}

// printAreaForecast prints the validation of a layer's forecast; without
// one the notes say why.
func printAreaForecast(w io.Writer, layer string, f *hotspots.AreaForecast) {
	if f == nil {
		return
	}
	fmt.Fprintf(w, "  forecast of %s per %s (the cells' Poisson regression on the area's history, %d consecutive months; area_rates.forecast):", f.Month, layer, f.History)
	for _, c := range f.Validation {
		fmt.Fprintf(w, " %s MAE %.3f, RMSE %.3f vs seasonal naive %.3f, %.3f (%s it);", c.Month, c.MAE, c.RMSE, c.NaiveMAE, c.NaiveRMSE, verdict(c.Beats))
	}
	if !f.Beats {
		fmt.Fprint(w, " read it beside last year's same month")
	}
	fmt.Fprintln(w)
}

// smoothed is the rate a profile ranks areas by: the spatial EB rate, else
// the global one; NaN (no rate) last.
func smoothed(a hotspots.AreaRate) float64 {
	for _, v := range []hotspots.Float{a.SpatialEB, a.EB} {
		if !math.IsNaN(float64(v)) {
			return float64(v)
		}
	}
	return math.Inf(-1)
}

func printWithout(w io.Writer, layer string, without []hotspots.AreaRate) {
	for _, a := range without[:min(len(without), maxAreaLines)] {
		fmt.Fprintf(w, "  %s %s (%d crimes): %s\n", a.Code, a.Name, a.Crimes, a.Reason)
	}
	if n := len(without) - maxAreaLines; n > 0 {
		fmt.Fprintf(w, "  and %d more %s areas without a rate: area_rates (reason) and --json list them all\n", n, layer)
	}
}

// reachText says which areas the spatial EB rate shrinks towards.
func reachText(reach hotspots.Float) string {
	if math.IsNaN(float64(reach)) {
		return fmt.Sprintf("%d nearest (none here: fewer than two areas with residents and crime to place them)", hotspots.SpatialEBNeighbours)
	}
	return fmt.Sprintf("%d nearest by their crimes' centroids (none farther than %.0f m)", hotspots.SpatialEBNeighbours, float64(reach))
}

func yearOr(y int) string {
	if y == 0 {
		return "not loaded"
	}
	return fmt.Sprint(y)
}

// beforeText writes an earlier period's crimes, with the monthly mean
// when it has several months.
func beforeText(n int64, months int) string {
	if months == 1 {
		return fmt.Sprint(n)
	}
	return fmt.Sprintf("%d in %d months (%.1f a month)", n, months, float64(n)/float64(months))
}

// percentText writes a percent change; from none it is "new".
func percentText(p hotspots.Float) string {
	if math.IsNaN(float64(p)) {
		return "new"
	}
	return fmt.Sprintf("%+.0f%%", float64(p))
}

// comparisonNames say what each stored comparison compares.
var comparisonNames = map[string]string{"year": "the same month last year", "prev3": "the 3 months before (monthly rate)"}

// printChanges prints the profile's change section: per comparison and
// layer, the areas whose change is beyond Poisson noise, or why the
// comparison was refused.
func printChanges(w io.Writer, cs []hotspots.AreaChanges) {
	for _, c := range cs {
		period := c.BeforeFrom
		if c.BeforeTo != c.BeforeFrom {
			period += "…" + c.BeforeTo
		}
		head := fmt.Sprintf("%s change against %s, %s (%d of %d months loaded before, %d after)",
			c.Layer, comparisonNames[c.Comparison], period, c.MonthsBefore, c.MonthsNeeded, c.MonthsAfter)
		if c.Refused != "" {
			fmt.Fprintf(w, "%s: refused — %s\n", head, c.Refused)
			continue
		}
		var before, after int64
		var sig []hotspots.AreaChange
		for _, a := range c.Areas {
			before, after = before+a.Before, after+a.After
			if a.Beyond {
				sig = append(sig, a)
			}
		}
		fmt.Fprintf(w, "%s (exact conditional Poisson test as R binom.test, Przyborowski & Wilenski 1940; FDR; area_changes, --class change): %s → %d crimes; %d of %d areas changed beyond Poisson noise\n",
			head, beforeText(before, c.MonthsNeeded), after, c.Beyond, len(c.Areas))
		slices.SortStableFunc(sig, func(a, b hotspots.AreaChange) int { return cmp.Compare(float64(a.PFDR), float64(b.PFDR)) })
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, a := range sig[:min(len(sig), maxAreaLines)] {
			fmt.Fprintf(tw, "  %s\t%s\t%s → %d\t%s\tp (FDR) %.3g\n", a.Code, a.Name, beforeText(a.Before, c.MonthsNeeded), a.After, percentText(a.Percent), float64(a.PFDR))
		}
		tw.Flush()
		if n := len(sig) - maxAreaLines; n > 0 {
			fmt.Fprintf(w, "  and %d more: area_changes (beyond_noise) and --json list them\n", n)
		}
	}
}

// printNearRepeat prints the Knox table: per distance band, the Knox
// ratio of each time band with its Monte Carlo p, starred below 0.05.
func printNearRepeat(w io.Writer, nr *hotspots.NearRepeat, month string) {
	if nr == nil {
		return // the notes say why
	}
	pairs := ""
	if nr.Pairs > 0 {
		pairs = fmt.Sprintf(", %d pairs", nr.Pairs)
	}
	fmt.Fprintf(w, "near repeats (Knox 1964 test over distance × days apart, as the Near Repeat Calculator: %d seeded permutations of the times, seed %d; hotspot_knox) on the %d partner incidents with a time and place in the study area over %s…%s%s; police.uk crimes are monthly and snapped to map points, so only partner incidents are tested. Knox ratio (observed / expected pairs), * p < 0.05:\n",
		nr.Permutations, nr.Seed, nr.Events, nr.From, month, pairs)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "  distance")
	bands := 0 // time bands: the cells of the first distance band
	for _, c := range nr.Cells {
		if c.DistanceFrom == nr.Cells[0].DistanceFrom {
			bands++
			fmt.Fprintf(tw, "\t%g–%g days", c.DaysFrom, c.DaysTo)
		}
	}
	for i, c := range nr.Cells {
		if i%bands == 0 {
			fmt.Fprintf(tw, "\n  %g–%g m", c.DistanceFrom, c.DistanceTo)
		}
		if c.Withheld {
			fmt.Fprint(tw, "\twithheld")
			continue
		}
		star := ""
		if c.Significant() {
			star = "*"
		}
		fmt.Fprintf(tw, "\t%s%s (%d)", fixed2(float64(c.Ratio)), star, c.Observed)
	}
	fmt.Fprintln(tw)
	tw.Flush()
}
