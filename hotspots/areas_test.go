package hotspots

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/safercity/safercity/internal/shareddata"
	"github.com/safercity/safercity/internal/storetest"
	"github.com/safercity/safercity/transform/area"
)

// TestAreasOnlyWhereDataIs puts Leicestershire's violence of 2021-03 into
// every district of England: only the districts its study area reaches take
// part; the other districts are listed as left out, never hot.
func TestAreasOnlyWhereDataIs(t *testing.T) {
	lad, err := area.LoadFile(shareddata.Path(t, "data", "boundaries", "england", "england_lad_2011_gen.geojson"), "label", "name")
	if err != nil {
		t.Fatal(err)
	}
	dir := shareddata.Path(t, "data", "police-uk")
	files, _ := filepath.Glob(filepath.Join(dir, "202[01]-*", "*-leicestershire-street.csv"))
	st := transformed(t, files...)
	if _, err := Run(context.Background(), st, Options{Profile: violence(), Month: march2021, Force: "leicestershire"}); err != nil {
		t.Fatal(err)
	}
	rows, err := st.DB.Query(`SELECT cell_x, cell_y, crimes, incidents, measure FROM hotspot_cells WHERE force = 'leicestershire'`)
	if err != nil {
		t.Fatal(err)
	}
	var cells []AreaCell
	for rows.Next() {
		var c AreaCell
		if err := rows.Scan(&c.X, &c.Y, &c.Crimes, &c.Incidents, &c.Measure); err != nil {
			t.Fatal(err)
		}
		cells = append(cells, c)
	}
	rows.Close()
	a, err := AreasOf(lad, cells, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Areas)+len(a.LeftOut) != len(lad.Features()) {
		t.Fatalf("%d areas + %d left out of %d", len(a.Areas), len(a.LeftOut), len(lad.Features()))
	}
	inAreas := a.Outside + a.LeftOutCells
	hot := 0
	seen := map[string]bool{}
	for _, s := range a.Areas {
		seen[s.Code] = true
		inAreas += s.Cells
		if s.Cells == 0 {
			t.Errorf("%s %s takes part without a study-area cell", s.Code, s.Name)
		}
		if s.Bin > 0 {
			hot++
		}
	}
	if inAreas != len(cells) {
		t.Errorf("%d cells in areas or outside, %d stored", inAreas, len(cells))
	}
	// Leicestershire Police covers Leicester, Rutland and Leicestershire's
	// seven districts; a few crimes it recorded beyond them do not make
	// their districts take part.
	if !seen["E06000016"] || !seen["E06000017"] || seen["E07000141"] || len(a.Areas) != 9 {
		t.Errorf("%d areas take part (Leicester %v, Rutland %v, South Kesteven %v)", len(a.Areas), seen["E06000016"], seen["E06000017"], seen["E07000141"])
	}
	for _, l := range a.LeftOut {
		if code := strings.Fields(l)[0]; seen[code] {
			t.Errorf("%s both takes part and is left out", code)
		}
	}
	t.Logf("%d districts take part (%d hot), %d left out, %d cells outside every district, band %.0f m", len(a.Areas), hot, len(a.LeftOut), a.Outside, a.Band)
}

// TestBoundaryStudyArea: with a boundary layer configured for the City of
// London, its study area is the cells whose centre lies inside the City's
// LSOAs, every one stored, and crimes elsewhere are counted outside.
func TestBoundaryStudyArea(t *testing.T) {
	ctx := context.Background()
	st := transformed(t, sample)
	const file = "../data/boundaries/city_of_london_lsoa_2011.geojson"
	storetest.Boundaries(t, st, "city", file, "LSOA11CD", "LSOA11NM")
	o := Options{Profile: violence(), Month: time.Date(2020, 11, 1, 0, 0, 0, 0, time.UTC), Force: "city-of-london",
		Boundaries: map[string]string{"city-of-london": "city"}}
	res, err := Run(ctx, st, o)
	if err != nil {
		t.Fatal(err)
	}
	r := res[0]
	l, err := area.LoadFile(file, "LSOA11CD", "LSOA11NM")
	if err != nil {
		t.Fatal(err)
	}
	// Every 100 m cell of the City's box whose centre is inside.
	want := 0
	for x := 531000.0; x < 534000; x += 100 {
		for y := 180000.0; y < 182500; y += 100 {
			if _, ok := l.Locate(orb.Point{x + 50, y + 50}); ok {
				want++
			}
		}
	}
	if r.StudyArea != "boundary:city" || r.Cells != want || count(t, st, `SELECT count(*) FROM hotspot_cells`) != int64(want) {
		t.Errorf("study area %s of %d cells (want %d inside the City)", r.StudyArea, r.Cells, want)
	}
	all := count(t, st, `SELECT count(*) FROM crimes_enriched WHERE located AND violence AND force = 'city-of-london' AND month = DATE '2020-11-01'`)
	if r.Crimes+r.Outside != all || r.Outside == 0 {
		t.Errorf("%d crimes inside + %d outside, %d in all", r.Crimes, r.Outside, all)
	}
	o.Boundaries = map[string]string{"city-of-london": "ctiy"}
	if _, err := Run(ctx, st, o); err == nil || !strings.Contains(err.Error(), "city") {
		t.Errorf("a mistyped layer gave %v", err)
	}
}

// TestNeighbourBandBruteForce compares the swept band with every pair's
// distance, on clustered points with ties in x.
func TestNeighbourBandBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pts := make([]orb.Point, 500)
	for i := range pts {
		pts[i] = orb.Point{math.Round(rng.NormFloat64() * 300), rng.Float64() * 5000}
	}
	want := 0.0
	for i := range pts {
		nearest := math.Inf(1)
		for j := range pts {
			if i != j {
				nearest = min(nearest, planar.Distance(pts[i], pts[j]))
			}
		}
		want = max(want, nearest)
	}
	if got := neighbourBand(pts); got != want {
		t.Errorf("band %v, brute force %v", got, want)
	}
}
