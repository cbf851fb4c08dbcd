package spatstat

import (
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// benchmarkPoints returns n synthetic incidents over 200 km × 100 km: 80% in
// 300 Gaussian blobs (σ 150 m to 1.5 km, like town centres and estates) and
// 20% spread uniformly, from a fixed seed.
func benchmarkPoints(n int) []orb.Point {
	const width, height = 200_000.0, 100_000.0
	rng := rand.New(rand.NewPCG(2024, 300))
	type blob struct{ x, y, sigma float64 }
	blobs := make([]blob, 300)
	for i := range blobs {
		blobs[i] = blob{rng.Float64() * width, rng.Float64() * height, 150 + rng.Float64()*1350}
	}
	pts := make([]orb.Point, n)
	for i := range pts {
		if rng.Float64() < 0.2 {
			pts[i] = orb.Point{rng.Float64() * width, rng.Float64() * height}
			continue
		}
		b := blobs[rng.IntN(len(blobs))]
		pts[i] = orb.Point{b.x + rng.NormFloat64()*b.sigma, b.y + rng.NormFloat64()*b.sigma}
	}
	return pts
}

// BenchmarkProfile is one force-wide hot spot profile: 500,000 incidents on a
// 2000 × 1000 grid of 100 m cells (2 million cells), counted per cell, a
// quartic KDE at the default bandwidth, and Gi* at a 250 m band with its
// Benjamini–Hochberg adjustment and both sets of bins.
func BenchmarkProfile(b *testing.B) {
	pts := benchmarkPoints(500_000)
	g := Grid{X0: 0, Y0: 0, CellSize: 100, NX: 2000, NY: 1000}
	bandwidth := DefaultBandwidth(pts, g.CellSize)
	for b.Loop() {
		counts, _, err := g.Counts(pts, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := KernelDensity(g, pts, nil, bandwidth); err != nil {
			b.Fatal(err)
		}
		if _, err := GiStarGrid(g, counts, 250); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(bandwidth, "bandwidth_m")
}

// BenchmarkDefaultBand is the incremental Moran's I band search (ten global
// Moran's I passes) on the counts of BenchmarkProfile's 2 million cells.
func BenchmarkDefaultBand(b *testing.B) {
	g := Grid{X0: 0, Y0: 0, CellSize: 100, NX: 2000, NY: 1000}
	counts, _, err := g.Counts(benchmarkPoints(500_000), nil)
	if err != nil {
		b.Fatal(err)
	}
	a, err := FullArea(g)
	if err != nil {
		b.Fatal(err)
	}
	var band Band
	for b.Loop() {
		if band, err = ChooseBand(a, counts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(band.Metres, "band_m")
}
