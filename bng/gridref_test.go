package bng

import (
	"math"
	"testing"
)

func TestGridRef(t *testing.T) {
	tests := []struct {
		e, n      float64
		precision int
		want      string
	}{
		{532099.6179, 181123.4153, 1000, "TQ 32 81"},
		{532099.6179, 181123.4153, 100, "TQ 320 811"},
		{532099.6179, 181123.4153, 10, "TQ 3209 8112"},
		{532099.6179, 181123.4153, 1, "TQ 32099 81123"},
		{532099.6179, 181123.4153, 10000, "TQ 3 8"},
		{532099.6179, 181123.4153, 100000, "TQ"},
		// South-west corners of 100 km squares, worked out by hand from the
		// OS letter grid.
		{500000, 100000, 1, "TQ 00000 00000"},
		{400000, 100000, 1000, "SU 00 00"},
		{300000, 600000, 1000, "NT 00 00"},
		{400000, 1200000, 1000, "HP 00 00"},
		{0, 0, 1, "SV 00000 00000"},
		{699999.9, 1299999.9, 1, "JM 99999 99999"},
		// Known places: Ben Nevis, Nottingham, Norwich, Newcastle, Orkney,
		// and Manchester from the PROJ reference file.
		{216600, 771200, 100, "NN 166 712"},
		{457000, 340000, 1000, "SK 57 40"},
		{623000, 308000, 1000, "TG 23 08"},
		{424000, 564000, 1000, "NZ 24 64"},
		{330000, 1010000, 1000, "HY 30 10"},
		{383997.4338, 398258.3158, 1, "SJ 83997 98258"},
	}
	for _, tt := range tests {
		got, err := GridRef(tt.e, tt.n, tt.precision)
		if err != nil || got != tt.want {
			t.Errorf("GridRef(%v, %v, %d) = %q, %v; want %q", tt.e, tt.n, tt.precision, got, err, tt.want)
		}
	}
}

func TestGridRefErrors(t *testing.T) {
	tests := []struct {
		e, n      float64
		precision int
	}{
		{-0.1, 100, 1},
		{700000, 100, 1},
		{100, 1300000, 1},
		{100, -5, 1},
		{math.NaN(), 100, 1},
		{100, math.Inf(1), 1},
		{532099, 181123, 0},
		{532099, 181123, 5},
		{532099, 181123, 1000000},
	}
	for _, tt := range tests {
		if got, err := GridRef(tt.e, tt.n, tt.precision); err == nil {
			t.Errorf("GridRef(%v, %v, %d) = %q, want an error", tt.e, tt.n, tt.precision, got)
		}
	}
}

func TestParseGridRef(t *testing.T) {
	tests := []struct {
		in        string
		e, n      float64
		precision int
	}{
		{"TQ 32 81", 532000, 181000, 1000},
		{"TQ 320 811", 532000, 181100, 100},
		{"TQ 3209 8112", 532090, 181120, 10},
		{"TQ 32099 81123", 532099, 181123, 1},
		{"tq3209981123", 532099, 181123, 1},
		{"  TQ  32099  81123 ", 532099, 181123, 1},
		{"TQ 320811", 532000, 181100, 100},
		{"TQ", 500000, 100000, 100000},
		{"TQ 3 8", 530000, 180000, 10000},
		{"SU 00 00", 400000, 100000, 1000},
		{"NT", 300000, 600000, 100000},
		{"HP 12 34", 412000, 1234000, 1000},
		{"SV 00000 00000", 0, 0, 1},
	}
	for _, tt := range tests {
		e, n, p, err := ParseGridRef(tt.in)
		if err != nil || e != tt.e || n != tt.n || p != tt.precision {
			t.Errorf("ParseGridRef(%q) = %v, %v, %d, %v; want %v, %v, %d", tt.in, e, n, p, err, tt.e, tt.n, tt.precision)
		}
	}
}

func TestParseGridRefErrors(t *testing.T) {
	for _, in := range []string{
		"",
		"T",
		"TQ 3",
		"TQ 32 8",
		"TQ 328 1",
		"TQ 32 81 00",
		"T Q 32 81",
		"TI 32 81", // no letter I in the grid
		"ZZ 11 11", // outside the national grid
		"AA 11 11",
		"TQ 3a 81",
		"TQ 123456 123456",
		"TQ +2 81",
		"1Q 32 81",
	} {
		if e, n, p, err := ParseGridRef(in); err == nil {
			t.Errorf("ParseGridRef(%q) = %v, %v, %d, want an error", in, e, n, p)
		}
	}
}

// TestGridRefRoundTrip formats and parses a point in every 100 km square of
// the national grid at every precision.
func TestGridRefRoundTrip(t *testing.T) {
	seen := map[string]bool{}
	for e100 := range 7 {
		for n100 := range 13 {
			e := float64(e100*100000) + 12345.6
			n := float64(n100*100000) + 67890.1
			for p := 1; p <= 100000; p *= 10 {
				ref, err := GridRef(e, n, p)
				if err != nil {
					t.Fatalf("GridRef(%v, %v, %d): %v", e, n, p, err)
				}
				ge, gn, gp, err := ParseGridRef(ref)
				wantE := math.Floor(e/float64(p)) * float64(p)
				wantN := math.Floor(n/float64(p)) * float64(p)
				if err != nil || ge != wantE || gn != wantN || gp != p {
					t.Errorf("ParseGridRef(%q) = %v, %v, %d, %v; want %v, %v, %d", ref, ge, gn, gp, err, wantE, wantN, p)
				}
				if p == 100000 {
					if seen[ref] {
						t.Errorf("square %s named twice", ref)
					}
					seen[ref] = true
				}
			}
		}
	}
}
