// Package concentration measures how concentrated crime is over places
// (cells, street segments, areas): the share of crime in the top 1, 5 and
// 10 % of places, the Lorenz curve, the Gini coefficient, the generalized
// Gini for more places than crimes, and the fewest places holding half of
// the crime — Weisburd's law of crime concentration.
//
// Sources: Weisburd (2015) "The law of crime concentration and the
// criminology of place", Criminology 53(2):133–157 (about 50 % of crime at
// 2–6 % of street segments); Bernasco & Steenbeek (2017) "More places than
// crimes: implications for evaluating the law of crime concentration at
// place", J Quant Criminol 33:451–467, whose generalized Gini compares the
// observed concentration with the most equal spread the data allow (one
// crime in each of N places when there are N < n places), as their R
// package lorenzgini computes it (gini(x, generalized = TRUE, unbiased =
// FALSE)).
package concentration

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
)

// ErrNoCrime is returned when the places hold no crime: every share is 0/0.
var ErrNoCrime = errors.New("concentration: the places hold no crime, so its concentration is undefined")

// DefaultTop are the top shares of places reported by default, in percent.
var DefaultTop = []float64{1, 5, 10}

// A TopShare is the crime held by the places with the most crime.
type TopShare struct {
	Percent float64 // of places asked for
	Places  int     // ⌊Percent·n/100⌋ places: none when n is too small
	Crimes  float64
	Share   float64 // of all crime
}

// A LorenzPoint is a point of the Lorenz curve: the places with the least
// crime, PlaceShare of them, hold CrimeShare of the crime.
type LorenzPoint struct{ PlaceShare, CrimeShare float64 }

// Result summarises the concentration of crime over n places.
type Result struct {
	Places int
	Crimes float64 // N, the sum of the counts
	// PlacesWithCrime counts the places with a positive count.
	PlacesWithCrime int
	Top             []TopShare
	// Gini is the standard Gini coefficient, Σ_i (2i − n − 1) x_(i) / (n·N)
	// over the counts sorted ascending (DescTools::Gini, unbiased = FALSE):
	// 0 when every place has the same crime, (n−1)/n when one place has it
	// all.
	Gini float64
	// GeneralizedGini is Bernasco & Steenbeek's max(1, n/N)·(Gini − 1) + 1:
	// equal to Gini when there are at least as many crimes as places, and
	// otherwise 0 when the N crimes fall in N different places — the most
	// equal spread possible — rather than reading sparse data as
	// concentration.
	GeneralizedGini float64
	// Lorenz has 101 points, at 0, 1, …, 100 % of places.
	Lorenz []LorenzPoint
	// Half lists the fewest places holding at least half of the crime, most
	// crime first (ties by index), as indices into the counts; HalfShare is
	// their share of all places.
	Half      []int
	HalfShare float64
}

// Measure returns the concentration of counts (one per place, zero places
// included: leaving them out understates concentration) with the top shares
// top in percent (DefaultTop when nil). Counts may be harm-weighted; the
// generalized Gini then reads their sum as the number of crimes.
func Measure(counts []float64, top []float64) (Result, error) {
	if top == nil {
		top = DefaultTop
	}
	n := len(counts)
	r := Result{Places: n}
	for i, c := range counts {
		if !(c >= 0) || math.IsInf(c, 0) {
			return Result{}, fmt.Errorf("concentration: count of place %d is %v, not a non-negative number", i, c)
		}
		r.Crimes += c
		if c > 0 {
			r.PlacesWithCrime++
		}
	}
	if r.Crimes == 0 {
		return Result{}, ErrNoCrime
	}
	for _, p := range top {
		if !(p > 0 && p <= 100) {
			return Result{}, fmt.Errorf("concentration: top share %v %% is not in (0, 100]", p)
		}
	}

	// Places by count descending, ties by index, so results are stable.
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := cmp.Compare(counts[b], counts[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	cum := make([]float64, n+1) // cum[k]: crime in the k places with most
	for k, i := range order {
		cum[k+1] = cum[k] + counts[i]
	}
	for _, p := range top {
		k := int(math.Floor(p * float64(n) / 100))
		r.Top = append(r.Top, TopShare{Percent: p, Places: k, Crimes: cum[k], Share: cum[k] / r.Crimes})
	}
	r.Gini = gini(counts, order, r.Crimes)
	r.GeneralizedGini = max(1, float64(n)/r.Crimes)*(r.Gini-1) + 1
	r.Lorenz = lorenz(cum)
	k := sortSearch(cum, r.Crimes/2)
	r.Half = slices.Clone(order[:k])
	r.HalfShare = float64(k) / float64(n)
	return r, nil
}

// gini computes Σ_i (2i − n − 1) x_(i) / (n·N) with x ascending; order is
// descending, so the place of rank k from the top has ascending rank n−k.
func gini(counts []float64, order []int, total float64) float64 {
	n := len(counts)
	var s float64
	for k, i := range order {
		rank := n - k
		s += float64(2*rank-n-1) * counts[i]
	}
	return s / (float64(n) * total)
}

// lorenz returns the Lorenz curve at 0…100 % of places from the cumulative
// crime of the places with most crime: the least-crime share p of places
// holds all crime but that of the other 1−p.
func lorenz(cum []float64) []LorenzPoint {
	n := len(cum) - 1
	total := cum[n]
	pts := make([]LorenzPoint, 101)
	for p := range pts {
		k := int(math.Round(float64(p) * float64(n) / 100)) // least-crime places
		pts[p] = LorenzPoint{PlaceShare: float64(k) / float64(n), CrimeShare: (total - cum[n-k]) / total}
	}
	return pts
}

// sortSearch returns the fewest k with cum[k] ≥ target.
func sortSearch(cum []float64, target float64) int {
	k, _ := slices.BinarySearch(cum, target)
	return k
}
