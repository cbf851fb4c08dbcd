package hotspots

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"github.com/safercity/safercity/hotspots/spatstat"
)

// equalShares are the shares of the study area at which every method's
// hot set is also compared, as Chainey, Tompson & Uhlig (2008) compare
// techniques at a controlled hotspot area: the same area for KDE and Gi*
// and for every force.
var equalShares = []float64{0.01, 0.05}

// hotSet is one back-tested set of study-area cells.
type hotSet struct {
	method, set string
	cells       []int
}

// backtest builds the KDE and Gi* hotspot sets from the o.Inputs months
// before month t and measures them against month t over the study area
// (Chainey, Tompson & Uhlig 2008: hit rate and PAI; Levine 2008: RRI
// against the month before t). Gi* uses band, a run's own band, so that the
// set is the run's method applied to earlier months (and the band search is
// not done twice); 0 chooses it on the input months.
func backtest(s *study, layers []layer, t int, o Options, force string, band float64) []Accuracy {
	if t < o.Inputs {
		return nil
	}
	input := make([]float64, s.area.Len())
	var pts []orb.Point
	var w []float64
	for k := t - o.Inputs; k < t; k++ {
		for i, v := range layers[k].counts {
			input[i] += v
		}
		pts = append(pts, layers[k].pts...)
		w = append(w, layers[k].weights...)
	}
	if len(pts) == 0 {
		return nil
	}
	var out []Accuracy
	for _, h := range hotSets(s, input, pts, harm(o, w), o, band) {
		if a, ok := measure(h, layers, t, o, force, o.Inputs); ok {
			out = append(out, a)
		}
	}
	return out
}

// measure measures hot set h, built from the inputs months before month t
// of layers, against month t; false only for an empty study area, which has
// no run.
func measure(h hotSet, layers []layer, t int, o Options, force string, inputs int) (Accuracy, bool) {
	a, err := spatstat.MeasureAccuracy(h.cells, layers[t].counts, layers[t-1].counts)
	if err != nil {
		return Accuracy{}, false
	}
	return Accuracy{Profile: o.Profile.Name, Force: force, Month: o.Month.Format("2006-01"),
		Method: h.method, Set: h.set, Inputs: inputs, Cells: a.Cells, AreaShare: a.AreaShare, Hits: a.Hits,
		Total: a.Total, HitRate: Float(a.HitRate), PAI: Float(a.PAI), RRI: Float(a.RRI), Undefined: undefined(a)}, true
}

// hotSets returns the sets built from the input months: KDE at the
// configured share and at the equal shares, Gi* hot at 95% after FDR and
// the cells of highest Gi* z at the equal shares.
func hotSets(s *study, input []float64, pts []orb.Point, w []float64, o Options, band float64) []hotSet {
	var sets []hotSet
	bw := o.Bandwidth
	if bw == 0 {
		bw = spatstat.DefaultBandwidth(pts, o.CellSize)
	}
	shares := equalShares
	if o.TopShare != 0.01 && o.TopShare != 0.05 {
		shares = append([]float64{o.TopShare}, equalShares...)
	}
	if density, err := spatstat.KernelDensityArea(s.area, pts, w, bw); err == nil {
		for _, share := range shares {
			sets = append(sets, hotSet{"kde", shareName(share), spatstat.TopShare(density, share)})
		}
	}
	if band == 0 {
		b, err := s.band(input, o.Band)
		if err != nil {
			return sets
		}
		band = b.Metres
	}
	gi, err := spatstat.GiStarArea(s.area, input, weights(band))
	if err != nil {
		return sets // no variance in the input months: no Gi* set
	}
	var hot []int
	for i, bin := range gi.BinFDR {
		if bin >= 2 {
			hot = append(hot, i)
		}
	}
	sets = append(sets, hotSet{"gistar", "hot 95%", hot})
	for _, share := range equalShares {
		sets = append(sets, hotSet{"gistar", shareName(share), spatstat.TopShare(gi.Z, share)})
	}
	return sets
}

func shareName(share float64) string { return fmt.Sprintf("top %g%%", 100*share) }

// undefined says why each undefined index of a has no value.
func undefined(a spatstat.Accuracy) map[string]string {
	m := map[string]string{}
	switch {
	case a.Total == 0:
		m["hit_rate"] = "no crime of the profile in the test month"
		m["pai"] = m["hit_rate"]
	case a.Cells == 0:
		m["pai"] = "the hot set is empty"
	}
	if math.IsNaN(a.RRI) {
		switch {
		case a.Total == 0:
			m["rri"] = "no crime of the profile in the test month"
		case a.Cells == 0:
			m["rri"] = "the hot set is empty"
		default:
			m["rri"] = "the hot set had no crime in the month before: nothing to recapture"
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}
