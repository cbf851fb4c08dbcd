package hotspots

import (
	"errors"

	"github.com/safercity/safercity/analysis/concentration"
)

// noLocation is police.uk's location text of a crime it could not place.
const noLocation = "No Location"

// Concentration is how concentrated the month's police.uk crimes of the
// profile are, over the study area's cells and over the force's street
// locations (Weisburd's law of crime concentration).
type Concentration struct {
	Cells *PlaceShares `json:"cells"`
	// Streets are the "On or near" points police.uk snaps crimes to,
	// standing in for street segments: every point at which the force
	// recorded a crime of any category in the window is a place, so that
	// places without the profile's crime count. Null when none of the
	// month's crimes has a location.
	Streets *PlaceShares `json:"streets"`
}

// PlaceShares summarises the concentration of crime over places.
type PlaceShares struct {
	Places    int     `json:"places"`
	WithCrime int     `json:"places_with_crime"`
	Crimes    float64 `json:"crimes"`
	// Top1, Top5 and Top10 are the shares of the crime held by the 1, 5 and
	// 10 % of places with the most.
	Top1  float64 `json:"top1_share"`
	Top5  float64 `json:"top5_share"`
	Top10 float64 `json:"top10_share"`
	Gini  float64 `json:"gini"`
	// GeneralizedGini is Bernasco & Steenbeek's (2017) Gini for more places
	// than crimes.
	GeneralizedGini float64 `json:"generalized_gini"`
	// Half is the fewest places holding half of the crime, HalfShare their
	// share of the places.
	Half      int     `json:"half_places"`
	HalfShare float64 `json:"half_share"`
}

// measureConcentration measures the concentration of the police.uk crimes
// of month t (cur) over the study area's cells and over the street points
// of pts.
func measureConcentration(s *study, cur layer, pts []crimePoint, t int) (*Concentration, error) {
	counts := make([]float64, len(cur.crimes))
	for i, c := range cur.crimes {
		counts[i] = float64(c)
	}
	cells, err := placeShares(counts)
	if err != nil {
		return nil, err
	}
	type point struct {
		location string
		x, y     float64
	}
	byPoint := map[point]float64{}
	for _, p := range pts {
		if p.month == t && !p.partner && p.location != "" && p.location != noLocation {
			byPoint[point{p.location, p.x, p.y}]++
		}
	}
	if len(byPoint) == 0 {
		return &Concentration{Cells: cells}, nil
	}
	// The profile's points are among the force's in the window; max only
	// guards a store changed between the two reads.
	streets := make([]float64, max(s.streets, len(byPoint))) // the force's other points hold none
	k := 0
	for _, n := range byPoint {
		streets[k] = n
		k++
	}
	st, err := placeShares(streets)
	return &Concentration{Cells: cells, Streets: st}, err
}

// placeShares measures counts with the default top shares (1, 5, 10 %); nil
// when they hold no crime.
func placeShares(counts []float64) (*PlaceShares, error) {
	r, err := concentration.Measure(counts, []float64{1, 5, 10})
	if errors.Is(err, concentration.ErrNoCrime) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &PlaceShares{Places: r.Places, WithCrime: r.PlacesWithCrime, Crimes: r.Crimes,
		Top1: r.Top[0].Share, Top5: r.Top[1].Share, Top10: r.Top[2].Share,
		Gini: r.Gini, GeneralizedGini: r.GeneralizedGini, Half: len(r.Half), HalfShare: r.HalfShare}, nil
}
