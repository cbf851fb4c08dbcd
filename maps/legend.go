package maps

import (
	"image/color"
	"strconv"
)

// GiStarBinClass returns the class key of a Getis-Ord Gi* confidence bin,
// from -3 (cold spot, 99% confidence) to 3 (hot spot, 99% confidence), as
// used by GiStarLegend.
func GiStarBinClass(bin int) string {
	return strconv.Itoa(bin)
}

// GiStarLegend returns the legend of a Gi* hot-spot map, coloured with
// ColorBrewer's RdBu diverging scheme (Brewer & Harrower), which readers with
// any common colour-vision deficiency can tell apart: reds for hot, blues for
// cold, darker for more confidence. "Not significant" is a neutral grey
// rather than RdBu's near-white, so that the study area shows on white paper.
func GiStarLegend() Legend {
	return Legend{
		Title: "Hot spot analysis (Gi*)",
		Classes: []Class{
			{Key: GiStarBinClass(3), Label: "Hot spot - 99% confidence", Color: rgb(0xb2, 0x18, 0x2b), Rank: 6},
			{Key: GiStarBinClass(2), Label: "Hot spot - 95% confidence", Color: rgb(0xd6, 0x60, 0x4d), Rank: 5},
			{Key: GiStarBinClass(1), Label: "Hot spot - 90% confidence", Color: rgb(0xf4, 0xa5, 0x82), Rank: 4},
			{Key: GiStarBinClass(0), Label: "Not significant", Color: notSignificantGrey, Rank: 0},
			{Key: GiStarBinClass(-1), Label: "Cold spot - 90% confidence", Color: rgb(0x92, 0xc5, 0xde), Rank: 1},
			{Key: GiStarBinClass(-2), Label: "Cold spot - 95% confidence", Color: rgb(0x43, 0x93, 0xc3), Rank: 2},
			{Key: GiStarBinClass(-3), Label: "Cold spot - 99% confidence", Color: rgb(0x21, 0x66, 0xac), Rank: 3},
		},
	}
}

// GiStarBinLabel returns the legend label of a Gi* bin, e.g. "Hot spot - 95%
// confidence", for exports whose readers have no legend.
func GiStarBinLabel(bin int) string {
	if bin < -3 || bin > 3 {
		return giStarLabels[3]
	}
	return giStarLabels[3-bin]
}

// giStarLabels are GiStarLegend's labels from bin 3 down to -3, looked up
// once rather than for each of a national map's cells.
var giStarLabels = func() []string {
	var out []string
	for _, c := range GiStarLegend().Classes {
		out = append(out, c.Label)
	}
	return out
}()

// EmergingHotSpotLegend returns the legend of an emerging hot-spot map, with
// one class for each of ArcGIS's seventeen Emerging Hot Spot Analysis
// patterns, grouped as ArcGIS lists them: the eight hot spot trends, the
// eight cold spot trends, and no pattern. Keys are the pattern names in lower
// case, e.g. "new hot spot", "persistent cold spot", "no pattern detected".
//
// Hot trends take ColorBrewer's YlOrBr and cold trends its Blues, two
// sequential schemes that colour-blind readers tell apart, darker for the
// more lasting patterns: a pattern's place in its group matters less than
// hot against cold, which no reader confuses.
func EmergingHotSpotLegend() Legend {
	const hot, cold, none = "Hot spot trends", "Cold spot trends", "No trend"
	return Legend{
		Title: "Emerging hot spot analysis",
		Classes: []Class{
			{Key: "new hot spot", Label: "New hot spot", Color: rgb(0xff, 0xf7, 0xbc), Group: hot, Rank: 9},
			{Key: "consecutive hot spot", Label: "Consecutive hot spot", Color: rgb(0xcc, 0x4c, 0x02), Group: hot, Rank: 14},
			{Key: "intensifying hot spot", Label: "Intensifying hot spot", Color: rgb(0x66, 0x25, 0x06), Group: hot, Rank: 16},
			{Key: "persistent hot spot", Label: "Persistent hot spot", Color: rgb(0x99, 0x34, 0x04), Group: hot, Rank: 15},
			{Key: "diminishing hot spot", Label: "Diminishing hot spot", Color: rgb(0xec, 0x70, 0x14), Group: hot, Rank: 13},
			{Key: "sporadic hot spot", Label: "Sporadic hot spot", Color: rgb(0xfe, 0xc4, 0x4f), Group: hot, Rank: 11},
			{Key: "oscillating hot spot", Label: "Oscillating hot spot", Color: rgb(0xfe, 0x99, 0x29), Group: hot, Rank: 12},
			{Key: "historical hot spot", Label: "Historical hot spot", Color: rgb(0xfe, 0xe3, 0x91), Group: hot, Rank: 10},
			{Key: "new cold spot", Label: "New cold spot", Color: rgb(0xde, 0xeb, 0xf7), Group: cold, Rank: 1},
			{Key: "consecutive cold spot", Label: "Consecutive cold spot", Color: rgb(0x21, 0x71, 0xb5), Group: cold, Rank: 6},
			{Key: "intensifying cold spot", Label: "Intensifying cold spot", Color: rgb(0x08, 0x30, 0x6b), Group: cold, Rank: 8},
			{Key: "persistent cold spot", Label: "Persistent cold spot", Color: rgb(0x08, 0x51, 0x9c), Group: cold, Rank: 7},
			{Key: "diminishing cold spot", Label: "Diminishing cold spot", Color: rgb(0x42, 0x92, 0xc6), Group: cold, Rank: 5},
			{Key: "sporadic cold spot", Label: "Sporadic cold spot", Color: rgb(0x9e, 0xca, 0xe1), Group: cold, Rank: 3},
			{Key: "oscillating cold spot", Label: "Oscillating cold spot", Color: rgb(0x6b, 0xae, 0xd6), Group: cold, Rank: 4},
			{Key: "historical cold spot", Label: "Historical cold spot", Color: rgb(0xc6, 0xdb, 0xef), Group: cold, Rank: 2},
			{Key: "no pattern detected", Label: "No pattern detected", Color: notSignificantGrey, Group: none, Rank: 0},
		},
	}
}

// LisaNotSignificant is the class key of a cell whose Local Moran's I is
// not significant after FDR (or undefined); the other keys of LisaLegend are
// the quadrants HH, LL, HL and LH.
const LisaNotSignificant = "not significant"

// LisaLegend returns the legend of a cluster and outlier map (Anselin Local
// Moran's I, ArcGIS "Cluster and Outlier Analysis"), grouped as clusters,
// outliers and not significant. It keeps GeoDa's and ArcGIS's reading —
// reds for high cells, blues for low, dark for clusters, light for
// outliers — in ColorBrewer's RdBu, which readers with any common
// colour-vision deficiency tell apart. HL outranks HH where cells merge
// at small scales: the rare high-crime cell among low ones is what the map
// is for.
func LisaLegend() Legend {
	const clusters, outliers, none = "Clusters", "Outliers", "No cluster or outlier"
	return Legend{
		Title: "Cluster and outlier analysis (Local Moran's I)",
		Classes: []Class{
			{Key: "HH", Label: "High-High cluster", Color: rgb(0xb2, 0x18, 0x2b), Group: clusters, Rank: 3},
			{Key: "LL", Label: "Low-Low cluster", Color: rgb(0x21, 0x66, 0xac), Group: clusters, Rank: 1},
			{Key: "HL", Label: "High-Low outlier", Color: rgb(0xf4, 0xa5, 0x82), Group: outliers, Rank: 4},
			{Key: "LH", Label: "Low-High outlier", Color: rgb(0x92, 0xc5, 0xde), Group: outliers, Rank: 2},
			{Key: LisaNotSignificant, Label: "Not significant", Color: notSignificantGrey, Group: none, Rank: 0},
		},
	}
}

// ForecastLevels are the lower bounds of ForecastLegend's classes of next
// month's expected crimes per cell, highest first.
var ForecastLevels = []float64{2, 1, 0.5, 0.1, 0}

// ForecastNone is the class key of a cell without a forecast.
const ForecastNone = "none"

// ForecastClass returns the ForecastLegend class key of a forecast of v
// crimes, ForecastNone for NaN.
func ForecastClass(v float64) string { return levelClass(ForecastLevels, v, ForecastNone) }

// levelClass is the class key of v among levels (lower bounds, highest
// first): the first level it reaches, written as a number, or none.
func levelClass(levels []float64, v float64, none string) string {
	for _, lo := range levels {
		if v >= lo {
			return strconv.FormatFloat(lo, 'g', -1, 64)
		}
	}
	return none
}

// ylOrRd5 is ColorBrewer's five-class sequential YlOrRd, darkest first.
var ylOrRd5 = []color.NRGBA{rgb(0xbd, 0x00, 0x26), rgb(0xf0, 0x3b, 0x20), rgb(0xfd, 0x8d, 0x3c), rgb(0xfe, 0xcc, 0x5c), rgb(0xff, 0xff, 0xb2)}

// ForecastLegend returns the legend of a forecast map: next month's
// expected crimes per cell in ColorBrewer's sequential YlOrRd, which
// colour-blind readers read as light to dark; cells without a forecast are
// grey.
func ForecastLegend() Legend {
	const expected, none = "Expected crimes next month", "No forecast"
	labels := []string{"2 or more", "1 to 2", "0.5 to 1", "0.1 to 0.5", "under 0.1"}
	l := Legend{Title: "Forecast of next month's crime"}
	for k, lo := range ForecastLevels {
		l.Classes = append(l.Classes, Class{Key: ForecastClass(lo), Label: labels[k], Color: ylOrRd5[k], Group: expected, Rank: len(ForecastLevels) - k})
	}
	l.Classes = append(l.Classes, Class{Key: ForecastNone, Label: "No forecast", Color: notSignificantGrey, Group: none, Rank: 0})
	return l
}

var notSignificantGrey = rgb(0xcc, 0xcc, 0xcc)

func rgb(r, g, b uint8) color.NRGBA {
	return color.NRGBA{r, g, b, 0xff}
}
