package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/safercity/safercity/config"
	"github.com/safercity/safercity/disclosure"
	"github.com/safercity/safercity/hotspots"
	"github.com/safercity/safercity/hotspots/spatstat"
	"github.com/safercity/safercity/internal/names"
	"github.com/safercity/safercity/pipeline"
	"github.com/safercity/safercity/store"
	"github.com/safercity/safercity/transform"
)

func init() {
	register(&command{
		name: "hotspots",
		summary: "Compute and store a profile's hotspots for a month on each force's study area (the cells\n" +
			"with any crime the force recorded in the window, or a configured boundary) — per cell the\n" +
			"crimes, measure, quartic KDE density, Getis-Ord Gi* z, p, FDR-adjusted p and confidence\n" +
			"bin, and the emerging hot spot category over the window — and print the problem profile:\n" +
			"top hotspots with their most common location, share and trend, and the back-test (hit\n" +
			"rate, PAI, RRI, also at 1% and 5% of the study area) of sets built from the months before;\n" +
			"also rates per 1,000 residents (raw, Empirical Bayes, excess risk) and change against\n" +
			"earlier months per LSOA and district, and the Knox near-repeat test of partner incidents.",
		run: runHotspots,
	})
	register(&command{
		name:    "hotspots backtest",
		summary: "Print the hit rate, PAI and RRI of KDE and Gi* hotspot sets built from the months\nbefore each month of the data, per force, on the study area a run of that month has\n(Chainey, Tompson & Uhlig 2008; Levine 2008). nte counts partner incidents as hotspots does.",
		run:     runBacktest,
	})
	register(&command{
		name:    "hotspots gistar",
		args:    "FILE.csv",
		summary: "Compute Getis-Ord Gi* for any CSV with columns x, y (metres) and value, e.g. your own\nfishnet counts or area centroids; print the input columns plus neighbours, z, p,\np_fdr (Benjamini-Hochberg) and bin (ArcGIS confidence bin after FDR) as CSV.",
		run:     runGiStarCSV,
	})
}

// hotspotFlags are the flags of hotspots and hotspots backtest.
type hotspotFlags struct {
	*flags
	cfg                   *string
	profile, month, force *string
	cell, band, bandwidth *float64
	window, inputs        *int
	timeStep              *int
	spatial               *bool
	asJSON                *bool
}

func newHotspotFlags(e *env, name string) *hotspotFlags {
	f := &hotspotFlags{flags: newFlags(e, lookup(name))}
	f.dbFlag()
	f.cfg = f.configFlag()
	f.profile = f.String("profile", "", "profile `name`: violence, nte, acquisitive, asb, harm, or one from the configuration (required)")
	f.force = f.String("force", "", "one force `slug` (default: each force with the profile's crime)")
	f.cell = f.Float64("cell", 0, "cell size in `metres` (default: transform.cell_size of the configuration, 100)")
	f.band = f.Float64("band", 0, "Gi* fixed distance band in `metres` (default: first peak of incremental spatial autocorrelation on the study area, else ArcGIS's k-nearest-neighbour distance)")
	f.bandwidth = f.Float64("bandwidth", 0, "KDE bandwidth in `metres` (default: ArcGIS's spatial Silverman rule, clamped to 2–10 cells)")
	f.inputs = f.Int("inputs", 0, "months before the test month that back-test hotspot sets are built from (default 3)")
	f.window = f.Int("window", 0, "months of the emerging window ending at the month; the footprint study area covers them (default 12)")
	f.asJSON = f.Bool("json", false, "print the results as JSON (undefined numbers are null, with the reason)")
	return f
}

func (f *hotspotFlags) options(cfg *config.Config) (hotspots.Options, error) {
	if *f.profile == "" {
		return hotspots.Options{}, fmt.Errorf("%w: give --profile (one of %s)", errUsage, strings.Join(cfg.ProfileNames(), ", "))
	}
	p, err := cfg.Profile(*f.profile)
	if errors.Is(err, names.ErrUnknown) {
		return hotspots.Options{}, fmt.Errorf("%w: %w", errUsage, err)
	}
	if err != nil {
		return hotspots.Options{}, err
	}
	o, err := cfg.HotspotOptions(p)
	if err != nil {
		return o, err
	}
	o.Force, o.Band, o.Bandwidth = *f.force, *f.band, *f.bandwidth
	if *f.cell != 0 {
		o.CellSize = *f.cell
	}
	if *f.inputs != 0 {
		o.Inputs = *f.inputs
	}
	if *f.window != 0 {
		o.Window = *f.window
	}
	if f.timeStep != nil && *f.timeStep != 0 {
		o.TimeStep = *f.timeStep
	}
	if f.spatial != nil && *f.spatial {
		o.SpatialOnly = true
	}
	return o, nil
}

func runHotspots(ctx context.Context, e *env, args []string) error {
	f := newHotspotFlags(e, "hotspots")
	f.month = f.String("month", "", "`YYYY-MM` to analyse (default: the latest month with enriched crimes)")
	f.timeStep = f.Int("time-step", 0, "neighbourhood time `steps` of the space-time Gi* of emerging hot spots (default: hotspots.time_step, 1)")
	f.spatial = f.Bool("spatial-emerging", false, "emerging hot spots from each month's spatial Gi* alone, not the space-time Gi*")
	perms := f.Int("lisa-permutations", 0, "judge Local Moran's I by this many conditional `permutations` per cell (GeoDa and ArcGIS use 999; seeded by the month; two-sided, ties counted as extreme) instead of its analytic z; costs time")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if *perms < 0 {
		return fmt.Errorf("%w: --lisa-permutations %d: give 0 for the analytic z, or e.g. 999", errUsage, *perms)
	}
	cfg, err := config.Load(*f.cfg)
	if err != nil {
		return err
	}
	o, err := f.options(cfg)
	if err != nil {
		return err
	}
	o.LisaPermutations = *perms
	if *f.timeStep < 0 {
		return fmt.Errorf("%w: --time-step %d: want 1 or more", errUsage, *f.timeStep)
	}
	st, err := store.OpenExisting(ctx, f.db)
	if err != nil {
		return err
	}
	defer st.Close()
	if o.Month, err = monthOrLatest(ctx, st, *f.month); err != nil {
		return err
	}
	if o.Force, err = checkForce(ctx, st, o.Force); err != nil {
		return err
	}
	res, err := hotspots.Run(ctx, st, o)
	if err != nil {
		return err
	}
	// So that the next run or serve does not compute the month again.
	if err := pipeline.RecordHotspots(ctx, st, o); err != nil {
		return err
	}
	if err := hotspots.NoteMissingFeeds(ctx, st, o.Profile, res); err != nil {
		return err
	}
	hotspots.Disclose(disclosure.Default(), res)
	if *f.asJSON {
		return writeJSON(e.stdout, res)
	}
	for _, r := range res {
		printProfile(e.stdout, r)
	}
	return nil
}

func printProfile(w io.Writer, r hotspots.Result) {
	fmt.Fprintf(w, "\n%s problem profile — %s, %s (%s)\n", strings.ToUpper(r.Profile), r.Force, r.Month, r.Measure)
	fmt.Fprintf(w, "%d crimes; study area %s: %d cells of %g m", r.Crimes, r.StudyArea, r.Cells, r.CellSize)
	if r.Outside > 0 {
		fmt.Fprintf(w, " (%d crimes outside it)", r.Outside)
	}
	fmt.Fprintf(w, "\nGi* band %.0f m (%s%s), KDE bandwidth %.0f m; %d cells hot at 95%%+ after FDR\n",
		r.Band, r.BandMethod, bandDetail(r), r.Bandwidth, r.HotCells)
	if r.Incidents > 0 {
		fmt.Fprintf(w, "plus %d partner incidents in the profile's night windows\n", r.Incidents)
	}
	for _, n := range r.Notes {
		fmt.Fprintln(w, "note:", n)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "grid ref\tlocation\tcrimes\tincidents\tshare\tmeasure\tGi* z\tbin\ttrend (window)")
	for _, t := range r.Top {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.1f%%\t%.4g\t%.2f\t%+d\t%s\n", t.GridRef, t.Location, t.Crimes, t.Incidents, 100*t.Share, t.Measure, float64(t.Z), t.Bin, t.Trend)
	}
	tw.Flush()
	var trends []string
	for p := spatstat.NewHotSpot; p <= spatstat.HistoricalColdSpot; p++ {
		if n := r.Trends[p.String()]; n > 0 {
			trends = append(trends, fmt.Sprintf("%s %d", p, n))
		}
	}
	if len(r.Trends) > 0 {
		fmt.Fprintf(w, "emerging hot spots over %d months (%s Gi*%s) for the %d cells with crime in the window (%d without: no category): %s\n",
			r.Window, r.Emerging, timeStep(r), r.Cells-r.NoTrend, r.NoTrend, strings.Join(append(trends, fmt.Sprintf("no pattern %d", r.Trends[spatstat.NoPattern.String()])), ", "))
	}
	printLisa(w, r)
	printConcentration(w, r.Concentration)
	printForecast(w, r.Forecast)
	printRates(w, r.Rates)
	printChanges(w, r.Changes)
	printNearRepeat(w, r.NearRepeat, r.Month)
	if len(r.Backtest) == 0 {
		fmt.Fprintln(w, "back-test: not enough earlier months")
	}
	for _, a := range r.Backtest {
		fmt.Fprintf(w, "back-test %-8s %-8s (from the %d months before): %d cells (%.1f%% of the study area) caught %.0f of %.0f — hit rate %.1f%%, PAI %s, RRI %s\n",
			a.Method, a.Set, a.Inputs, a.Cells, 100*a.AreaShare, a.Hits, a.Total, 100*float64(a.HitRate), fixed2(float64(a.PAI)), fixed2(float64(a.RRI)))
	}
}

// fixed2 prints a figure to two decimals, or "–" where it is undefined
// (RRI when the set caught nothing either month; JSON says null and why).
func fixed2(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// maxOutliers is how many HL cells a problem profile lists; it says how
// many more there are and where to find them.
const maxOutliers = 10

// printLisa prints the profile's cluster and outlier line and its HL cells.
func printLisa(w io.Writer, r hotspots.Result) {
	l := r.Lisa
	if l == nil {
		return // the notes say why
	}
	test := "analytic z, conditional moments"
	if l.Permutations > 0 {
		test = fmt.Sprintf("%d conditional permutations", l.Permutations)
	}
	fmt.Fprintf(w, "clusters and outliers (Anselin 1995 Local Moran's I on the Gi* band, %s, significant after FDR): HH %d, LL %d, HL %d, LH %d\n",
		test, l.HH, l.LL, l.HL, l.LH)
	if len(l.Outliers) == 0 {
		return
	}
	fmt.Fprintln(w, "HL outliers — high-crime cells among low ones:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "grid ref\tlocation\tcrimes\tmeasure\tLISA z\tp (FDR)\tGi* bin")
	for _, c := range l.Outliers[:min(maxOutliers, len(l.Outliers))] {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.4g\t%.2f\t%.3g\t%+d\n", c.GridRef, c.Location, c.Crimes, c.Measure, float64(c.LisaZ), float64(c.LisaPFDR), c.Bin)
	}
	tw.Flush()
	if n := len(l.Outliers) - maxOutliers; n > 0 {
		fmt.Fprintf(w, "and %d more HL cells: all are in --json and in hotspot_cells (lisa_quadrant 'HL', lisa_p_fdr below the significance level)\n", n)
	}
}

// printConcentration prints the profile's crime concentration over cells
// and street locations.
func printConcentration(w io.Writer, c *hotspots.Concentration) {
	if c == nil || c.Cells == nil {
		return
	}
	fmt.Fprintf(w, "concentration of the month's %.0f police.uk crimes (Weisburd 2015; generalized Gini for more places than crimes, Bernasco & Steenbeek 2017):\n", c.Cells.Crimes)
	line := func(what string, p *hotspots.PlaceShares) {
		fmt.Fprintf(w, "  %s: top 1%% hold %.1f%%, top 5%% %.1f%%, top 10%% %.1f%%; Gini %.3f, generalized %.3f; half the crime at %d (%.1f%% of them)\n",
			what, 100*p.Top1, 100*p.Top5, 100*p.Top10, p.Gini, p.GeneralizedGini, p.Half, 100*p.HalfShare)
	}
	line(fmt.Sprintf("%d study-area cells", c.Cells.Places), c.Cells)
	if c.Streets == nil {
		fmt.Fprintln(w, "  street locations: none of the month's crimes has an \"On or near\" location")
		return
	}
	line(fmt.Sprintf("%d street locations (\"On or near\" points with any crime in the window)", c.Streets.Places), c.Streets)
}

// verdict says whether a forecast beat the seasonal naive one.
func verdict(beats bool) string {
	if beats {
		return "beats"
	}
	return "does NOT beat"
}

// printForecast prints the forecast line and its validation; without a
// forecast the notes say why.
func printForecast(w io.Writer, f *hotspots.Forecast) {
	if f == nil {
		return
	}
	fmt.Fprintf(w, "forecast of %s per cell (Poisson regression on trend, month of year and the cell's recent history, fitted on %d months; validated by rolling origin against the seasonal naive forecast, Hyndman & Athanasopoulos FPP3 §5.10; hotspot_cells.forecast, --class forecast):\n",
		f.Month, f.History)
	for _, c := range f.Validation {
		fmt.Fprintf(w, "  %s forecast from the months before it: MAE %.3f, RMSE %.3f per cell vs seasonal naive %.3f, %.3f — %s last year's same month\n",
			c.Month, c.MAE, c.RMSE, c.NaiveMAE, c.NaiveRMSE, verdict(c.Beats))
	}
	if len(f.Validation) > 0 && !f.Beats {
		fmt.Fprintln(w, "  the forecast did not beat last year's same month in every month checked: read it beside the seasonal naive one")
	}
}

func bandDetail(r hotspots.Result) string {
	switch {
	case r.BandMethod == spatstat.BandKNN && r.BandCapped:
		return fmt.Sprintf(": no autocorrelation peak; mean distance to the %d nearest cells, capped at one standard distance", r.BandK)
	case r.BandMethod == spatstat.BandKNN:
		return fmt.Sprintf(": no autocorrelation peak; mean distance to the %d nearest cells", r.BandK)
	}
	return ""
}

func timeStep(r hotspots.Result) string {
	if r.Emerging == "space-time" {
		return fmt.Sprintf(", time step %d", r.TimeStep)
	}
	return ""
}

func runBacktest(ctx context.Context, e *env, args []string) error {
	f := newHotspotFlags(e, "hotspots backtest")
	f.month = f.String("month", "", "back-test only this `YYYY-MM` test month (default: every month with enough months before it)")
	if _, err := f.parse(args); err != nil {
		return err
	}
	only, err := monthFlag(*f.month)
	if err != nil {
		return err
	}
	cfg, err := config.Load(*f.cfg)
	if err != nil {
		return err
	}
	o, err := f.options(cfg)
	if err != nil {
		return err
	}
	o.Month = only
	st, err := store.OpenReadOnly(ctx, f.db)
	if base, ok := serverFor(f.db, err); ok {
		return backtestServer(ctx, e, base, f)
	}
	if err != nil {
		return err
	}
	defer st.Close()
	if o.Force, err = checkForce(ctx, st, o.Force); err != nil {
		return err
	}
	res, err := hotspots.Backtest(ctx, st, o)
	if errors.Is(err, hotspots.ErrNoTestMonth) {
		return fmt.Errorf("%w: %w", errUsage, err) // as beside a server, which answers 404
	}
	if err != nil {
		return err
	}
	if *f.asJSON {
		return writeJSON(e.stdout, res)
	}
	return hotspots.WriteBacktestTable(e.stdout, res)
}

func runGiStarCSV(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, lookup("hotspots gistar"))
	band := f.Float64("band", 0, "fixed distance band in `metres` between points (required)")
	xCol := f.String("x", "x", "`column` of eastings (or any planar x in metres)")
	yCol := f.String("y", "y", "`column` of northings")
	valueCol := f.String("value", "value", "`column` of values, e.g. counts")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *band <= 0 {
		return fmt.Errorf("%w: give --band and one CSV file (- for standard input)", errUsage)
	}
	in := os.Stdin
	if pos[0] != "-" {
		if in, err = os.Open(pos[0]); err != nil {
			return err
		}
		defer in.Close()
	}
	return spatstat.GiStarCSVColumns(in, e.stdout, *band, spatstat.CSVColumns{X: *xCol, Y: *yCol, Value: *valueCol})
}

// checkForce returns the store's spelling of a --force value ("" for
// every force), or refuses a force the store holds no enriched crimes of,
// with the nearest.
func checkForce(ctx context.Context, st *store.Store, force string) (string, error) {
	v, err := transform.ResolveForce(ctx, st, force)
	if errors.Is(err, names.ErrUnknown) {
		return "", fmt.Errorf("%w: --force: %w", errUsage, err)
	}
	return v, err
}

// monthOrLatest parses a YYYY-MM flag, or finds the latest enriched month.
func monthOrLatest(ctx context.Context, st *store.Store, s string) (time.Time, error) {
	if s != "" {
		return monthFlag(s)
	}
	return transform.LatestMonth(ctx, st)
}

// monthFlag parses a --month flag: the zero time when it is not given.
func monthFlag(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	m, err := time.Parse("2006-01", s)
	if err != nil {
		return m, fmt.Errorf("%w: --month %q is not YYYY-MM", errUsage, s)
	}
	return m, nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
