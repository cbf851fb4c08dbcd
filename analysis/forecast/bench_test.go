package forecast

import (
	"math"
	"math/rand/v2"
	"testing"
)

// nationalPanel synthesises 36 months of a national archive: 450,000 cells
// with a crime in the last year, log-normal levels (most cells see a crime
// a year or two, a few town-centre cells dozens a month) summing to about
// 500,000 crimes a month, with seasonality and Poisson noise.
func nationalPanel() Panel {
	const places, months = 450_000, 36
	rng := rand.New(rand.NewPCG(36, 500))
	level := make([]float64, places)
	for i := range level {
		level[i] = 1.1 * math.Exp(1.1*rng.NormFloat64()-0.6)
	}
	p := Panel{Counts: make([][]float64, months), MonthOfYear: make([]int, months)}
	for t := range months {
		p.MonthOfYear[t] = (t+3)%12 + 1
		season := 1 + 0.15*math.Sin(float64(p.MonthOfYear[t])/12*2*math.Pi)
		p.Counts[t] = make([]float64, places)
		for i, l := range level {
			p.Counts[t][i] = poisson(rng, l*season)
		}
	}
	return p
}

// BenchmarkNationalForecast fits the model on 24 months of every cell of
// nationalPanel and forecasts next month for each. Target: ≤ 20 s.
func BenchmarkNationalForecast(b *testing.B) {
	p := nationalPanel()
	var crimes float64
	for _, v := range p.Counts[len(p.Counts)-1] {
		crimes += v
	}
	var m Model
	for b.Loop() {
		var err error
		if m, err = Fit(p, len(p.Counts), Options{}); err != nil {
			b.Fatal(err)
		}
		if _, err := m.Predict(p, len(p.Counts)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(p.Counts[0])), "cells")
	b.ReportMetric(crimes, "crimes_last_month")
	b.ReportMetric(float64(m.Iterations), "irls_iterations")
}
