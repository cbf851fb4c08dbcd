package forecast

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/safercity/safercity/internal/shareddata"
)

// simulate draws a panel of places×months from the model itself with
// coefficients coef, each place with its own level, month by month.
func simulate(places, months int, coef []float64, seed uint64) Panel {
	rng := rand.New(rand.NewPCG(seed, 1))
	p := Panel{Counts: make([][]float64, months), MonthOfYear: make([]int, months)}
	level := make([]float64, places)
	for i := range level {
		level[i] = math.Exp(rng.NormFloat64())
	}
	x := make([]float64, nTerms)
	for t := range months {
		p.MonthOfYear[t] = (t+3)%12 + 1 // starts in April
		p.Counts[t] = make([]float64, places)
		for i := range places {
			mu := level[i] * (1 + 0.3*math.Sin(float64(p.MonthOfYear[t])/12*2*math.Pi))
			if t >= History {
				p.features(t, i, x)
				mu = math.Exp(dot(coef, x))
			}
			p.Counts[t][i] = poisson(rng, mu)
		}
	}
	return p
}

func poisson(rng *rand.Rand, mu float64) float64 {
	// Knuth's method is fine for the small means simulated here.
	l, k, prod := math.Exp(-mu), 0.0, rng.Float64()
	for prod > l {
		k++
		prod *= rng.Float64()
	}
	return k
}

// TestFitRecoversCoefficients simulates 36 months of 4,000 places from
// known coefficients and checks that IRLS recovers them.
func TestFitRecoversCoefficients(t *testing.T) {
	coef := []float64{-0.4, 0.05, 0.1, 0.2, 0.25, 0.3, 0.35, 0.3, 0.2, 0.1, 0, -0.1, 0.15,
		0.25, 0.3, 0.35, 0.1}
	p := simulate(4000, 36, coef, 5)
	m, err := Fit(p, 36, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range coef {
		if math.Abs(m.Coef[k]-want) > 0.08 {
			t.Errorf("%s = %.3f, simulated with %.3f", Names[k], m.Coef[k], want)
		}
	}
	if m.Rows != 24*4000 || m.Iterations > 20 {
		t.Errorf("%d rows in %d iterations", m.Rows, m.Iterations)
	}
}

// TestRollingOriginBeatsNaive checks that on noisy seasonal counts the
// model beats last year's same month, whose own Poisson noise it averages
// away, and that a series repeating exactly every year — which the seasonal
// naive forecast gets right — is reported as not beaten.
func TestRollingOriginBeatsNaive(t *testing.T) {
	coef := make([]float64, nTerms)
	coef[0], coef[15] = 0.2, 0.8 // level from the last year's mean
	p := simulate(2000, 30, coef, 9)
	ev, err := RollingOrigin(p, []int{26, 27, 28, 29}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ev {
		if !e.BeatsNaive || e.MAE >= e.NaiveMAE {
			t.Errorf("month %d: MAE %.3f vs naive %.3f, RMSE %.3f vs %.3f", e.Month, e.MAE, e.NaiveMAE, e.RMSE, e.NaiveRMSE)
		}
	}

	periodic := Panel{}
	rng := rand.New(rand.NewPCG(1, 2))
	year := make([][]float64, 12)
	for m := range year {
		year[m] = make([]float64, 500)
		for i := range year[m] {
			year[m][i] = float64(rng.IntN(6))
		}
	}
	for t := range 30 {
		periodic.Counts = append(periodic.Counts, year[t%12])
		periodic.MonthOfYear = append(periodic.MonthOfYear, t%12+1)
	}
	ev, err = RollingOrigin(periodic, []int{28}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if e := ev[0]; e.BeatsNaive || e.NaiveMAE != 0 {
		t.Errorf("exactly periodic series: model MAE %v, naive %v, beats naive %v", e.MAE, e.NaiveMAE, e.BeatsNaive)
	}
}

func TestFitErrors(t *testing.T) {
	p := simulate(10, 12, make([]float64, nTerms), 1)
	if _, err := Fit(p, 12, Options{}); err != ErrTooShort {
		t.Errorf("12 months: %v, want ErrTooShort", err)
	}
	p.MonthOfYear[5] = 3
	if _, err := Fit(p, 12, Options{}); err == nil {
		t.Error("months out of order accepted")
	}
}

// TestFitMatchesRGLM fits the model on 36 months of the City of London's
// 315 cells (testdata/city_of_london_panel.csv, police.uk street crime) and
// compares the coefficients and deviance with R's glm(family = poisson) on
// the same rows (testdata/glm.R): grouped IRLS must give the same fit as
// R's row by row.
func TestFitMatchesRGLM(t *testing.T) {
	_, recs := shareddata.ReadCSV(t, "testdata/city_of_london_panel.csv")
	var p Panel
	for _, rec := range recs {
		m, err := strconv.Atoi(rec[1])
		if err != nil {
			t.Fatal(err)
		}
		p.MonthOfYear = append(p.MonthOfYear, m)
		row := make([]float64, len(rec)-2)
		for i, s := range rec[2:] {
			if row[i], err = strconv.ParseFloat(s, 64); err != nil {
				t.Fatal(err)
			}
		}
		p.Counts = append(p.Counts, row)
	}
	m, err := Fit(p, 36, Options{TrainMonths: 24})
	if err != nil {
		t.Fatal(err)
	}
	if m.Rows != 7560 || math.Abs(m.Deviance-6757.61193530089) > 1e-6 {
		t.Errorf("%d rows, deviance %.10g; R: 7560 rows, deviance 6757.61193530089", m.Rows, m.Deviance)
	}
	_, glm := shareddata.ReadCSV(t, "testdata/city_of_london_glm.csv")
	for k, rec := range glm {
		want, _ := strconv.ParseFloat(rec[1], 64)
		se, _ := strconv.ParseFloat(rec[2], 64)
		// Within a millionth of a standard error (they agree to 1e-9).
		if math.Abs(m.Coef[k]-want) > 1e-6*se {
			t.Errorf("%s (R %s) = %.12g, R %.12g", Names[k], rec[0], m.Coef[k], want)
		}
	}
}
