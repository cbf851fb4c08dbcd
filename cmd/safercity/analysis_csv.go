package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/safercity/safercity/analysis/change"
	"github.com/safercity/safercity/analysis/concentration"
	"github.com/safercity/safercity/analysis/knox"
	"github.com/safercity/safercity/analysis/rates"
	"github.com/safercity/safercity/hotspots/spatstat"
	"github.com/safercity/safercity/internal/names"
)

func init() {
	register(&command{
		name: "analysis concentration", args: "FILE.csv", run: runConcentration,
		summary: "Print how concentrated crime is over the places (rows) of a CSV — cells, street segments,\n" +
			"areas, zero rows included: the share in the top 1, 5 and 10 % of places, the Gini and the\n" +
			"generalized Gini for more places than crimes (Bernasco & Steenbeek 2017), and the fewest\n" +
			"places holding half of the crime (Weisburd 2015); --json adds the Lorenz curve and the list.",
	})
	register(&command{
		name: "analysis rates", args: "FILE.csv", run: runRates,
		summary: "Compute crime rates per area from a CSV of crimes and base (population): the input plus\n" +
			"raw_rate, excess_risk, eb_rate (global Empirical Bayes, Marshall 1991, as GeoDa) and, with\n" +
			"--x, --y and --knn K (as the hotspot stage, K 8) or --band M, spatial_eb_rate over each area's\n" +
			"K nearest, or the areas whose centroids are within the band.",
	})
	register(&command{
		name: "analysis change", args: "FILE.csv", run: runChange,
		summary: "Summarise the change per area between two periods (ArcGIS Summarize Percent Change):\n" +
			"the input plus change, percent_change, rate_ratio, and p and p_fdr of R's exact\n" +
			"conditional binomial test of whether the change is beyond Poisson noise.",
	})
	register(&command{
		name: "analysis knox", args: "FILE.csv", run: runKnox,
		summary: "Run the Knox test for repeat and near-repeat victimisation on a CSV of incidents with\n" +
			"x, y (metres) and a time: pairs per distance × time band, Knox ratio and Monte Carlo p, as\n" +
			"the Near Repeat Calculator. Needs timestamps: police.uk crimes are monthly and snapped.",
	})
}

// table is an analyst's CSV, read whole.
type table struct {
	name string
	spatstat.PointsTable
	col map[string]int // lower-case name → index
}

func readTable(path string) (table, error) {
	in := io.Reader(os.Stdin)
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return table{}, err
		}
		defer f.Close()
		in = f
	}
	recs, err := csv.NewReader(in).ReadAll()
	if err != nil {
		return table{}, fmt.Errorf("%s: %w", path, err)
	}
	if len(recs) == 0 {
		return table{}, fmt.Errorf("%s is empty; it needs a header row", path)
	}
	t := table{name: path, PointsTable: spatstat.PointsTable{Header: recs[0], Records: recs[1:]}, col: map[string]int{}}
	for i, h := range recs[0] {
		t.col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))] = i
	}
	return t, nil
}

// column returns the index of a column named on the command line, or an
// error suggesting the nearest name.
func (t table) column(name, flagName string) (int, error) {
	if i, ok := t.col[strings.ToLower(name)]; ok {
		return i, nil
	}
	return 0, fmt.Errorf("%w: %s has no column %q (--%s); the nearest is %q", errUsage, t.name, name, flagName, nearest(name, t.Header))
}

// numbers returns a column as numbers; errors name the line.
func (t table) numbers(name, flagName string) ([]float64, error) {
	c, err := t.column(name, flagName)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(t.Records))
	for r, rec := range t.Records {
		s := strings.TrimSpace(rec[c])
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%s line %d: column %s is %q, not a finite number", t.name, r+2, name, s)
		}
		out[r] = v
	}
	return out, nil
}

// numberColumns returns several columns as numbers, each named by its
// column and the flag that named it.
func (t table) numberColumns(cols ...[2]string) ([][]float64, error) {
	out := make([][]float64, len(cols))
	for k, c := range cols {
		v, err := t.numbers(c[0], c[1])
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// nearest returns the name in candidates closest to s by edit distance.
func nearest(s string, candidates []string) string {
	n, _ := names.Closest(s, candidates)
	return n
}

// oneTable parses the flags and reads the single CSV argument.
func oneTable(f *flags, args []string) (table, error) {
	pos, err := f.parse(args)
	if err != nil {
		return table{}, err
	}
	if len(pos) != 1 {
		return table{}, fmt.Errorf("%w: give one CSV file (- for standard input)", errUsage)
	}
	return readTable(pos[0])
}

func runConcentration(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, lookup("analysis concentration"))
	value := f.String("value", "count", "`column` of crimes per place")
	top := f.String("top", "1,5,10", "top shares of places in `percent`, comma-separated")
	asJSON := f.Bool("json", false, "print JSON with the Lorenz curve and the rows holding half of the crime")
	t, err := oneTable(f, args)
	if err != nil {
		return err
	}
	shares, err := parseList(*top, "top")
	if err != nil {
		return err
	}
	counts, err := t.numbers(*value, "value")
	if err != nil {
		return err
	}
	r, err := concentration.Measure(counts, shares)
	if err != nil {
		return fmt.Errorf("%s: %w", t.name, err)
	}
	if *asJSON {
		return writeJSON(e.stdout, r)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "places\t%d\t\nwith crime\t%d\t\ncrimes\t%g\t\n", r.Places, r.PlacesWithCrime, r.Crimes)
	for _, s := range r.Top {
		fmt.Fprintf(tw, "top %g %% (%d places)\t%.1f %%\t\n", s.Percent, s.Places, 100*s.Share)
	}
	fmt.Fprintf(tw, "Gini\t%.4f\t\ngeneralized Gini\t%.4f\t\nhalf of crime at\t%d places (%.2f %%)\t\n", r.Gini, r.GeneralizedGini, len(r.Half), 100*r.HalfShare)
	return tw.Flush()
}

func parseList(s, flagName string) ([]float64, error) {
	var out []float64
	for _, p := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, fmt.Errorf("%w: --%s %q: %q is not a number", errUsage, flagName, s, p)
		}
		out = append(out, v)
	}
	return out, nil
}

func runRates(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, lookup("analysis rates"))
	crimesCol := f.String("crimes", "crimes", "`column` of crimes per area")
	baseCol := f.String("base", "population", "`column` of the population (or other base) at risk")
	per := f.Float64("per", 1000, "rates per this many of the base, e.g. 1000 residents")
	xCol := f.String("x", "", "`column` of centroid eastings, for spatial_eb_rate")
	yCol := f.String("y", "", "`column` of centroid northings, for spatial_eb_rate")
	band := f.Float64("band", 0, "neighbours of an area for spatial_eb_rate: centroids within this many `metres`")
	knn := f.Int("knn", 0, "neighbours of an area for spatial_eb_rate: its `K` nearest centroids (the hotspot stage uses 8)")
	t, err := oneTable(f, args)
	if err != nil {
		return err
	}
	if *band > 0 && *knn > 0 {
		return fmt.Errorf("%w: give --band or --knn, not both", errUsage)
	}
	if (*band > 0 || *knn > 0) != (*xCol != "" && *yCol != "") {
		return fmt.Errorf("%w: spatial_eb_rate needs --x, --y and --band or --knn together", errUsage)
	}
	cols, err := t.numberColumns([2]string{*crimesCol, "crimes"}, [2]string{*baseCol, "base"})
	if err != nil {
		return err
	}
	var nb [][]int
	if *band > 0 || *knn > 0 {
		xy, err := t.numberColumns([2]string{*xCol, "x"}, [2]string{*yCol, "y"})
		if err != nil {
			return err
		}
		if *knn > 0 {
			nb = rates.KNearest(xy[0], xy[1], *knn)
		} else {
			nb = rates.BandNeighbours(xy[0], xy[1], *band)
		}
	}
	r, err := rates.Smooth(cols[0], cols[1], nb)
	if err != nil {
		return fmt.Errorf("%s: %w", t.name, err)
	}
	if len(r.NoBase) > 0 {
		e.log.Warn("rows without a positive base have no rate (NaN)", "rows", len(r.NoBase), "first_line", r.NoBase[0]+2)
	}
	if len(r.Isolated) > 0 {
		e.log.Warn("rows without a neighbour have no spatial_eb_rate (NaN)", "rows", len(r.Isolated), "first_line", r.Isolated[0]+2, "band_m", *band, "knn", *knn)
	}
	if r.Variance < 0 {
		e.log.Info("the areas' rates differ no more than chance predicts: eb_rate is the overall rate everywhere", "variance", r.Variance)
	}
	added := []string{"raw_rate", "excess_risk", "eb_rate"}
	if nb != nil {
		added = append(added, "spatial_eb_rate")
	}
	return t.WriteCSV(e.stdout, added, func(i int) []string {
		row := []string{formatG(*per * r.Raw[i]), formatG(r.Excess[i]), formatG(*per * r.EB[i])}
		if nb != nil {
			row = append(row, formatG(*per*r.SpatialEB[i]))
		}
		return row
	})
}

func runChange(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, lookup("analysis change"))
	beforeCol := f.String("before", "before", "`column` of counts in the first period")
	afterCol := f.String("after", "after", "`column` of counts in the second period")
	exposure := f.Float64("exposure", 1, "length of the second period over the first, e.g. 12 for a year against a month")
	t, err := oneTable(f, args)
	if err != nil {
		return err
	}
	cols, err := t.numberColumns([2]string{*beforeCol, "before"}, [2]string{*afterCol, "after"})
	if err != nil {
		return err
	}
	ch, err := change.Compare(cols[0], cols[1], *exposure)
	if err != nil {
		return fmt.Errorf("%s: %w", t.name, err)
	}
	return t.WriteCSV(e.stdout, []string{"change", "percent_change", "rate_ratio", "p", "p_fdr"}, func(i int) []string {
		c := ch[i]
		return []string{formatG(c.Change), formatG(c.Percent), formatG(c.RateRatio), formatG(c.P), formatG(c.PFDR)}
	})
}

func runKnox(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, lookup("analysis knox"))
	xCol := f.String("x", "x", "`column` of eastings in metres")
	yCol := f.String("y", "y", "`column` of northings in metres")
	timeCol := f.String("time", "time", "`column` of times: RFC 3339, YYYY-MM-DD[ HH:MM[:SS]] or a number of days")
	dist := f.String("distances", "0,100,200,300,400", "distance band breaks in `metres`")
	days := f.String("days", "0,7,14,21,28", "time band breaks in `days`")
	manhattan := f.Bool("manhattan", false, "measure distance as |dx| + |dy| (NearRepeat's default) instead of straight lines")
	perms := f.Int("permutations", 999, "Monte Carlo permutations")
	seed := f.Uint64("seed", 1, "random `seed` of the permutations")
	t, err := oneTable(f, args)
	if err != nil {
		return err
	}
	o := knox.Options{Manhattan: *manhattan, Permutations: *perms, Seed: *seed}
	if o.Distances, err = parseList(*dist, "distances"); err != nil {
		return err
	}
	if o.Days, err = parseList(*days, "days"); err != nil {
		return err
	}
	events, err := t.events(*xCol, *yCol, *timeCol)
	if err != nil {
		return err
	}
	r, err := knox.Test(events, o)
	if err != nil {
		return fmt.Errorf("%s: %w", t.name, err)
	}
	return printKnox(e.stdout, r, o)
}

func (t table) events(xCol, yCol, timeCol string) ([]knox.Event, error) {
	xy, err := t.numberColumns([2]string{xCol, "x"}, [2]string{yCol, "y"})
	if err != nil {
		return nil, err
	}
	c, err := t.column(timeCol, "time")
	if err != nil {
		return nil, err
	}
	ev := make([]knox.Event, len(t.Records))
	for r, rec := range t.Records {
		d, err := parseDay(strings.TrimSpace(rec[c]))
		if err != nil {
			return nil, fmt.Errorf("%s line %d: column %s: %w", t.name, r+2, timeCol, err)
		}
		ev[r] = knox.Event{X: xy[0][r], Y: xy[1][r], Day: d}
	}
	return ev, nil
}

// parseDay reads a time as days since the Unix epoch, or a plain number of
// days.
func parseDay(s string) (float64, error) {
	if v, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(v) && !math.IsInf(v, 0) {
		return v, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if tm, err := time.Parse(layout, s); err == nil {
			return float64(tm.Unix()) / 86400, nil
		}
	}
	return 0, errors.New("time " + strconv.Quote(s) + " is not RFC 3339, YYYY-MM-DD[ HH:MM[:SS]] or a number of days")
}

func printKnox(w io.Writer, r knox.Result, o knox.Options) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%d incidents, %d pairs, %d beyond the last band; %d permutations\n", r.Events, r.Pairs, r.Beyond, o.Permutations)
	fmt.Fprint(tw, "distance m \\ days\t")
	for k := range len(o.Days) - 1 {
		fmt.Fprintf(tw, "%g–%g\t", o.Days[k], o.Days[k+1])
	}
	fmt.Fprintln(tw)
	for d, row := range r.Cells {
		fmt.Fprintf(tw, "%g–%g\t", o.Distances[d], o.Distances[d+1])
		for _, c := range row {
			fmt.Fprintf(tw, "%d pairs (expected %.1f; %.1f by the margins), ratio %.2f, p %.3f\t", c.Observed, c.Expected, c.Marginal, c.Ratio, c.P)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}
