package lisa

import (
	"math/rand/v2"
	"testing"

	"github.com/safercity/safercity/hotspots/spatstat"
)

// nationalMonth synthesises a national month of street crime: forces study
// areas of 60 km × 60 km (40 of them cover about England and Wales's
// 151,000 km²) with crimes crimes in all, per force 85 % in 40 town centres
// and estates (Gaussian, σ 100 m to 1.2 km) and 15 % spread uniformly, from
// a fixed seed. It returns each force's grid of 100 m cells and counts.
func nationalMonth(forces, crimes int) ([]spatstat.Grid, [][]float64) {
	const side, cell = 60_000.0, 100.0
	rng := rand.New(rand.NewPCG(16, 2026))
	grids := make([]spatstat.Grid, forces)
	counts := make([][]float64, forces)
	for f := range forces {
		g := spatstat.Grid{X0: float64(f) * side, CellSize: cell, NX: int(side / cell), NY: int(side / cell)}
		c := make([]float64, g.Len())
		type town struct{ x, y, sigma float64 }
		towns := make([]town, 40)
		for i := range towns {
			towns[i] = town{g.X0 + 5000 + rng.Float64()*(side-10000), 5000 + rng.Float64()*(side-10000), 100 + rng.Float64()*1100}
		}
		for range crimes / forces {
			x, y := g.X0+rng.Float64()*side, rng.Float64()*side
			if rng.Float64() < 0.85 {
				t := towns[rng.IntN(len(towns))]
				x, y = t.x+rng.NormFloat64()*t.sigma, t.y+rng.NormFloat64()*t.sigma
			}
			col, row := int((x-g.X0)/cell), int(y/cell)
			if col >= 0 && col < g.NX && row >= 0 && row < g.NY {
				c[row*g.NX+col]++
			}
		}
		grids[f], counts[f] = g, c
	}
	return grids, counts
}

// BenchmarkNationalMonth is Local Moran's I with 999 conditional
// permutations on every 100 m cell of 40 forces' study areas (14.4 million
// cells, zero cells included) holding 500,000 crimes, at a 250 m band.
// Target: ≤ 10 s.
func BenchmarkNationalMonth(b *testing.B) {
	grids, counts := nationalMonth(40, 500_000)
	var cells, significant int
	for b.Loop() {
		cells, significant = 0, 0
		for f, g := range grids {
			res, err := Grid(g, counts[f], 250, Options{Permutations: 999, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			cells += g.Len()
			for _, p := range res.PSimFDR {
				if p <= 0.05 {
					significant++
				}
			}
		}
	}
	b.ReportMetric(float64(cells), "cells")
	b.ReportMetric(float64(significant), "cells_fdr05")
}
