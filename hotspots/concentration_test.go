package hotspots

import (
	"math"
	"testing"

	"github.com/safercity/safercity/analysis/concentration"
)

// TestConcentrationStored checks a run's stored concentration against
// analysis/concentration recomputed from the stored cells and, for street
// locations, straight from crimes_enriched.
func TestConcentrationStored(t *testing.T) {
	st, month, _ := cityViolence(t)
	floats := func(q string, args ...any) []float64 {
		t.Helper()
		rows, err := st.DB.Query(q, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []float64
		for rows.Next() {
			var v float64
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			out = append(out, v)
		}
		return out
	}
	cells := floats(`SELECT crimes FROM hotspot_cells WHERE profile = 'violence' AND force = 'city-of-london' AND month = ?`, month)
	// Streets: every point the force recorded any crime at in the window,
	// with the month's violent crimes there (0 for most).
	streets := floats(`SELECT count(*) FILTER (WHERE violence AND month = ?) FROM crimes
		WHERE force = 'city-of-london' AND located AND location <> 'No Location' AND month BETWEEN ? AND ?
		GROUP BY location, easting, northing`, month, month.AddDate(0, -11, 0), month)
	for _, tc := range []struct {
		prefix string
		counts []float64
	}{{"cell", cells}, {"street", streets}} {
		want, err := concentration.Measure(tc.counts, nil)
		if err != nil {
			t.Fatal(err)
		}
		p := tc.prefix
		got := floats(`SELECT unnest([`+p+`_top1, `+p+`_top5, `+p+`_top10, `+p+`_gini, `+p+`_ggini, `+p+`_half, `+p+`_half_share])
			FROM hotspot_runs WHERE profile = 'violence' AND month = ?`, month)
		exp := []float64{want.Top[0].Share, want.Top[1].Share, want.Top[2].Share, want.Gini, want.GeneralizedGini, float64(len(want.Half)), want.HalfShare}
		for i := range exp {
			if len(got) != len(exp) || math.Abs(got[i]-exp[i]) > 1e-12 {
				t.Fatalf("%s: stored %v, recomputed %v", tc.prefix, got, exp)
			}
		}
		if want.GeneralizedGini >= want.Gini && len(tc.counts) > int(want.Crimes) {
			t.Errorf("%s: %d places for %g crimes, yet generalized Gini %g is not below Gini %g", tc.prefix, len(tc.counts), want.Crimes, want.GeneralizedGini, want.Gini)
		}
	}
	if n := count(t, st, `SELECT street_places FROM hotspot_runs WHERE profile = 'violence' AND month = ?`, month); n != int64(len(streets)) {
		t.Errorf("%d street places stored, %d recorded", n, len(streets))
	}
}
