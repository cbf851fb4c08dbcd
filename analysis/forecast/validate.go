package forecast

import (
	"fmt"
	"math"
)

// An Evaluation scores the forecast of one month made from the months
// before it, beside the seasonal naive forecast of the same month.
type Evaluation struct {
	Month  int     // index of the month forecast
	Places int     // places forecast
	Crimes float64 // actual crimes in them
	// MAE and RMSE are the mean absolute and root mean square errors per
	// place; Naive* are those of the seasonal naive forecast.
	MAE, RMSE, NaiveMAE, NaiveRMSE float64
	// BeatsNaive is set when the model's MAE and RMSE are both below the
	// seasonal naive ones: otherwise last year's same month forecasts as
	// well, and reports must say so.
	BeatsNaive bool
	Model      Model
	Forecast   []float64 // per place, for hot sets and maps
}

// RollingOrigin fits and evaluates a forecast for each month of months
// (indices into p.Counts), each from the months before it only (Hyndman &
// Athanasopoulos §5.10: evaluation on a rolling forecasting origin).
func RollingOrigin(p Panel, months []int, o Options) ([]Evaluation, error) {
	out := make([]Evaluation, 0, len(months))
	for _, t := range months {
		if t < History+1 || t >= len(p.Counts) {
			return nil, fmt.Errorf("forecast: month %d cannot be evaluated: it needs %d months before it and must be one of the %d months", t, History+1, len(p.Counts))
		}
		m, err := Fit(p, t, o)
		if err != nil {
			return nil, fmt.Errorf("forecast: month %d: %w", t, err)
		}
		f, err := m.Predict(p, t)
		if err != nil {
			return nil, err
		}
		e := Evaluation{Month: t, Places: len(f), Model: m, Forecast: f}
		e.MAE, e.RMSE, e.Crimes = errorsOf(f, p.Counts[t])
		e.NaiveMAE, e.NaiveRMSE, _ = errorsOf(SeasonalNaive(p, t), p.Counts[t])
		e.BeatsNaive = e.MAE < e.NaiveMAE && e.RMSE < e.NaiveRMSE
		out = append(out, e)
	}
	return out, nil
}

// errorsOf returns the MAE and RMSE of forecasts f against actual counts,
// and the actual total.
func errorsOf(f, actual []float64) (mae, rmse, total float64) {
	for i, y := range actual {
		d := f[i] - y
		mae += math.Abs(d)
		rmse += d * d
		total += y
	}
	n := float64(len(actual))
	return mae / n, math.Sqrt(rmse / n), total
}
