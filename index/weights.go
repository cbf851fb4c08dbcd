package index

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// indicatorWeights returns the nominal within-pillar weight of each
// indicator (summing to 1 over each pillar) and notes on any fallback.
// z is the nominal normalised, imputed matrix (n rows, m columns) that PCA
// weights are derived from.
func indicatorWeights(fw *Framework, members [][]int, kind Weighting, z []float64, n int) ([]float64, []string, error) {
	m := len(fw.Indicators)
	w := make([]float64, m)
	var notes []string
	for p, js := range members {
		switch kind {
		case EqualWeights:
			for _, j := range js {
				w[j] = 1
			}
		case ExpertWeights:
			for _, j := range js {
				if fw.Indicators[j].Weight <= 0 {
					return nil, nil, fmt.Errorf("index: indicator %q has no positive expert weight, which ExpertWeights needs", fw.Indicators[j].Code)
				}
				w[j] = fw.Indicators[j].Weight
			}
		case PCAWeights:
			pw, note := pcaWeights(z, n, m, js)
			if note != "" {
				notes = append(notes, fmt.Sprintf("PCA weights, pillar %q: %s", fw.Pillars[p].Code, note))
			}
			for k, j := range js {
				w[j] = pw[k]
			}
		}
		rescale(w, js)
	}
	return w, notes, nil
}

// pillarWeights returns the nominal pillar weights, summing to 1.
func pillarWeights(fw *Framework, kind Weighting) ([]float64, error) {
	w := make([]float64, len(fw.Pillars))
	all := make([]int, len(w))
	for p, pl := range fw.Pillars {
		all[p] = p
		w[p] = 1
		if kind == ExpertWeights {
			if pl.Weight <= 0 {
				return nil, fmt.Errorf("index: pillar %q has no positive expert weight, which ExpertWeights needs", pl.Code)
			}
			w[p] = pl.Weight
		}
	}
	rescale(w, all)
	return w, nil
}

// rescale makes w[idx] sum to 1.
func rescale(w []float64, idx []int) {
	var s float64
	for _, i := range idx {
		s += w[i]
	}
	for _, i := range idx {
		w[i] /= s
	}
}

// pcaWeights returns the OECD-handbook PCA weights (see PCAWeights) of
// columns cols of the row-major n×m matrix z, in the order of cols, and a
// note when the data force a fallback.
func pcaWeights(z []float64, n, m int, cols []int) ([]float64, string) {
	w := make([]float64, len(cols))
	// PCA of the correlation matrix: standardise the columns, dropping
	// constant ones, which carry no information on differences between units.
	var keep []int
	var data []float64
	for k, j := range cols {
		col := make([]float64, n)
		for i := range col {
			col[i] = z[i*m+j]
		}
		mean, sd := stat.MeanStdDev(col, nil)
		if !(sd > 0) {
			continue
		}
		for i := range col {
			col[i] = (col[i] - mean) / sd
		}
		keep = append(keep, k)
		data = append(data, col...)
	}
	switch {
	case len(keep) == 0:
		for k := range w {
			w[k] = 1
		}
		return w, "all indicators are constant; equal weights used"
	case len(keep) == 1:
		w[keep[0]] = 1
		return w, ""
	case n < 3:
		for _, k := range keep {
			w[k] = 1
		}
		return w, "fewer than 3 units; equal weights used"
	}
	// data holds the kept columns one after another: as a len(keep)×n
	// matrix it is the transpose of the observations.
	x := mat.NewDense(len(keep), n, data).T()
	var pc stat.PC
	if !pc.PrincipalComponents(x, nil) {
		for _, k := range keep {
			w[k] = 1
		}
		return w, "principal components analysis failed; equal weights used"
	}
	lambda := pc.VarsTo(nil)
	var vecs mat.Dense
	pc.VectorsTo(&vecs)
	retained := 1
	for retained < len(lambda) && lambda[retained] > 1 {
		retained++
	}
	note := ""
	if lambda[0] <= 1 {
		note = fmt.Sprintf("no component has eigenvalue > 1 (largest %.2f); the first component alone is used", lambda[0])
	}
	var kept float64
	for c := 0; c < retained; c++ {
		kept += lambda[c]
	}
	for r, k := range keep {
		best, bestLoad := 0, math.Inf(-1)
		for c := 0; c < retained; c++ {
			v := vecs.At(r, c)
			if load := lambda[c] * v * v; load > bestLoad {
				best, bestLoad = c, load
			}
		}
		v := vecs.At(r, best)
		w[k] = lambda[best] / kept * v * v
	}
	return w, note
}
