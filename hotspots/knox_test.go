package hotspots

import (
	"context"
	"testing"
	"time"

	"github.com/safercity/safercity/internal/storetest"
)

// TestKnoxStored runs violence on the sample (City of London, 2019-12 …
// 2020-11) with the partner feeds (CAD calls and ambulance assaults,
// illustrative) and recounts the stored Knox table in SQL: the incidents
// of violent categories over the window whose cell is a study-area cell of
// the run, and every pair of them in each band.
func TestKnoxStored(t *testing.T) {
	st := transformed(t, sample)
	storetest.Feeds(t, st, "..", "col-cad", "ambulance-assaults")
	month := time.Date(2020, 11, 1, 0, 0, 0, 0, time.UTC)
	res, err := Run(context.Background(), st, Options{Profile: violence(), Month: month, Force: "city-of-london"})
	if err != nil {
		t.Fatal(err)
	}
	nr := res[0].NearRepeat
	if nr == nil || len(nr.Cells) != 16 || nr.Permutations != 999 {
		t.Fatalf("near repeat %+v; notes %v", nr, res[0].Notes)
	}
	const events = `SELECT i.easting AS x, i.northing AS y, epoch(i.occurred_at) / 86400.0 AS day FROM incidents i
		WHERE i.easting IS NOT NULL AND i.month BETWEEN DATE '2019-12-01' AND DATE '2020-11-01'
		AND i.category IN (SELECT DISTINCT crime_type FROM crimes_enriched WHERE violence)
		AND EXISTS (SELECT 1 FROM hotspot_cells h WHERE h.profile = 'violence' AND h.month = DATE '2020-11-01'
		            AND h.cell_x = floor(i.easting / 100) * 100 AND h.cell_y = floor(i.northing / 100) * 100)`
	if n := count(t, st, `SELECT count(*) FROM (`+events+`)`); n != int64(nr.Events) || n < 100 {
		t.Errorf("%d events tested, SQL finds %d (want some hundreds)", nr.Events, n)
	}
	bad := count(t, st, `WITH e AS (`+events+`), p AS (
		SELECT sqrt((a.x - b.x) ^ 2 + (a.y - b.y) ^ 2) AS d, abs(a.day - b.day) AS t
		FROM (SELECT *, row_number() OVER () AS k FROM e) a JOIN (SELECT *, row_number() OVER () AS k FROM e) b ON a.k < b.k)
		SELECT count(*) FROM hotspot_knox h
		WHERE h.profile = 'violence' AND h.observed <> (SELECT count(*) FROM p WHERE p.d >= h.distance_from AND p.d < h.distance_to
		                                                AND p.t >= h.days_from AND p.t < h.days_to)`)
	if bad != 0 {
		t.Errorf("%d of the 16 stored Knox bands differ from the SQL recount of pairs", bad)
	}
	if n := count(t, st, `SELECT count(*) FROM hotspot_knox WHERE profile = 'violence' AND (p <= 0 OR p > 1 OR abs(expected - marginal) > 0.2 * marginal + 1)`); n != 0 {
		t.Errorf("%d stored bands with p outside (0, 1] or a Monte Carlo mean far from the exact expectation", n)
	}
}
