package index

import (
	"math"
	"slices"
	"testing"
)

// TestMostSimilar checks the groups on built data: two clusters of
// population and density, one unit with an unknown density.
func TestMostSimilar(t *testing.T) {
	nan := math.NaN()
	features := [][]float64{
		{10, 100}, {10.1, 110}, {9.9, 95}, // small, sparse
		{20, 5000}, {20.2, 5200}, {19.8, nan}, // large, dense; the last has no area
	}
	got := MostSimilar(features, 2)
	// 2 is nearer 0 than 1 is (density 95 against 110); 5, compared on
	// population alone, is nearer 3 than 4 is.
	want := [][]int{{2, 1}, {0, 2}, {0, 1}, {5, 4}, {3, 5}, {3, 4}}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("unit %d: peers %v, want %v", i, got[i], want[i])
		}
	}
}

// TestPeerRanks checks that peer ranks and their intervals count only the
// group, and that the peer-median rating uses the group's median.
func TestPeerRanks(t *testing.T) {
	fw := &Framework{
		Pillars:    []Pillar{{Code: "p", Name: "P", Weight: 1}},
		Indicators: []Indicator{{Code: "x", Pillar: "p", Direction: HigherIsBetter, Weight: 1}},
	}
	tab := &Table{Period: "2021-03", Units: []string{"a", "b", "c", "d"}, Codes: []string{"x"},
		Values: [][]float64{{1}, {2}, {3}, {4}},
		Peers:  map[string][]string{"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"c"}}}
	m := DefaultMethod()
	m.Uncertainty.Draws = 200
	res, err := Compute(fw, tab, nil, m)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		unit           string
		rank, peerRank int
	}{{"a", 4, 2}, {"b", 3, 1}, {"c", 2, 2}, {"d", 1, 1}} {
		u := res.Unit(c.unit)
		if u.Rank != c.rank || u.PeerRank != c.peerRank || u.PeerInterval.P95 > 2 || u.PeerInterval.P05 < 1 {
			t.Errorf("%s: rank %d peer rank %d interval %+v; want %d and %d within 1–2", c.unit, u.Rank, u.PeerRank, u.PeerInterval, c.rank, c.peerRank)
		}
	}
	a, err := Assess(res, nil, nil, DefaultRAGRules())
	if err != nil {
		t.Fatal(err)
	}
	// c's group is {c, d}: its median value 3.5 makes c (3) RED, though c
	// is above the median of all four units (2.5).
	for i, u := range a.Units {
		r := a.Ratings[i][2] // overall, pillar, then the indicator
		if u == "c" && (r.Reference != 3.5 || r.Status != Red) {
			t.Errorf("c rated %v against %v, want RED against its group's median 3.5", r.Status, r.Reference)
		}
	}
}

// BenchmarkNational330x10000 times the national comparison: 330 districts
// (England and Wales have 318), 14 indicators, most similar groups of 10
// and 10,000 Monte Carlo draws with peer ranks. The target is 3 s.
func BenchmarkNational330x10000(b *testing.B) {
	fw, tab := synthetic(330, 14, 0.02, 1)
	features := make([][]float64, len(tab.Units))
	for i := range features {
		features[i] = tab.Values[i][:5]
	}
	tab.Peers = map[string][]string{}
	for i, peers := range MostSimilar(features, 10) {
		for _, j := range peers {
			tab.Peers[tab.Units[i]] = append(tab.Peers[tab.Units[i]], tab.Units[j])
		}
	}
	m := monteCarloMethod(10000, 1)
	for b.Loop() {
		if _, err := Compute(fw, tab, nil, m); err != nil {
			b.Fatal(err)
		}
	}
}
