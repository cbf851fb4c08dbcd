package hotspots

import (
	"fmt"
	"math"
	"time"

	"github.com/safercity/safercity/analysis/forecast"
)

// AreaForecast is next month's forecast of the profile's crimes per area
// of one layer (area_rates.forecast), by the cells' model (a Poisson
// regression on trend, month of year and the area's recent history), with
// its rolling-origin validation against the seasonal naive forecast.
type AreaForecast struct {
	Month      string          `json:"month"`   // the month forecast
	History    int             `json:"history"` // consecutive months of the force's data fitted on
	Validation []ForecastCheck `json:"validation"`
	Beats      bool            `json:"beats_seasonal_naive"`
}

// areaForecast forecasts the month after the run's for each area from the
// h consecutive months the force has data for up to the run's (a month
// missing is not a month without crime), and validates it on up to
// forecastChecks months. Without enough months, or when the model cannot
// be fitted, it returns nil and the reason.
func areaForecast(layer string, rows []areaRow, month time.Time, h int) (*AreaForecast, []float64, string) {
	if h < forecast.History+1 {
		return nil, nil, fmt.Sprintf("no %s forecast: %d consecutive month(s) of the force's data up to %s are loaded; a forecast needs %d",
			layer, h, month.Format("2006-01"), forecast.History+1)
	}
	p := forecast.Panel{}
	for k := h - 1; k >= 0; k-- {
		counts := make([]float64, len(rows))
		for i := range rows {
			counts[i] = float64(rows[i].crimes[k])
		}
		p.Counts = append(p.Counts, counts)
		p.MonthOfYear = append(p.MonthOfYear, int(month.AddDate(0, -k, 0).Month()))
	}
	opt := forecast.Options{TrainMonths: forecastTrain}
	var checks []int
	for t := max(forecast.History+1, h-forecastChecks); t < h; t++ {
		checks = append(checks, t)
	}
	ev, err := forecast.RollingOrigin(p, checks, opt)
	if err != nil {
		return nil, nil, fmt.Sprintf("no %s forecast: %v", layer, err)
	}
	f := &AreaForecast{Month: month.AddDate(0, 1, 0).Format("2006-01"), History: h, Beats: len(ev) > 0}
	for _, e := range ev {
		f.Validation = append(f.Validation, ForecastCheck{Month: month.AddDate(0, e.Month-(h-1), 0).Format("2006-01"), Crimes: e.Crimes,
			MAE: e.MAE, RMSE: e.RMSE, NaiveMAE: e.NaiveMAE, NaiveRMSE: e.NaiveRMSE, Beats: e.BeatsNaive})
		f.Beats = f.Beats && e.BeatsNaive
	}
	m, err := forecast.Fit(p, h, opt)
	if err != nil {
		return nil, nil, fmt.Sprintf("no %s forecast: %v", layer, err)
	}
	next, err := m.Predict(p, h)
	if err != nil {
		return nil, nil, fmt.Sprintf("no %s forecast: %v", layer, err)
	}
	return f, next, ""
}

// forecastOr returns v[i], or NaN without a forecast.
func forecastOr(v []float64, i int) Float {
	if v == nil {
		return Float(math.NaN())
	}
	return Float(v[i])
}
