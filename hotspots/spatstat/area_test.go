package spatstat

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// scatteredArea returns a study area of about n random cells of a 60×40
// grid, with counts, from a fixed seed.
func scatteredArea(t *testing.T, n int) (Area, []float64) {
	t.Helper()
	g := Grid{X0: 530_000, Y0: 180_000, CellSize: 100, NX: 60, NY: 40}
	rng := rand.New(rand.NewPCG(7, 8))
	var cells []int
	for range n {
		cells = append(cells, rng.IntN(g.Len()))
	}
	a, err := NewArea(g, cells)
	if err != nil {
		t.Fatal(err)
	}
	values := make([]float64, a.Len())
	for k := range values {
		values[k] = float64(rng.IntN(6))
	}
	return a, values
}

// TestGiStarAreaMatchesPoints: Gi* over a scattered study area equals Gi*
// over the cells' centres as points (the brute-force neighbour search), so
// cells outside the area are neither neighbours nor counted in n.
func TestGiStarAreaMatchesPoints(t *testing.T) {
	a, values := scatteredArea(t, 700)
	pts := make([]orb.Point, a.Len())
	for k := range pts {
		pts[k] = a.Centre(k)
	}
	for _, band := range []float64{100, 150, 250, 420} {
		got, err := GiStarArea(a, values, Weights{Band: band})
		if err != nil {
			t.Fatal(err)
		}
		want, err := GiStarPoints(pts, values, band)
		if err != nil {
			t.Fatal(err)
		}
		for k := range pts {
			if got.Neighbours[k] != want.Neighbours[k] || math.Abs(got.Z[k]-want.Z[k]) > 1e-12 {
				t.Fatalf("band %v cell %d: %d neighbours z %v, points say %d, %v", band, k, got.Neighbours[k], got.Z[k], want.Neighbours[k], want.Z[k])
			}
		}
	}
}

func TestAreaCellLookup(t *testing.T) {
	a, _ := scatteredArea(t, 300)
	for k := range a.Len() {
		if got, ok := a.Cell(a.Centre(k)); !ok || got != k {
			t.Fatalf("cell %d found as %d, %v", k, got, ok)
		}
	}
	in := 0
	for i := range a.Grid.Len() {
		if _, ok := a.Cell(a.Grid.Centre(i)); ok {
			in++
		}
	}
	if in != a.Len() {
		t.Errorf("%d grid cells found in an area of %d", in, a.Len())
	}
}

// TestKernelDensityAreaUsesEveryPoint: the density at the area's cells is
// the full grid's density at the same cells, points outside the area
// included.
func TestKernelDensityAreaUsesEveryPoint(t *testing.T) {
	a, _ := scatteredArea(t, 300)
	rng := rand.New(rand.NewPCG(9, 10))
	pts := make([]orb.Point, 2000)
	for i := range pts {
		pts[i] = orb.Point{a.X0 + rng.Float64()*6000, a.Y0 + rng.Float64()*4000}
	}
	full, err := KernelDensity(a.Grid, pts, nil, 350)
	if err != nil {
		t.Fatal(err)
	}
	got, err := KernelDensityArea(a, pts, nil, 350)
	if err != nil {
		t.Fatal(err)
	}
	for k := range got {
		if want := full[a.Index(k)]; math.Abs(got[k]-want) > 1e-9*want {
			t.Fatalf("cell %d: density %v, full grid %v", k, got[k], want)
		}
	}
}

// TestSpaceTimeGiStar recomputes the space-time Gi* of one bin by brute
// force over the whole cube: neighbours within the band in the same and the
// previous step.
func TestSpaceTimeGiStar(t *testing.T) {
	a, _ := scatteredArea(t, 400)
	rng := rand.New(rand.NewPCG(11, 12))
	counts := make([][]float64, 5)
	var all []float64
	for s := range counts {
		counts[s] = make([]float64, a.Len())
		for k := range counts[s] {
			counts[s][k] = float64(rng.IntN(4))
		}
		all = append(all, counts[s]...)
	}
	const band = 250.0
	z, err := stepZ(newNbhood(a, Weights{Band: band}), counts, 1)
	if err != nil {
		t.Fatal(err)
	}
	mean, sd := meanSD(all)
	for _, s := range []int{0, 3} {
		for k := range a.Len() {
			var local float64
			var w int
			for u := max(0, s-1); u <= s; u++ {
				for j := range a.Len() {
					p, q := a.Centre(k), a.Centre(j)
					if math.Hypot(p.X()-q.X(), p.Y()-q.Y()) <= band {
						local += counts[u][j]
						w++
					}
				}
			}
			if want := giStarZ(local, w, len(all), mean, sd); math.Abs(z[s][k]-want) > 1e-12 {
				t.Fatalf("step %d cell %d: z %v, brute force %v", s, k, z[s][k], want)
			}
		}
	}
	if _, err := EmergingArea(a, counts, Weights{Band: band}, 0.05, 1); err != nil {
		t.Fatal(err)
	}
}

// TestGiStarNearestWeights: with Weights.Nearest a cell with no other cell
// within the band is compared with its nearest cells (all at that
// distance), every other cell with its band; checked by brute force.
func TestGiStarNearestWeights(t *testing.T) {
	a, values := scatteredArea(t, 150) // sparse: many cells alone within 150 m
	const band = 150.0
	got, err := GiStarArea(a, values, Weights{Band: band, Nearest: true})
	if err != nil {
		t.Fatal(err)
	}
	mean, sd := meanSD(values)
	extended := 0
	for k := range a.Len() {
		dist := make([]float64, a.Len())
		nearest := math.Inf(1)
		inBand := 0
		for j := range a.Len() {
			p, q := a.Centre(k), a.Centre(j)
			dist[j] = math.Hypot(p.X()-q.X(), p.Y()-q.Y())
			if j != k {
				nearest = min(nearest, dist[j])
				if dist[j] <= band {
					inBand++
				}
			}
		}
		limit := band
		if inBand == 0 {
			limit = nearest
			extended++
		}
		var local float64
		var w int
		for j, d := range dist {
			if d <= limit*(1+1e-12) {
				local += values[j]
				w++
			}
		}
		if want := giStarZ(local, w, a.Len(), mean, sd); got.Neighbours[k] != int32(w) || math.Abs(got.Z[k]-want) > 1e-12 {
			t.Fatalf("cell %d: %d neighbours z %v, brute force %d, %v", k, got.Neighbours[k], got.Z[k], w, want)
		}
	}
	if extended == 0 || got.Extended != extended {
		t.Errorf("%d cells extended, brute force %d (the case must have some)", got.Extended, extended)
	}
}

// TestMeanKthNeighbourFar: cells far apart (beyond the counted distances)
// and an outlier: the k-th neighbour distances equal brute force.
func TestMeanKthNeighbourFar(t *testing.T) {
	g := Grid{CellSize: 100, NX: 3000, NY: 2000}
	rng := rand.New(rand.NewPCG(13, 14))
	cells := []int{g.Index(2999, 1999)}
	for range 60 {
		cells = append(cells, g.Index(rng.IntN(400), rng.IntN(300)))
	}
	a, err := NewArea(g, cells)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{1, 3, 30, a.Len() - 1} {
		if got, want := a.meanKthNeighbour(k), bruteMeanKth(a, k); math.Abs(got-want) > 1e-9*want {
			t.Errorf("k %d: mean distance %v, brute force %v", k, got, want)
		}
	}
}
