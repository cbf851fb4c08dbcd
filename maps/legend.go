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

// GiStarLegend returns the legend of a Gi* hot-spot map. Significant bins use
// the colours of ArcGIS's Hot Spot Analysis renderer; "not significant" is
// light grey rather than ArcGIS's pale yellow, so that the 90% hot-spot
// orange stands out from it on paper.
func GiStarLegend() Legend {
	return Legend{
		Title: "Hot spot analysis (Gi*)",
		Classes: []Class{
			{GiStarBinClass(3), "Hot spot - 99% confidence", rgb(0xd6, 0x2f, 0x27)},
			{GiStarBinClass(2), "Hot spot - 95% confidence", rgb(0xed, 0x75, 0x51)},
			{GiStarBinClass(1), "Hot spot - 90% confidence", rgb(0xfa, 0xb9, 0x84)},
			{GiStarBinClass(0), "Not significant", notSignificantGrey},
			{GiStarBinClass(-1), "Cold spot - 90% confidence", rgb(0xc0, 0xcc, 0xbe)},
			{GiStarBinClass(-2), "Cold spot - 95% confidence", rgb(0x84, 0x9e, 0xba)},
			{GiStarBinClass(-3), "Cold spot - 99% confidence", rgb(0x45, 0x75, 0xb5)},
		},
	}
}

// EmergingHotSpotLegend returns the legend of an emerging hot-spot map, with
// one class for each of ArcGIS's seventeen Emerging Hot Spot Analysis
// patterns. Keys are the pattern names in lower case, e.g. "new hot spot",
// "persistent cold spot", "no pattern detected". Hot patterns take warm
// colours and cold patterns cool ones, each distinct enough to tell apart in
// print.
func EmergingHotSpotLegend() Legend {
	return Legend{
		Title: "Emerging hot spot analysis",
		Classes: []Class{
			{"new hot spot", "New hot spot", rgb(0xff, 0xd9, 0x2f)},
			{"consecutive hot spot", "Consecutive hot spot", rgb(0xfd, 0xae, 0x61)},
			{"intensifying hot spot", "Intensifying hot spot", rgb(0xd7, 0x19, 0x1c)},
			{"persistent hot spot", "Persistent hot spot", rgb(0x8b, 0x0a, 0x0f)},
			{"diminishing hot spot", "Diminishing hot spot", rgb(0xf4, 0xa6, 0xa6)},
			{"sporadic hot spot", "Sporadic hot spot", rgb(0xe7, 0x29, 0x8a)},
			{"oscillating hot spot", "Oscillating hot spot", rgb(0x9e, 0x4a, 0x9c)},
			{"historical hot spot", "Historical hot spot", rgb(0xa6, 0x76, 0x1d)},
			{"new cold spot", "New cold spot", rgb(0xc7, 0xe9, 0xc0)},
			{"consecutive cold spot", "Consecutive cold spot", rgb(0x74, 0xc4, 0x76)},
			{"intensifying cold spot", "Intensifying cold spot", rgb(0x21, 0x66, 0xac)},
			{"persistent cold spot", "Persistent cold spot", rgb(0x05, 0x30, 0x61)},
			{"diminishing cold spot", "Diminishing cold spot", rgb(0x92, 0xc5, 0xde)},
			{"sporadic cold spot", "Sporadic cold spot", rgb(0x35, 0x97, 0x8f)},
			{"oscillating cold spot", "Oscillating cold spot", rgb(0x80, 0x73, 0xac)},
			{"historical cold spot", "Historical cold spot", rgb(0xb2, 0xab, 0xd2)},
			{"no pattern detected", "No pattern detected", notSignificantGrey},
		},
	}
}

var notSignificantGrey = rgb(0xdd, 0xdd, 0xdd)

func rgb(r, g, b uint8) color.NRGBA {
	return color.NRGBA{r, g, b, 0xff}
}
