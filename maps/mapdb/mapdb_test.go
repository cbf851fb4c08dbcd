package mapdb

import (
	"bytes"
	"context"
	"encoding/xml"
	"image/png"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"

	"github.com/safercity/safercity/bng"
	"github.com/safercity/safercity/data"
	"github.com/safercity/safercity/hotspots"
	"github.com/safercity/safercity/ingest"
	"github.com/safercity/safercity/maps"
	"github.com/safercity/safercity/store"
	"github.com/safercity/safercity/transform"
	"github.com/safercity/safercity/transform/area"
)

var month = time.Date(2020, 11, 1, 0, 0, 0, 0, time.UTC)

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
	if _, err := ingest.Police(ctx, st, []string{"../../data/police-uk"}, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	check := func(b []byte, code, name string) ([]ingest.Area, string, error) {
		l, err := area.Load(bytes.NewReader(b), code, name)
		if err != nil {
			return nil, "", err
		}
		var as []ingest.Area
		for _, f := range l.Features() {
			as = append(as, ingest.Area{Code: f.Code, Name: f.Name})
		}
		return as, l.SourceCRS().String(), nil
	}
	if _, err := ingest.Boundaries(ctx, st, "lsoa", "../../data/boundaries/city_of_london_lsoa_2011.geojson", "LSOA11CD", "LSOA11NM", check); err != nil {
		t.Fatal(err)
	}
	cfg := transform.Config{CellSize: 100, Categories: data.Categories, Units: data.Units, Lookup: data.LSOALookup}
	if _, err := transform.Run(ctx, st, cfg, nil, nil); err != nil {
		t.Fatal(err)
	}
	p := hotspots.Profile{Name: "nte", Groups: []string{"nte"}, Measure: "count"}
	if _, err := hotspots.Run(ctx, st, hotspots.Options{Profile: p, Month: month, Force: "city-of-london"}); err != nil {
		t.Fatal(err)
	}
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
			"svg":           func(w io.Writer) error { return maps.WriteSVG(w, m, 800, 600) },
			"png":           func(w io.Writer) error { return maps.WritePNG(w, m, 800, 600) },
		} {
			path := filepath.Join(dir, layer+"."+name)
			var buf bytes.Buffer
			if err := write(&buf); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			os.WriteFile(path, buf.Bytes(), 0o644)
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
	if strings.HasSuffix(path, "27700.geojson") && !strings.Contains(text, "27700") {
		t.Errorf("ogrinfo does not see EPSG:27700 in %s:\n%s", path, text)
	}
}
