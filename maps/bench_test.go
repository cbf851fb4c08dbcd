package maps

import (
	"io"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// BenchmarkWritePNGNational draws a national month: 500,000 cells of 100 m
// in clusters over England's extent, merged into display blocks, with a
// force name per cluster. make bench prints it.
func BenchmarkWritePNGNational(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	m := &Map{Title: "National", Profile: "violence", Month: "2021-03", Legend: GiStarLegend(), CellSize: 100}
	for f := range 40 {
		cx, cy := 150000+r.Float64()*500000, 50000+r.Float64()*550000
		m.Places = append(m.Places, Place{Name: "Force " + string(rune('A'+f%26)), At: orb.Point{cx, cy}})
		for range 12500 {
			x := 100 * float64(int((cx+r.NormFloat64()*15000)/100))
			y := 100 * float64(int((cy+r.NormFloat64()*15000)/100))
			m.Features = append(m.Features, Feature{
				Geometry: orb.Polygon{{{x, y}, {x + 100, y}, {x + 100, y + 100}, {x, y + 100}}},
				Class:    GiStarBinClass(r.IntN(7) - 3),
			})
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := WritePNG(io.Discard, m, 0, 0); err != nil {
			b.Fatal(err)
		}
	}
}
