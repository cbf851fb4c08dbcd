// Package forecast predicts next month's crime per place (cell or area)
// with a Poisson regression pooled over places, and validates it by
// rolling origin against the seasonal naive forecast (the same month last
// year), as forecasters do before trusting a model.
//
// The model is a Poisson generalised linear model with log link,
//
//	log E[y_it] = β₀ + β₁·t/12 + Σ_m γ_m·[month(t) = m] + δ₁·log(c+y_i,t−1)
//	            + δ₂·log(c+ȳ_i,t−3…t−1) + δ₃·log(c+ȳ_i,t−12…t−1) + δ₄·log(c+y_i,t−12)
//
// with c = 0.1 — trend, month of year and the place's recent history, the last month,
// the last quarter, the last year and the same month last year — fitted by
// iteratively reweighted least squares (McCullagh & Nelder 1989, §2.5) over
// every place and the TrainMonths months before the forecast origin, with
// the weighted normal equations solved by gonum's Cholesky factorisation.
// Coefficients are shared by all places, so sparse cells borrow strength
// from the rest; a place's own level enters through its history.
//
// Sources: Hyndman & Athanasopoulos, Forecasting: Principles and Practice,
// 3rd ed. (otexts.com/fpp3), §5.2 (the seasonal naive benchmark), §5.8
// (MAE, RMSE) and §5.10 (evaluation on a rolling forecasting origin);
// Chainey, Tompson & Uhlig (2008) for scoring hot sets by PAI at equal area.
package forecast

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// History is the number of months of history a forecast needs: the same
// month last year is a predictor.
const History = 12

// A Panel holds monthly counts per place: Counts[t][i] for month t (oldest
// first, consecutive months) and place i, and the calendar month (1–12) of
// each t.
type Panel struct {
	Counts      [][]float64
	MonthOfYear []int
}

// Check reports whether the panel is rectangular with valid counts and
// consecutive calendar months.
func (p Panel) Check() error {
	if len(p.Counts) != len(p.MonthOfYear) {
		return fmt.Errorf("forecast: %d months of counts and %d calendar months", len(p.Counts), len(p.MonthOfYear))
	}
	for t, row := range p.Counts {
		if len(row) != len(p.Counts[0]) {
			return fmt.Errorf("forecast: month %d has %d places, month 0 has %d", t, len(row), len(p.Counts[0]))
		}
		if m := p.MonthOfYear[t]; m < 1 || m > 12 || (t > 0 && m != p.MonthOfYear[t-1]%12+1) {
			return fmt.Errorf("forecast: month %d is calendar month %d, after %d: months must be consecutive", t, m, p.MonthOfYear[max(t-1, 0)])
		}
		for i, v := range row {
			if !(v >= 0) || math.IsInf(v, 0) {
				return fmt.Errorf("forecast: month %d, place %d has count %v", t, i, v)
			}
		}
	}
	return nil
}

// Names are the model's terms, in coefficient order.
var Names = []string{"intercept", "trend_per_year",
	"feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
	"log_last_month", "log_mean_last_3", "log_mean_last_12", "log_same_month_last_year"}

var nTerms = len(Names)

// features writes the predictors of place i for month t into x.
func (p Panel) features(t, i int, x []float64) {
	clear(x)
	x[0] = 1
	x[1] = float64(t) / 12
	if m := p.MonthOfYear[t]; m > 1 {
		x[m] = 1 // feb is x[2]
	}
	h := p.history(t, i)
	x[13] = math.Log(h.last + histC)
	x[14] = math.Log(h.sum3/3 + histC)
	x[15] = math.Log(h.sum12/12 + histC)
	x[16] = math.Log(h.lastYear + histC)
}

// histC is added to a count before its log, so that places without crime
// have a predictor: a tenth of a crime, small beside any count, so that for
// busy places the log is that of the count and the level enters
// multiplicatively. With log(1 + y) instead, the fitted elasticity for
// sparse cells (above 1) overshot busy cells: on Leicestershire's and the
// City of London's archives it lost to the seasonal naive forecast in RMSE.
const histC = 0.1

// history is what the predictors of a place-month are computed from.
type history struct{ last, sum3, sum12, lastYear float64 }

func (p Panel) history(t, i int) history {
	h := history{last: p.Counts[t-1][i], lastYear: p.Counts[t-History][i]}
	for k := 1; k <= History; k++ {
		v := p.Counts[t-k][i]
		h.sum12 += v
		if k <= 3 {
			h.sum3 += v
		}
	}
	return h
}

// Options controls the fit.
type Options struct {
	// TrainMonths is how many months before the origin are training
	// targets (each with its own 12 months of history); default 24, fewer
	// when the data are shorter.
	TrainMonths int
}

// A Model is a fitted forecast model.
type Model struct {
	Coef       []float64 // one per Names
	Iterations int
	Deviance   float64 // Poisson deviance on the training months
	Rows       int     // place-months fitted
	Groups     int     // distinct predictor vectors among them
}

// ErrTooShort is returned when there are not enough months to train.
var ErrTooShort = errors.New("forecast: not enough months: a forecast needs 12 months of history and at least one training month before it")

// Fit fits the model on the months before origin: targets origin−TrainMonths
// … origin−1, as many as have 12 months of history.
func Fit(p Panel, origin int, o Options) (Model, error) {
	if err := p.Check(); err != nil {
		return Model{}, err
	}
	if o.TrainMonths == 0 {
		o.TrainMonths = 24
	}
	first := max(History, origin-o.TrainMonths)
	if origin > len(p.Counts) || first >= origin {
		return Model{}, ErrTooShort
	}
	n := len(p.Counts[0])
	rows := (origin - first) * n
	var total float64
	for t := first; t < origin; t++ {
		for _, v := range p.Counts[t] {
			total += v
		}
	}
	if total == 0 {
		return Model{}, fmt.Errorf("forecast: no crime in the %d training months, nothing to fit", origin-first)
	}
	m := Model{Coef: make([]float64, nTerms), Rows: rows}
	m.Coef[0] = math.Log(total / float64(rows))
	active := p.identifiable(first, origin)
	groups := p.groups(first, origin)
	m.Groups = len(groups)
	prev := math.Inf(1)
	for m.Iterations = 1; m.Iterations <= 50; m.Iterations++ {
		xtwx, xtwz, dev := normalEquations(groups, m.Coef)
		if err := solveActive(xtwx, xtwz, active, m.Coef); err != nil {
			return Model{}, err
		}
		m.Deviance = dev
		if math.Abs(prev-dev) <= 1e-9*(math.Abs(dev)+0.1) {
			break
		}
		prev = dev
	}
	return m, nil
}

// identifiable returns which terms the training months [first, origin) can
// estimate: a calendar month's term only if it is among them, and the
// trend only if some calendar month occurs twice — within one year the
// trend is a function of the month of year. The others keep coefficient 0.
func (p Panel) identifiable(first, origin int) []bool {
	active := make([]bool, nTerms)
	for k := range active {
		active[k] = k == 0 || k > 12
	}
	seen := map[int]bool{}
	for t := first; t < origin; t++ {
		m := p.MonthOfYear[t]
		if seen[m] {
			active[1] = true
		}
		seen[m] = true
		if m > 1 {
			active[m] = true
		}
	}
	return active
}

// solveActive solves the normal equations restricted to the active terms
// into coef, leaving the others at 0.
func solveActive(a *mat.SymDense, b *mat.VecDense, active []bool, coef []float64) error {
	var idx []int
	for k, ok := range active {
		if ok {
			idx = append(idx, k)
		}
	}
	ra := mat.NewSymDense(len(idx), nil)
	rb := mat.NewVecDense(len(idx), nil)
	for r, j := range idx {
		rb.SetVec(r, b.AtVec(j))
		for c, k := range idx[r:] {
			ra.SetSym(r, r+c, a.At(j, k))
		}
	}
	var chol mat.Cholesky
	if !chol.Factorize(ra) {
		return errors.New("forecast: the predictors are collinear on these months; give more training months")
	}
	beta := mat.NewVecDense(len(idx), nil)
	if err := chol.SolveVecTo(beta, rb); err != nil {
		return fmt.Errorf("forecast: solving the normal equations: %w", err)
	}
	for r, j := range idx {
		coef[j] = beta.AtVec(r)
	}
	return nil
}

// A group is a set of training place-months with the same predictors:
// for a Poisson model, their counts enter the likelihood only through
// their number and sum, so IRLS runs on groups, not rows. Places with the
// same recent counts in the same month — most sparse cells — share one.
type group struct {
	x     []float64
	rows  float64 // m, the place-months in the group
	sum   float64 // Σy
	ylogy float64 // Σ y·log y, for the deviance
}

// groups collects the training place-months of [first, origin) into
// groups, one month per goroutine at a time.
func (p Panel) groups(first, origin int) []group {
	months := origin - first
	perMonth := make([][]group, months)
	workers := min(runtime.GOMAXPROCS(0), months)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for k := w; k < months; k += workers {
				perMonth[k] = p.monthGroups(first + k)
			}
		})
	}
	wg.Wait()
	var out []group
	for _, g := range perMonth {
		out = append(out, g...)
	}
	return out
}

func (p Panel) monthGroups(t int) []group {
	// Within one month the predictors are a function of the history.
	index := make(map[history]int)
	var out []group
	for i, y := range p.Counts[t] {
		g, ok := index[p.history(t, i)]
		if !ok {
			g = len(out)
			index[p.history(t, i)] = g
			x := make([]float64, nTerms)
			p.features(t, i, x)
			out = append(out, group{x: x})
		}
		out[g].rows++
		out[g].sum += y
		if y > 0 {
			out[g].ylogy += y * math.Log(y)
		}
	}
	return out
}

// normalEquations returns X'WX and X'Wz of one IRLS step at coef, and the
// Poisson deviance at coef. Over a group of m rows with mean μ and sum Y,
// the weights are mμ and Σ μ·z = mμη + Y − mμ; the deviance is
// 2(Σ y log y − Y log μ − Y + mμ).
func normalEquations(groups []group, coef []float64) (*mat.SymDense, *mat.VecDense, float64) {
	a := make([]float64, nTerms*nTerms)
	b := make([]float64, nTerms)
	var dev float64
	for _, g := range groups {
		eta := dot(coef, g.x)
		mu := math.Exp(eta)
		w := g.rows * mu
		wz := w*eta + g.sum - w
		for j, xj := range g.x {
			if xj == 0 {
				continue
			}
			b[j] += xj * wz
			row := a[j*nTerms:]
			for k := j; k < nTerms; k++ {
				row[k] += w * xj * g.x[k]
			}
		}
		dev += 2 * (g.ylogy - g.sum*eta - g.sum + w)
	}
	return mat.NewSymDense(nTerms, a), mat.NewVecDense(nTerms, b), dev
}

func dot(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

// Predict returns the forecast mean of month t for every place, from the
// months before t (t may be len(p.Counts): next month, whose calendar month
// follows the last).
func (m Model) Predict(p Panel, t int) ([]float64, error) {
	if t < History || t > len(p.Counts) {
		return nil, fmt.Errorf("forecast: cannot forecast month %d of %d with %d months of history", t, len(p.Counts), History)
	}
	q := p
	if t == len(p.Counts) {
		// features reads only MonthOfYear[t] and the months before t.
		q.MonthOfYear = append(p.MonthOfYear[:t:t], p.MonthOfYear[t-1]%12+1)
	}
	out := make([]float64, len(p.Counts[0]))
	x := make([]float64, nTerms)
	for i := range out {
		q.features(t, i, x)
		out[i] = math.Exp(dot(m.Coef, x))
	}
	return out, nil
}

// SeasonalNaive returns last year's same month, the forecast to beat for
// seasonal series.
func SeasonalNaive(p Panel, t int) []float64 { return p.Counts[t-History] }
