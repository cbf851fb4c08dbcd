package index

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

func TestPCAWeightsHandCase(t *testing.T) {
	// Columns x, x and y with corr(x, y) = 0: the correlation matrix has
	// eigenvalues 2, 1 and 0. Only the first exceeds 1; it loads the two
	// copies of x equally and y not at all.
	x := []float64{1, 2, 3, 4}
	y := []float64{1, -1, -1, 1}
	z := make([]float64, 0, 12)
	for i := range x {
		z = append(z, x[i], 10*x[i]+3, y[i])
	}
	w, note := pcaWeights(z, 4, 3, []int{0, 1, 2})
	rescale(w, []int{0, 1, 2})
	want := []float64{0.5, 0.5, 0}
	for k := range w {
		if !approx(w[k], want[k], 1e-9) {
			t.Fatalf("weights %v, want %v (note %q)", w, want, note)
		}
	}
}

func TestPCAWeightsTwoIndicatorsAreEqual(t *testing.T) {
	// For two correlated indicators the eigenvectors are (1,±1)/√2 whatever
	// the correlation, so the weights are equal.
	_, tab := synthetic(20, 2, 0, 11)
	var z []float64
	for _, row := range tab.Values {
		z = append(z, row[0], row[0]+row[1])
	}
	w, _ := pcaWeights(z, 20, 2, []int{0, 1})
	if !approx(w[0], w[1], 1e-9) {
		t.Errorf("weights %v, want equal", w)
	}
}

// TestPCAWeightsMatchEigenSym recomputes the handbook rule from the
// eigen-decomposition of the correlation matrix, independently of stat.PC.
func TestPCAWeightsMatchEigenSym(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 1))
		n, k := 15+int(seed), 6
		// Two latent factors, three indicators each, plus noise.
		data := make([]float64, n*k)
		for i := range n {
			f1, f2 := rng.NormFloat64(), rng.NormFloat64()
			for j := range k {
				f := f1
				if j >= 3 {
					f = f2
				}
				data[i*k+j] = f*(0.5+rng.Float64()) + 0.6*rng.NormFloat64()
			}
		}
		cols := []int{0, 1, 2, 3, 4, 5}
		got, _ := pcaWeights(data, n, k, cols)
		rescale(got, cols)

		var corr mat.SymDense
		stat.CorrelationMatrix(&corr, mat.NewDense(n, k, data), nil)
		var eig mat.EigenSym
		if !eig.Factorize(&corr, true) {
			t.Fatal("EigenSym failed")
		}
		vals := eig.Values(nil)
		var vecs mat.Dense
		eig.VectorsTo(&vecs)
		order := []int{0, 1, 2, 3, 4, 5}
		sort.Slice(order, func(a, b int) bool { return vals[order[a]] > vals[order[b]] })
		var kept []int
		for _, c := range order {
			if vals[c] > 1 || len(kept) == 0 {
				kept = append(kept, c)
			}
		}
		var sumKept float64
		for _, c := range kept {
			sumKept += vals[c]
		}
		want := make([]float64, k)
		var total float64
		for j := range k {
			best, load := 0, -1.0
			for _, c := range kept {
				if l := vals[c] * vecs.At(j, c) * vecs.At(j, c); l > load {
					best, load = c, l
				}
			}
			want[j] = vals[best] / sumKept * vecs.At(j, best) * vecs.At(j, best)
			total += want[j]
		}
		for j := range want {
			want[j] /= total
			if !approx(got[j], want[j], 1e-8) {
				t.Fatalf("seed %d: weights %v, want %v (eigenvalues %v)", seed, got, want, vals)
			}
		}
	}
}

func TestPCAWeightsThroughCompute(t *testing.T) {
	fw, tab := synthetic(30, 9, 0.05, 13)
	r := mustCompute(t, fw, tab, nil, Method{Weighting: PCAWeights})
	_, members := fw.structure()
	for _, js := range members {
		var s float64
		for _, j := range js {
			if r.IndicatorWeights[j] < 0 || math.IsNaN(r.IndicatorWeights[j]) {
				t.Fatalf("weight %v", r.IndicatorWeights[j])
			}
			s += r.IndicatorWeights[j]
		}
		if !approx(s, 1, 1e-12) {
			t.Errorf("pillar weights sum to %v", s)
		}
	}
}
