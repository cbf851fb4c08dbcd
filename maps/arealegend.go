package maps

import (
	"fmt"
	"image/color"
	"math"
	"slices"
)

// NoRate is the class key of an area without a rate (no residents) or
// without a comparison (a month missing), on the area statistics' maps.
const NoRate = "none"

// RateLegend returns the legend of a rate map and the class key of each
// value: five quantile classes of the values (crimes per 1,000 residents)
// in ColorBrewer's sequential YlOrRd, which colour-blind readers read as
// light to dark, and grey for areas without a rate. Quantiles, as GeoDa's
// default rate map, so that each class holds about a fifth of the areas
// whatever the force. Equal breaks are merged.
func RateLegend(title string, values []float64) (Legend, func(float64) string) {
	var v []float64
	for _, x := range values {
		if !math.IsNaN(x) {
			v = append(v, x)
		}
	}
	slices.Sort(v)
	var breaks []float64 // lower bounds, highest first
	if len(v) > 0 {
		for q := 4; q >= 0; q-- {
			b := v[q*(len(v)-1)/5]
			if len(breaks) == 0 || b < breaks[len(breaks)-1] {
				breaks = append(breaks, b)
			}
		}
	}
	l := Legend{Title: title}
	for k, lo := range breaks {
		label := fmt.Sprintf("%.2f or more", lo)
		if k > 0 {
			label = fmt.Sprintf("%.2f to %.2f", lo, breaks[k-1])
		}
		l.Classes = append(l.Classes, Class{Key: fmt.Sprint("q", k), Label: label, Color: ylOrRd5[k], Group: "Per 1,000 residents", Rank: len(breaks) - k})
	}
	l.Classes = append(l.Classes, Class{Key: NoRate, Label: "No rate (no residents)", Color: notSignificantGrey, Rank: 0})
	return l, func(x float64) string {
		for k, lo := range breaks {
			if x >= lo {
				return fmt.Sprint("q", k)
			}
		}
		return NoRate
	}
}

// ExcessLevels are the lower bounds of ExcessLegend's classes, highest
// first: an area's crimes over those expected at the force's rate.
var ExcessLevels = []float64{2, 1.25, 0.8, 0.5, 0}

// ExcessClass returns the ExcessLegend key of an excess risk, NoRate for
// NaN.
func ExcessClass(x float64) string { return levelClass(ExcessLevels, x, NoRate) }

// ExcessLegend returns the legend of an excess risk map in ColorBrewer's
// diverging RdBu: reds above the force's rate, blues below, a neutral class
// about it.
func ExcessLegend() Legend {
	colours := []color.NRGBA{rgb(0xb2, 0x18, 0x2b), rgb(0xef, 0x8a, 0x62), rgb(0xf7, 0xf7, 0xf7), rgb(0x67, 0xa9, 0xcf), rgb(0x21, 0x66, 0xac)}
	labels := []string{"2 or more times expected", "1.25 to 2", "0.8 to 1.25 (about as expected)", "0.5 to 0.8", "under half"}
	l := Legend{Title: "Excess risk (observed / expected crimes)"}
	for k, lo := range ExcessLevels {
		l.Classes = append(l.Classes, Class{Key: ExcessClass(lo), Label: labels[k], Color: colours[k], Group: "Crimes over expected", Rank: len(ExcessLevels) - k})
	}
	l.Classes = append(l.Classes, Class{Key: NoRate, Label: "No rate (no residents)", Color: notSignificantGrey, Rank: 0})
	return l
}

// Change class keys: whether an area's change is beyond Poisson noise
// after FDR, and its direction.
const (
	ChangeUp        = "up"
	ChangeUpNoise   = "up, within noise"
	ChangeSame      = "same"
	ChangeDownNoise = "down, within noise"
	ChangeDown      = "down"
)

// ChangeClass returns the ChangeLegend key of a change.
func ChangeClass(change float64, beyond bool) string {
	switch {
	case change > 0 && beyond:
		return ChangeUp
	case change > 0:
		return ChangeUpNoise
	case change < 0 && beyond:
		return ChangeDown
	case change < 0:
		return ChangeDownNoise
	}
	return ChangeSame
}

// ChangeLegend returns the legend of a change map in ColorBrewer's RdBu:
// strong colours for changes beyond Poisson noise, light ones for those
// within it.
func ChangeLegend(title string) Legend {
	return Legend{Title: title, Classes: []Class{
		{Key: ChangeUp, Label: "Increase beyond noise", Color: rgb(0xb2, 0x18, 0x2b), Group: "Beyond Poisson noise", Rank: 4},
		{Key: ChangeDown, Label: "Decrease beyond noise", Color: rgb(0x21, 0x66, 0xac), Group: "Beyond Poisson noise", Rank: 3},
		{Key: ChangeUpNoise, Label: "Increase", Color: rgb(0xf4, 0xa5, 0x82), Group: "Within noise", Rank: 2},
		{Key: ChangeDownNoise, Label: "Decrease", Color: rgb(0x92, 0xc5, 0xde), Group: "Within noise", Rank: 1},
		{Key: ChangeSame, Label: "No change", Color: rgb(0xf7, 0xf7, 0xf7), Group: "Within noise", Rank: 0},
	}}
}
