package hotspots

import (
	"fmt"
	"math"
	"time"

	"github.com/safercity/safercity/analysis/forecast"
	"github.com/safercity/safercity/hotspots/spatstat"
)

// Forecast months: a forecast needs forecast.History months of history and
// one training month; the model trains on up to forecastTrain months, and
// is validated on up to forecastChecks months before the run's.
const (
	forecastTrain  = 24
	forecastMonths = forecast.History + forecastTrain
	forecastChecks = 3
)

// Forecast is next month's forecast of the profile's police.uk crimes per
// study-area cell (hotspot_cells.forecast), with its rolling-origin
// validation against the seasonal naive forecast.
type Forecast struct {
	Month   string `json:"month"`   // the month forecast
	History int    `json:"history"` // months of the force's data it was fitted on
	// Validation scores the forecasts of the last months made, each, from
	// the months before it only.
	Validation []ForecastCheck `json:"validation"`
	// Beats says the model beat the seasonal naive forecast (lower MAE and
	// RMSE) in every month validated; when false, last year's same month
	// forecasts as well and the profile says so.
	Beats bool `json:"beats_seasonal_naive"`
	// checked is the forecast of the run's month made from the months
	// before it, per cell, for the back-test; nil when not validated.
	checked []float64
}

// ForecastCheck is the validation of one month's forecast.
type ForecastCheck struct {
	Month     string  `json:"month"`
	Crimes    float64 `json:"crimes"`
	MAE       float64 `json:"mae"`
	RMSE      float64 `json:"rmse"`
	NaiveMAE  float64 `json:"naive_mae"`
	NaiveRMSE float64 `json:"naive_rmse"`
	Beats     bool    `json:"beats_seasonal_naive"`
}

// forecastCells forecasts the month after month t of pts (indices from
// from) for each study-area cell from the profile's police.uk crimes since
// the force's first month with them within the loaded consecutive months
// ending at t (a month missing is not a month without crime), and
// validates it. The forecast is nil, with the reason in r's notes, when
// there are too few months or the model cannot be fitted.
func forecastCells(s *study, pts []crimePoint, from time.Time, t, consecutive int, r *Result) (*Forecast, []float64, error) {
	first := t
	for _, p := range pts {
		if !p.partner {
			first = min(first, p.month)
		}
	}
	first = max(first, t-consecutive+1)
	n := s.area.Len()
	p := forecast.Panel{}
	for k := first; k <= t; k++ {
		p.Counts = append(p.Counts, make([]float64, n))
		p.MonthOfYear = append(p.MonthOfYear, int(from.AddDate(0, k, 0).Month()))
	}
	for _, c := range pts {
		if i, ok := s.cell(c.x, c.y); ok && !c.partner && c.month >= first && c.month <= t {
			p.Counts[c.month-first][i]++
		}
	}
	if len(p.Counts) < forecast.History+1 {
		r.Notes = append(r.Notes, fmt.Sprintf("no forecast: %d consecutive month(s) of the force's %s crimes up to %s are loaded; a forecast needs %d (%d of history and one to train on)",
			len(p.Counts), r.Profile, r.Month, forecast.History+1, forecast.History))
		return nil, nil, nil
	}
	f := &Forecast{Month: from.AddDate(0, t+1, 0).Format("2006-01"), History: len(p.Counts), Beats: true}
	var checks []int
	for k := max(forecast.History+1, len(p.Counts)-forecastChecks); k < len(p.Counts); k++ {
		checks = append(checks, k)
	}
	ev, err := forecast.RollingOrigin(p, checks, forecast.Options{TrainMonths: forecastTrain})
	if err != nil {
		r.Notes = append(r.Notes, "no forecast: "+err.Error())
		return nil, nil, nil
	}
	for _, e := range ev {
		f.Validation = append(f.Validation, ForecastCheck{Month: from.AddDate(0, first+e.Month, 0).Format("2006-01"), Crimes: e.Crimes,
			MAE: e.MAE, RMSE: e.RMSE, NaiveMAE: e.NaiveMAE, NaiveRMSE: e.NaiveRMSE, Beats: e.BeatsNaive})
		f.Beats = f.Beats && e.BeatsNaive
		f.checked = e.Forecast // the last is the run's month
	}
	if len(ev) == 0 {
		f.Beats = false
		r.Notes = append(r.Notes, fmt.Sprintf("forecast not validated: %d months loaded, and validating one month's forecast needs %d before it",
			len(p.Counts), forecast.History+1))
	}
	m, err := forecast.Fit(p, len(p.Counts), forecast.Options{TrainMonths: forecastTrain})
	if err != nil {
		r.Notes = append(r.Notes, "no forecast: "+err.Error())
		return nil, nil, nil
	}
	next, err := m.Predict(p, len(p.Counts))
	return f, next, err
}

// addForecast forecasts the month after o.Month from the forecast points
// (loaded from forecastMonths−1 months before it) over the consecutive
// months the force has data for up to o.Month, sets each cell's forecast
// (NaN when there is none), and back-tests the forecast of o.Month made
// from the months before it at the equal shares of the study area, beside
// KDE and Gi*.
func (out *output) addForecast(s *study, fpts []crimePoint, layers []layer, o Options, consecutive int) error {
	ffrom := o.Month.AddDate(0, -(forecastMonths - 1), 0)
	f, next, err := forecastCells(s, fpts, ffrom, forecastMonths-1, consecutive, &out.result)
	if err != nil {
		return err
	}
	out.result.Forecast = f
	for i := range out.cells {
		out.cells[i].forecast = math.NaN()
		if next != nil {
			out.cells[i].forecast = next[i]
		}
	}
	if t := len(layers) - 1; f != nil && f.checked != nil && t >= 1 {
		for _, share := range equalShares {
			h := hotSet{"forecast", shareName(share), spatstat.TopShare(f.checked, share)}
			if a, ok := measure(h, layers, t, o, out.result.Force, f.History-1); ok {
				out.result.Backtest = append(out.result.Backtest, a)
			}
		}
	}
	return nil
}
