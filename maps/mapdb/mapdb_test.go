package mapdb

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"image/png"
	"io"
	stdmaps "maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"

	"github.com/safercity/safercity/bng"
	"github.com/safercity/safercity/internal/sampletest"
	"github.com/safercity/safercity/internal/shareddata"
	"github.com/safercity/safercity/internal/storetest"
	"github.com/safercity/safercity/maps"
	"github.com/safercity/safercity/store"
	"github.com/safercity/safercity/transform"
)

var month = sampletest.Month

// hotspotStore runs the pipeline on the sample up to the nte hotspots, with
// the bundled City of London LSOA boundaries loaded as "lsoa".
func hotspotStore(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "m.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sampletest.NTEHotspots(t, st, "../..")
	return st
}

func TestGeoJSONRoundTrip(t *testing.T) {
	st := hotspotStore(t)
	m, err := Load(context.Background(), st, Options{Profile: "nte", Month: month})
	if err != nil {
		t.Fatal(err)
	}
	var stored int64
	st.DB.QueryRow(`SELECT count(*) FROM hotspot_cells WHERE profile = 'nte'`).Scan(&stored)
	if int64(len(m.Features)) != stored || len(m.Boundaries) != 1 {
		t.Fatalf("%d features for %d stored cells; %d boundary layers", len(m.Features), stored, len(m.Boundaries))
	}
	for _, crs := range []maps.CRS{maps.WGS84, maps.BNG} {
		var buf bytes.Buffer
		if err := maps.WriteGeoJSON(&buf, m, crs, bng.BNGToWGS84); err != nil {
			t.Fatal(err)
		}
		fc, err := geojson.UnmarshalFeatureCollection(buf.Bytes())
		if err != nil {
			t.Fatalf("orb cannot read the %v GeoJSON: %v", crs, err)
		}
		if len(fc.Features) != len(m.Features) {
			t.Fatalf("%d features read back", len(fc.Features))
		}
		hot := 0
		for _, f := range fc.Features {
			poly, ok := f.Geometry.(orb.Polygon)
			if !ok || len(poly) != 1 || len(poly[0]) != 5 || poly[0][0] != poly[0][4] {
				t.Fatalf("cell geometry %v", f.Geometry)
			}
			// RFC 7946 right-hand rule: exterior rings counter-clockwise.
			if planar.Area(poly) <= 0 && crs == maps.WGS84 {
				if poly[0].Orientation() != orb.CCW {
					t.Fatalf("exterior ring not counter-clockwise")
				}
			}
			x, y := f.Properties.MustFloat64("cell_x"), f.Properties.MustFloat64("cell_y")
			c := poly.Bound().Center()
			if crs == maps.WGS84 {
				c = bng.WGS84ToBNG(c)
			}
			if math.Abs(c[0]-(x+50)) > 0.01 || math.Abs(c[1]-(y+50)) > 0.01 {
				t.Fatalf("cell %v,%v centred at %v", x, y, c)
			}
			if f.Properties.MustInt("bin") >= 2 {
				hot++
				if f.Properties.MustString("grid_ref") == "" {
					t.Error("a hot cell without a grid reference")
				}
			}
		}
		if hot == 0 {
			t.Error("no hot cells in the NTE map")
		}
	}
}

func TestEveryFormatReadable(t *testing.T) {
	st := hotspotStore(t)
	dir := t.TempDir()
	for _, layer := range []string{"cells", "lsoa"} {
		m, err := Load(context.Background(), st, Options{Profile: "nte", Month: month, Layer: layer})
		if err != nil {
			t.Fatal(err)
		}
		for name, write := range map[string]func(io.Writer) error{
			"geojson":       func(w io.Writer) error { return maps.WriteGeoJSON(w, m, maps.WGS84, bng.BNGToWGS84) },
			"27700.geojson": func(w io.Writer) error { return maps.WriteGeoJSON(w, m, maps.BNG, bng.BNGToWGS84) },
			"kml":           func(w io.Writer) error { return maps.WriteKML(w, m, bng.BNGToWGS84) },
			"csv":           func(w io.Writer) error { return maps.WriteCSV(w, m, maps.WGS84, bng.BNGToWGS84) },
			"27700.csv":     func(w io.Writer) error { return maps.WriteCSV(w, m, maps.BNG, nil) },
			"svg":           func(w io.Writer) error { return maps.WriteSVG(w, m, 800, 600) },
			"png":           func(w io.Writer) error { return maps.WritePNG(w, m, 800, 600) },
		} {
			path := filepath.Join(dir, layer+"."+name)
			var buf bytes.Buffer
			if err := write(&buf); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			os.WriteFile(path, buf.Bytes(), 0o644)
			if strings.HasSuffix(name, "csv") {
				writeSidecars(t, path, m, name)
			}
			switch {
			case name == "png":
				img, err := png.Decode(bytes.NewReader(buf.Bytes()))
				if err != nil || img.Bounds().Dx() != 800 || img.Bounds().Dy() != 600 {
					t.Errorf("%s: %v %v", path, err, img.Bounds())
				}
			case name == "svg" || name == "kml":
				d := xml.NewDecoder(bytes.NewReader(buf.Bytes()))
				for {
					if _, err := d.Token(); err == io.EOF {
						break
					} else if err != nil {
						t.Fatalf("%s is not XML: %v", path, err)
					}
				}
				if name == "svg" && !strings.Contains(buf.String(), maps.OGLAttribution) {
					t.Errorf("%s lacks the OGL attribution", path)
				}
			}
			ogrinfo(t, path, name)
		}
	}
}

// ogrinfo checks that GDAL reads an export without warnings; CI installs
// gdal-bin so this runs there.
func ogrinfo(t *testing.T, path, format string) {
	if format == "png" || format == "svg" {
		return
	}
	bin, err := exec.LookPath("ogrinfo")
	if err != nil {
		t.Logf("skipping the GDAL check of %s: ogrinfo is not installed (apt-get install gdal-bin)", filepath.Base(path))
		return
	}
	out, err := exec.Command(bin, "-ro", "-al", "-so", path).CombinedOutput()
	text := string(out)
	if err != nil || strings.Contains(text, "Warning") || strings.Contains(text, "ERROR") || !strings.Contains(text, "Feature Count") {
		t.Errorf("ogrinfo %s: %v\n%s", path, err, text)
	}
	if strings.Contains(path, "27700.") && !strings.Contains(text, "British_National_Grid") && !strings.Contains(text, "27700") {
		t.Errorf("ogrinfo does not see EPSG:27700 in %s:\n%s", path, text)
	}
	if !strings.Contains(path, "27700.") && !strings.Contains(text, "WGS 84") {
		t.Errorf("ogrinfo does not see WGS 84 in %s:\n%s", path, text)
	}
	// Every attribute typed, not read as text.
	for _, field := range []string{"count: Integer", "z: Real", "bin: Integer", "measure: Real", "month: String", "profile: String", "bin_label: String"} {
		if !strings.Contains(text, "\n"+field) {
			t.Errorf("ogrinfo %s: no field %q:\n%s", filepath.Base(path), field, text)
		}
	}
}

// writeSidecars writes the .csvt and .prj that export map writes beside a
// CSV.
func writeSidecars(t *testing.T, path string, m *maps.Map, name string) {
	crs := maps.WGS84
	if strings.HasPrefix(name, "27700") {
		crs = maps.BNG
	}
	base := strings.TrimSuffix(path, ".csv")
	var csvt, prj bytes.Buffer
	if err := maps.WriteCSVT(&csvt, m); err != nil {
		t.Fatal(err)
	}
	if err := maps.WritePRJ(&prj, crs); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(base+".csvt", csvt.Bytes(), 0o644)
	os.WriteFile(base+".prj", prj.Bytes(), 0o644)
}

// TestAreaMapOnlyWhereDataIs loads the 33 London boroughs as "lad": a
// district map of the City's hotspots must hold only the boroughs with
// analysed cells, say how many were left out, name its own layer in the
// legend (not the LSOA background) and outline and name the districts on a
// cell map.
func TestAreaMapOnlyWhereDataIs(t *testing.T) {
	dir := shareddata.Dir()
	if dir == "" {
		t.Skip("no ../shared folder: the London borough boundaries are there")
	}
	st := hotspotStore(t)
	storetest.Boundaries(t, st, "lad", filepath.Join(dir, "data/boundaries/london/london_lad_2022_gen20.geojson"), "LAD22CD", "LAD22NM")
	m, err := Load(context.Background(), st, Options{Profile: "nte", Month: month, Layer: "lad"})
	if err != nil {
		t.Fatal(err)
	}
	// The boroughs holding a cell's centre, found afresh.
	layers, _, err := transform.Layers(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := st.DB.Query(`SELECT cell_x + 50, cell_y + 50 FROM hotspot_cells WHERE profile = 'nte'`)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for rows.Next() {
		var x, y float64
		rows.Scan(&x, &y)
		if f, ok := layers["lad"].Locate(orb.Point{x, y}); ok {
			want[f.Code] = true
		}
	}
	rows.Close()
	got := map[string]bool{}
	for _, f := range m.Features {
		got[f.Properties[0].Value.(string)] = true
	}
	// The City's own district takes part; boroughs holding only a few cells
	// of crimes the City's force recorded beyond its border are left out
	// (hotspots.AreasOf), never compared or hot.
	if !got["E09000001"] || len(want) < 2 {
		t.Fatalf("boroughs on the map %v, boroughs holding cells %v: want the City among them and some border boroughs", got, want)
	}
	for code := range got {
		if !want[code] {
			t.Errorf("borough %s is on the map without a cell", code)
		}
	}
	left := fmt.Sprintf("%d lad areas the data does not cover left out", 33-len(m.Features))
	if !slices.ContainsFunc(m.Legend.Notes, func(n string) bool { return strings.HasPrefix(n, left) }) {
		t.Errorf("legend notes %q, want one starting %q", m.Legend.Notes, left)
	}
	if len(m.Boundaries) != 1 || m.Boundaries[0].Name != "District boundaries" || len(m.Boundaries[0].Areas) != len(m.Features) {
		t.Errorf("boundary layers %+v, want only the districts on the map", m.Boundaries)
	}
	cells, err := Load(context.Background(), st, Options{Profile: "nte", Month: month})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range cells.Boundaries {
		names = append(names, b.Name)
	}
	if !slices.Equal(names, []string{"LSOA boundaries", "District boundaries"}) || !cells.Boundaries[1].Major || !cells.Boundaries[1].Labels {
		t.Errorf("cell map boundary layers %q, want LSOAs, then districts drawn bold and named", names)
	}
}

// TestMistypedNamesSuggest checks that a mistyped profile, force or layer
// is refused with the nearest stored name.
func TestMistypedNamesSuggest(t *testing.T) {
	st := hotspotStore(t)
	for _, tc := range []struct {
		o    Options
		want string
	}{
		{Options{Profile: "ntee", Month: month}, `did you mean "nte"?`},
		{Options{Profile: "nte", Force: "city-of-londno", Month: month}, `did you mean "city-of-london"?`},
		{Options{Profile: "nte", Month: month, Layer: "losa"}, `did you mean "lsoa"?`},
		{Options{Profile: "nte", Month: month, Background: "lsao"}, `did you mean "lsoa"?`},
		{Options{Profile: "nte", Month: month, Class: "lias"}, `did you mean "lisa"?`},
	} {
		if _, err := Load(context.Background(), st, tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %s", tc.o, err, tc.want)
		}
	}
}

// TestLisaClass checks that a --class lisa map colours every stored cell by
// its Local Moran quadrant exactly when its FDR p-value is below the run's
// level, and that its legend has each class it draws.
func TestLisaClass(t *testing.T) {
	st := hotspotStore(t)
	m, err := Load(context.Background(), st, Options{Profile: "nte", Month: month, Class: "lisa"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	rows, err := st.DB.Query(`SELECT CASE WHEN c.lisa_p_fdr < r.alpha THEN c.lisa_quadrant ELSE 'not significant' END, count(*)
		FROM hotspot_cells c JOIN hotspot_runs r ON r.profile = c.profile AND r.force = c.force AND r.month = c.month
		WHERE c.profile = 'nte' GROUP BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			t.Fatal(err)
		}
		want[k] = n
	}
	got := map[string]int{}
	keys := map[string]bool{}
	for _, c := range m.Legend.Classes {
		keys[c.Key] = true
	}
	for _, f := range m.Features {
		got[f.Class]++
		if !keys[f.Class] {
			t.Errorf("class %q is not in the legend", f.Class)
		}
	}
	if !stdmaps.Equal(got, want) || len(want) < 2 {
		t.Errorf("map classes %v, stored %v (want some significant cells)", got, want)
	}
	if !strings.Contains(m.Subtitle, "Local Moran") {
		t.Errorf("subtitle %q does not name Local Moran's I", m.Subtitle)
	}
}

// TestForecastClassWithoutForecast: the sample's 12 months give no
// forecast, so a forecast map shows every cell as such and says why.
func TestForecastClassWithoutForecast(t *testing.T) {
	st := hotspotStore(t)
	m, err := Load(context.Background(), st, Options{Profile: "nte", Month: month, Class: "forecast"})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range m.Features {
		if f.Class != maps.ForecastNone {
			t.Fatalf("a cell of class %q on a map without forecast", f.Class)
		}
	}
	if len(m.Features) == 0 || !strings.Contains(strings.Join(m.Legend.Notes, "\n"), "fewer than 13 months") {
		t.Errorf("%d cells, notes %v", len(m.Features), m.Legend.Notes)
	}
}
