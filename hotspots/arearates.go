package hotspots

import (
	"errors"
	"fmt"
	"math"

	"github.com/safercity/safercity/analysis/rates"
)

// ratePer is the unit of the stored rates: crimes per 1,000 residents.
const ratePer = 1000

// AreaRates are the crime rates of one layer of a run: every area of the
// force (LSOAs of the districts it polices, or those districts), those
// without residents too, with the reason.
type AreaRates struct {
	Layer          string     `json:"layer"` // lsoa | district
	Areas          []AreaRate `json:"areas"`
	NoPopulation   int        `json:"no_population"`
	PopulationYear int        `json:"population_year,omitempty"`
	// Prior is the force's overall rate per 1,000 residents, Variance
	// Marshall's moment estimate of the rates' variance (per 1,000²)
	// before it is clamped at 0; both null without population.
	Prior    Float `json:"prior_rate"`
	Variance Float `json:"prior_variance"`
	// Reach is how far the spatial rate's neighbourhoods stretch: the
	// largest distance from an area to the farthest of its
	// SpatialEBNeighbours nearest (centroid to centroid).
	Reach Float `json:"neighbour_reach"`
	// Elsewhere counts the profile's crimes of the month that the force
	// recorded in none of these areas (beyond its districts, or in no LSOA).
	Elsewhere int64 `json:"crimes_elsewhere"`
	// Forecast is next month's forecast per area (AreaRate.Forecast); null
	// without enough consecutive months (see the notes).
	Forecast *AreaForecast `json:"forecast"`
}

// AreaRate is one area's rates per 1,000 residents; null where undefined,
// with the reason.
type AreaRate struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Crimes     int64  `json:"crimes"`
	Population Float  `json:"population"`
	Raw        Float  `json:"raw_rate"`
	EB         Float  `json:"eb_rate"`
	SpatialEB  Float  `json:"spatial_eb_rate"`
	Excess     Float  `json:"excess_risk"`
	Neighbours int    `json:"neighbours"`
	Reason     string `json:"reason,omitempty"`
	Forecast   Float  `json:"forecast"` // next month's crimes; null without a forecast
}

// areaRow is what the stage knows of one area: the profile's crimes per
// month offset (0 the run's month, 12 a year before, up to the forecast's
// months), the sum of the positions of the force's located crimes of any
// kind over the run's month and the twelve before (for a centroid), and
// its residents.
type areaRow struct {
	code, name string
	areaCounts
	population float64 // 0: none, see popReason
	popReason  string
}

// areaMonths are the months over which an area's centroid is taken: the
// run's and the twelve before it.
const areaMonths = 13

// centroid returns the mean position of the area's located crimes:
// police.uk places each crime at a snap point within its LSOA, so the mean
// lies among them. ok is false without any.
func (a *areaCounts) centroid() (x, y float64, ok bool) {
	if a.located == 0 {
		return 0, 0, false
	}
	return a.sumX / float64(a.located), a.sumY / float64(a.located), true
}

// areaRates computes a layer's rates: raw, global and spatial Empirical
// Bayes (over each area's SpatialEBNeighbours nearest by centroid, not a
// distance band) and excess risk.
func areaRates(layer string, rows []areaRow, popYear int, elsewhere int64) (AreaRates, error) {
	out := AreaRates{Layer: layer, PopulationYear: popYear, Elsewhere: elsewhere,
		Prior: Float(math.NaN()), Variance: Float(math.NaN()), Reach: Float(math.NaN())}
	crimes := make([]float64, len(rows))
	base := make([]float64, len(rows))
	for i, a := range rows {
		crimes[i], base[i] = float64(a.crimes[0]), a.population
	}
	nb, reach := centroidNeighbours(rows)
	if !math.IsNaN(reach) {
		out.Reach = Float(reach)
	}
	r, err := rates.Smooth(crimes, base, nb)
	if errors.Is(err, rates.ErrNoBase) {
		r = rates.Result{NoBase: allIndices(len(rows))}
	} else if err != nil {
		return out, fmt.Errorf("%s rates: %w", layer, err)
	} else {
		out.Prior, out.Variance = Float(ratePer*r.Prior), Float(ratePer*ratePer*r.Variance)
	}
	out.NoPopulation = len(r.NoBase)
	noSpatial := spatialReasons(rows, r.Isolated)
	for i, a := range rows {
		ar := AreaRate{Code: a.code, Name: a.name, Crimes: a.crimes[0], Population: Float(math.NaN()),
			Raw: Float(math.NaN()), EB: Float(math.NaN()), SpatialEB: Float(math.NaN()), Excess: Float(math.NaN()), Neighbours: len(nb[i])}
		if a.population > 0 {
			ar.Population = Float(a.population)
			ar.Raw, ar.EB, ar.Excess = Float(ratePer*r.Raw[i]), Float(ratePer*r.EB[i]), Float(r.Excess[i])
			ar.SpatialEB = Float(ratePer * r.SpatialEB[i])
			ar.Reason = noSpatial[i]
		} else {
			ar.Reason = a.popReason
		}
		out.Areas = append(out.Areas, ar)
	}
	return out, nil
}

func allIndices(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// spatialReasons says why each isolated area has no spatial rate.
func spatialReasons(rows []areaRow, isolated []int) map[int]string {
	out := map[int]string{}
	for _, i := range isolated {
		if _, _, ok := rows[i].centroid(); !ok {
			out[i] = "no spatial EB rate: no located crime of any kind in the 13 months to place the area's centroid"
		} else {
			out[i] = "no spatial EB rate: no other area with residents and a centroid"
		}
	}
	return out
}

// SpatialEBNeighbours is how many nearest areas (by centroid) an area's
// spatial Empirical Bayes rate is computed over, with the area itself.
// A fixed count, not a distance band: a band wide enough for a rural
// force's most isolated area (7.2 km among Leicestershire's LSOAs) takes
// in hundreds of a city's LSOAs, and the city's local rates become its
// global one.
const SpatialEBNeighbours = 8

// centroidNeighbours returns each area's neighbours, its
// SpatialEBNeighbours nearest among the areas with residents and a
// centroid, and their reach: the largest distance from an area to the
// farthest of them. NaN when fewer than two areas have both.
func centroidNeighbours(rows []areaRow) ([][]int, float64) {
	var idx []int
	var xs, ys []float64
	for i := range rows {
		if x, y, ok := rows[i].centroid(); ok && rows[i].population > 0 {
			idx = append(idx, i)
			xs, ys = append(xs, x), append(ys, y)
		}
	}
	nb := make([][]int, len(rows))
	if len(idx) < 2 {
		return nb, math.NaN()
	}
	reach := 0.0
	for k, list := range rates.KNearest(xs, ys, SpatialEBNeighbours) {
		for _, j := range list {
			nb[idx[k]] = append(nb[idx[k]], idx[j])
			reach = max(reach, math.Hypot(xs[j]-xs[k], ys[j]-ys[k]))
		}
	}
	return nb, reach
}
