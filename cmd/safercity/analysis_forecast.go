package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/safercity/safercity/analysis/forecast"
)

func init() {
	register(&command{
		name: "analysis forecast", args: "FILE.csv", run: runForecast,
		summary: "Forecast next month's crime per place from a CSV of monthly counts (columns place, month\n" +
			"YYYY-MM, count; missing place-months count as 0) with a Poisson GLM on trend, month of\n" +
			"year and each place's recent history; print place, forecast, seasonal_naive and last_month\n" +
			"as CSV. --validate N first prints, on standard error, the rolling-origin MAE and RMSE of the\n" +
			"last N months against the seasonal naive forecast, saying where the model does not beat it.",
	})
}

func runForecast(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, lookup("analysis forecast"))
	placeCol := f.String("place", "place", "`column` naming the place (cell, LSOA, …)")
	monthCol := f.String("month", "month", "`column` of the month, YYYY-MM")
	countCol := f.String("count", "count", "`column` of crimes in the place that month")
	validate := f.Int("validate", 0, "validate on the last `N` months first (rolling origin)")
	train := f.Int("train", 24, "training `months` before each forecast")
	t, err := oneTable(f, args)
	if err != nil {
		return err
	}
	places, months, panel, err := t.panel(*placeCol, *monthCol, *countCol)
	if err != nil {
		return err
	}
	for k, row := range panel.Counts {
		if !slices.ContainsFunc(row, func(v float64) bool { return v > 0 }) {
			e.log.Warn("a month without any crime: counted as 0 everywhere; is the file missing it?", "file", t.name, "month", months[k])
		}
	}
	o := forecast.Options{TrainMonths: *train}
	if *validate > 0 {
		if err := validateForecast(e.stderr, panel, months, *validate, o); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
	}
	next := len(panel.Counts)
	m, err := forecast.Fit(panel, next, o)
	if err != nil {
		return fmt.Errorf("%s: %w", t.name, err)
	}
	fc, err := m.Predict(panel, next)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "forecast of %s for %d places from %d months (%s…%s)\n", nextMonthName(months[len(months)-1]), len(places), len(months), months[0], months[len(months)-1])
	w := csv.NewWriter(e.stdout)
	w.Write([]string{"place", "forecast", "seasonal_naive", "last_month"})
	for i, p := range places {
		w.Write([]string{p, formatG(fc[i]), formatG(panel.Counts[next-forecast.History][i]), formatG(panel.Counts[next-1][i])})
	}
	w.Flush()
	return w.Error()
}

func validateForecast(w io.Writer, p forecast.Panel, months []string, n int, o forecast.Options) error {
	var ts []int
	for t := max(forecast.History+1, len(p.Counts)-n); t < len(p.Counts); t++ {
		ts = append(ts, t)
	}
	ev, err := forecast.RollingOrigin(p, ts, o)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "month\tcrimes\tMAE\tnaive MAE\tRMSE\tnaive RMSE\tbeats naive\t")
	beaten := 0
	for _, e := range ev {
		fmt.Fprintf(tw, "%s\t%.0f\t%.4f\t%.4f\t%.4f\t%.4f\t%v\t\n", months[e.Month], e.Crimes, e.MAE, e.NaiveMAE, e.RMSE, e.NaiveRMSE, e.BeatsNaive)
		if e.BeatsNaive {
			beaten++
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if beaten < len(ev) {
		fmt.Fprintf(w, "The model did not beat last year's same month in %d of %d months: prefer the seasonal_naive column there.\n", len(ev)-beaten, len(ev))
	}
	return nil
}

// panel pivots long monthly counts into a forecast panel over every month
// from the first to the last; a place absent in a month had no crime.
func (t table) panel(placeCol, monthCol, countCol string) (places, months []string, p forecast.Panel, err error) {
	pc, err := t.column(placeCol, "place")
	if err != nil {
		return nil, nil, p, err
	}
	mc, err := t.column(monthCol, "month")
	if err != nil {
		return nil, nil, p, err
	}
	counts, err := t.numbers(countCol, "count")
	if err != nil {
		return nil, nil, p, err
	}
	placeIdx := map[string]int{}
	var first, last time.Time
	at := make([]time.Time, len(t.Records))
	for r, rec := range t.Records {
		m, err := time.Parse("2006-01", strings.TrimSpace(rec[mc]))
		if err != nil {
			return nil, nil, p, fmt.Errorf("%s line %d: month %q is not YYYY-MM", t.name, r+2, rec[mc])
		}
		at[r] = m
		if first.IsZero() || m.Before(first) {
			first = m
		}
		last = maxTime(last, m)
		if _, ok := placeIdx[rec[pc]]; !ok {
			placeIdx[rec[pc]] = len(placeIdx)
			places = append(places, rec[pc])
		}
	}
	if len(t.Records) == 0 {
		return nil, nil, p, fmt.Errorf("%s has no rows", t.name)
	}
	for m := first; !m.After(last); m = m.AddDate(0, 1, 0) {
		months = append(months, m.Format("2006-01"))
		p.Counts = append(p.Counts, make([]float64, len(places)))
		p.MonthOfYear = append(p.MonthOfYear, int(m.Month()))
	}
	for r, rec := range t.Records {
		k := (at[r].Year()-first.Year())*12 + int(at[r].Month()) - int(first.Month())
		p.Counts[k][placeIdx[rec[pc]]] += counts[r]
	}
	return places, months, p, nil
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func nextMonthName(m string) string {
	tm, _ := time.Parse("2006-01", m)
	return tm.AddDate(0, 1, 0).Format("2006-01")
}
