package main

import (
	"fmt"
	"math"
	"slices"
	"text/tabwriter"

	"github.com/safercity/safercity/analysis/concentration"
	"github.com/safercity/safercity/analysis/forecast"
	"github.com/safercity/safercity/hotspots/spatstat"
)

// concentrationReport prints the concentration of the last month's and the
// last 12 months' crime over the grid's cells and over the street locations
// seen anywhere in the archive (the places crime could be recorded at).
func concentrationReport(w *tabwriter.Writer, a *archive) error {
	last := len(a.months) - 1
	first := max(0, last-11)
	locIndex := map[string]int{}
	for _, m := range a.months {
		for _, l := range m.locations {
			if _, ok := locIndex[l]; !ok {
				locIndex[l] = len(locIndex)
			}
		}
	}
	fmt.Fprintln(w, "places\tperiod\tplaces\twith crime\tcrimes\ttop 1 %\ttop 5 %\ttop 10 %\tGini\tgen. Gini\thalf of crime at\t")
	for _, period := range []struct {
		name     string
		from, to int
	}{{a.months[last].month, last, last}, {a.months[first].month + "…" + a.months[last].month, first, last}} {
		cells := make([]float64, a.grid.Len())
		locs := make([]float64, len(locIndex))
		for t := period.from; t <= period.to; t++ {
			for i, v := range a.counts[t] {
				cells[i] += v
			}
			for _, l := range a.months[t].locations {
				locs[locIndex[l]]++
			}
		}
		for _, p := range []struct {
			name   string
			counts []float64
		}{{fmt.Sprintf("%.0f m cells", a.grid.CellSize), cells}, {"street locations", locs}} {
			r, err := concentration.Measure(p.counts, nil)
			if err != nil {
				return fmt.Errorf("%s, %s: %w", p.name, period.name, err)
			}
			fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%.0f\t%.1f %%\t%.1f %%\t%.1f %%\t%.3f\t%.3f\t%d (%.2f %%)\t\n", p.name, period.name, r.Places, r.PlacesWithCrime, r.Crimes,
				100*r.Top[0].Share, 100*r.Top[1].Share, 100*r.Top[2].Share, r.Gini, r.GeneralizedGini, len(r.Half), 100*r.HalfShare)
		}
	}
	fmt.Fprintln(w)
	return w.Flush()
}

// forecastReport validates the forecast on the last n months: each month is
// forecast from the months before it and scored per cell against the
// seasonal naive forecast; its top cells are scored against KDE and Gi*
// built from the three months before, as the hotspot stage does, at equal
// area (PAI, Chainey et al. 2008; RRI, Levine 2008).
func forecastReport(w *tabwriter.Writer, a *archive, n int) error {
	places, panel := a.panel()
	var months []int
	for t := len(a.months) - n; t < len(a.months); t++ {
		months = append(months, t)
	}
	ev, err := forecast.RollingOrigin(panel, months, forecast.Options{})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "forecast validation: %d cells with a crime in the archive; Poisson GLM fitted on up to 24 months before each month.\n"+
		"Hot sets at equal area: the KDE set (top 5 %% of cells), cut to the cells every method ranks above 0.\n", len(places))
	fmt.Fprintln(w, "month\tcrimes\tMAE\tnaive MAE\tRMSE\tnaive RMSE\tbeats naive\tcells\tarea %\tPAI KDE\tPAI Gi*\tPAI forecast\tPAI naive\tRRI KDE\tRRI forecast\t")
	var sum [8]float64
	beaten := 0
	for _, e := range ev {
		s, err := a.hotSets(e.Month, places, e.Forecast)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s\t%.0f\t%.4f\t%.4f\t%.4f\t%.4f\t%s\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t\n", a.months[e.Month].month, e.Crimes,
			e.MAE, e.NaiveMAE, e.RMSE, e.NaiveRMSE, yesNo(e.BeatsNaive), s.kde.Cells, 100*s.kde.AreaShare,
			s.kde.PAI, s.gi.PAI, s.fc.PAI, s.naive.PAI, s.kde.RRI, s.fc.RRI)
		for k, v := range []float64{e.MAE, e.NaiveMAE, e.RMSE, e.NaiveRMSE, s.kde.PAI, s.gi.PAI, s.fc.PAI, s.naive.PAI} {
			sum[k] += v / float64(len(ev))
		}
		if e.BeatsNaive {
			beaten++
		}
	}
	fmt.Fprintf(w, "mean\t\t%.4f\t%.4f\t%.4f\t%.4f\t%d of %d\t\t\t%.2f\t%.2f\t%.2f\t%.2f\t\t\t\n", sum[0], sum[1], sum[2], sum[3], beaten, len(ev), sum[4], sum[5], sum[6], sum[7])
	if beaten < len(ev) {
		fmt.Fprintf(w, "The forecast did not beat last year's same month (MAE and RMSE) in %d of %d months: use the seasonal naive forecast there.\n", len(ev)-beaten, len(ev))
	}
	fmt.Fprintln(w)
	return w.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "NO"
}

// panel returns the cells with a crime anywhere in the archive and their
// monthly counts.
func (a *archive) panel() ([]int, forecast.Panel) {
	var places []int
	for i := range a.grid.Len() {
		for _, c := range a.counts {
			if c[i] > 0 {
				places = append(places, i)
				break
			}
		}
	}
	p := forecast.Panel{}
	for t, c := range a.counts {
		row := make([]float64, len(places))
		for k, i := range places {
			row[k] = c[i]
		}
		p.Counts = append(p.Counts, row)
		var y, m int
		_, _ = fmt.Sscanf(a.months[t].month, "%d-%d", &y, &m) // checked YYYY-MM by readStreet
		p.MonthOfYear = append(p.MonthOfYear, m)
	}
	return places, p
}

// sets are the accuracies of the equal-area hot sets of one month.
type sets struct{ kde, gi, fc, naive spatstat.Accuracy }

// hotSets scores against month t the top cells, all of one number, of KDE
// and Gi* z built from the three months before t as the hotspot stage does
// (quartic KDE at its default bandwidth, Gi* at its default band), of the
// forecast and of the seasonal naive forecast. The number is that of the
// stage's KDE set, the top 5 % of cells, cut to the fewest cells any method
// ranks above 0 so that every set has the same area.
func (a *archive) hotSets(t int, places []int, fc []float64) (sets, error) {
	g := a.grid
	input := make([]float64, g.Len())
	pts := slices.Concat(a.months[t-3].pts, a.months[t-2].pts, a.months[t-1].pts)
	for k := t - 3; k < t; k++ {
		for i, v := range a.counts[k] {
			input[i] += v
		}
	}
	density, err := spatstat.KernelDensity(g, pts, nil, spatstat.DefaultBandwidth(pts, g.CellSize))
	if err != nil {
		return sets{}, err
	}
	band := g.CellSize * math.Sqrt2 // when no band can be chosen: the 8 surrounding cells
	if area, err := spatstat.FullArea(g); err == nil {
		if b, err := spatstat.ChooseBand(area, input); err == nil && b.Metres > 0 {
			band = b.Metres
		}
	}
	gs, err := spatstat.GiStarGrid(g, input, band)
	if err != nil {
		return sets{}, err
	}
	onGrid := make([]float64, g.Len())
	for k, i := range places {
		onGrid[i] = fc[k]
	}
	rankings := [][]float64{density, gs.Z, onGrid, a.counts[t-12]}
	k := len(spatstat.TopShare(density, 0.05))
	for _, r := range rankings {
		k = min(k, positive(r))
	}
	var s sets
	for m, acc := range []*spatstat.Accuracy{&s.kde, &s.gi, &s.fc, &s.naive} {
		set := spatstat.TopShare(rankings[m], (float64(k)+0.5)/float64(g.Len()))
		if *acc, err = spatstat.MeasureAccuracy(set, a.counts[t], a.counts[t-1]); err != nil {
			return sets{}, err
		}
	}
	return s, nil
}

func positive(v []float64) int {
	n := 0
	for _, x := range v {
		if x > 0 {
			n++
		}
	}
	return n
}
