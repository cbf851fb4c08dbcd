package index

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// synthetic returns a framework of three pillars over m indicators and a
// table of n units with log-normal values, a mix of directions and about
// missing·n·m missing cells, all drawn from seed.
func synthetic(n, m int, missing float64, seed uint64) (*Framework, *Table) {
	rng := rand.New(rand.NewPCG(seed, 0))
	fw := &Framework{Pillars: []Pillar{
		{Code: "DIG", Name: "Digital security"},
		{Code: "INF", Name: "Infrastructural and organisational resilience"},
		{Code: "PPS", Name: "Personal and public security"},
	}}
	t := &Table{Period: "2025-03"}
	for j := range m {
		dir := LowerIsBetter
		if rng.IntN(3) == 0 {
			dir = HigherIsBetter
		}
		code := fmt.Sprintf("I%02d", j)
		fw.Indicators = append(fw.Indicators, Indicator{
			Code: code, Name: "Indicator " + code, Pillar: fw.Pillars[j%3].Code,
			Direction: dir, Unit: "per 1,000 residents", Source: "synthetic",
			Weight: 0.5 + rng.Float64(),
		})
		t.Codes = append(t.Codes, code)
	}
	for i := range n {
		t.Units = append(t.Units, fmt.Sprintf("Unit %03d", i))
		row := make([]float64, m)
		for j := range row {
			row[j] = math.Exp(rng.NormFloat64()*0.5 + 2)
			if rng.Float64() < missing {
				row[j] = math.NaN()
			}
		}
		t.Values = append(t.Values, row)
	}
	return fw, t
}

func approx(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func mustCompute(t testing.TB, fw *Framework, cur, prev *Table, m Method) *Result {
	t.Helper()
	r, err := Compute(fw, cur, prev, m)
	if err != nil {
		t.Fatalf("Compute: %v", err)
	}
	return r
}

func ptr(v float64) *float64 { return &v }
