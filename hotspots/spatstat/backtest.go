package spatstat

import (
	"fmt"
	"math"
)

// Accuracy measures how well a set of hot spot cells captured crime in a
// later period.
type Accuracy struct {
	Cells     int     // hot spot cells
	Hits      float64 // n: crimes in the hot spot cells in the test period
	Total     float64 // N: crimes in all cells in the test period
	AreaShare float64 // a/A: hot spot cells as a share of all cells

	// HitRate is n/N, the share of the test period's crime in the hot spots.
	HitRate float64
	// PAI is the Predictive Accuracy Index of Chainey, Tompson & Uhlig
	// (2008), (n/N)/(a/A): how much more crime the hot spots hold than their
	// share of the area. It is NaN when N or a is 0.
	PAI float64
	// RRI is the Recapture Rate Index of Levine (2008),
	//
	//	RRI = (n_t / n_{t−1}) / (N_t / N_{t−1})
	//
	// the growth of crime in the hot spots from the previous period to the
	// test period relative to its growth in the whole area: above 1 the hot
	// spots recaptured more than their share. It is NaN when there is no
	// previous period, when the hot spots had no crime in it (n_{t−1} = 0:
	// there was nothing to recapture, and +Inf would rank such a map best)
	// or when the area had none in the test period (N_t = 0).
	RRI float64
}

// MeasureAccuracy returns the Accuracy of the hot spot cells (indices into
// test, as returned by TopShare) against the test period's counts per cell.
// previous holds the counts of the period before, for RRI; pass nil to skip
// it. All cells are taken to have the same area — the study area is every
// cell of the grid — and counts may be harm-weighted.
func MeasureAccuracy(hotspots []int, test, previous []float64) (Accuracy, error) {
	if previous != nil && len(previous) != len(test) {
		return Accuracy{}, fmt.Errorf("spatstat: %d previous counts for %d test counts", len(previous), len(test))
	}
	if len(test) == 0 {
		return Accuracy{}, fmt.Errorf("spatstat: no cells to measure accuracy on")
	}
	seen := make(map[int]bool, len(hotspots))
	a := Accuracy{Cells: len(hotspots), RRI: math.NaN()}
	var hitsBefore, totalBefore float64
	for _, i := range hotspots {
		if i < 0 || i >= len(test) {
			return Accuracy{}, fmt.Errorf("spatstat: hot spot cell %d is outside the %d cells", i, len(test))
		}
		if seen[i] {
			return Accuracy{}, fmt.Errorf("spatstat: hot spot cell %d is listed twice", i)
		}
		seen[i] = true
		a.Hits += test[i]
		if previous != nil {
			hitsBefore += previous[i]
		}
	}
	for i, v := range test {
		a.Total += v
		if previous != nil {
			totalBefore += previous[i]
		}
	}
	a.AreaShare = float64(len(hotspots)) / float64(len(test))
	a.HitRate = ratio(a.Hits, a.Total)
	a.PAI = ratio(a.HitRate, a.AreaShare)
	if previous != nil {
		a.RRI = ratio(ratio(a.Hits, hitsBefore), ratio(a.Total, totalBefore))
	}
	return a, nil
}

// ratio returns x/y, or NaN when y is 0: these indices are undefined then,
// and NaN keeps an undefined value from ranking as infinitely good.
func ratio(x, y float64) float64 {
	if y == 0 {
		return math.NaN()
	}
	return x / y
}
