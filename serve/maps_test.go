package serve

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/safercity/safercity/internal/sampletest"
)

// TestMapRoute: the API had no map export, so `safercity export map` could
// not run beside the server. Every format comes with export map's options
// and checks; a CSV comes zipped with its .csvt and .prj.
func TestMapRoute(t *testing.T) {
	s, st, _ := newServer(t)
	sampletest.NTEHotspots(t, st, "..")
	w := send(s, "GET", "/api/maps/nte/latest?format=csv&crs=27700&force=City-of-London", local)
	if w.Code != 200 || !IsMapZip(w.Header()) {
		t.Fatalf("csv: %d %v %.300s", w.Code, w.Header(), w.Body.String())
	}
	h := w.Header()
	if h.Get(HeaderMonth) != "2020-11" || h.Get(HeaderProfile) != "nte" || h.Get(HeaderCRS) != "EPSG:27700" || h.Get(HeaderFeatures) == "0" {
		t.Errorf("headers %v", h)
	}
	zr, err := zip.NewReader(bytes.NewReader(w.Body.Bytes()), int64(w.Body.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	files := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		names = append(names, f.Name)
		files[f.Name] = string(b)
	}
	base := "nte-2020-11-city-of-london"
	if strings.Join(names, " ") != base+".csv "+base+".csvt "+base+".prj" {
		t.Errorf("zip holds %v", names)
	}
	if !strings.Contains(files[base+".prj"], "British_National_Grid") || !strings.HasSuffix(strings.TrimSpace(files[base+".csvt"]), "WKT") ||
		!strings.HasPrefix(files[base+".csv"], "grid_ref,") {
		t.Errorf("zip files: csvt %q prj %.60q csv %.60q", files[base+".csvt"], files[base+".prj"], files[base+".csv"])
	}
	for target, ctype := range map[string]string{
		"/api/maps/nte/2020-11?format=png&width=600&height=450": "image/png",
		"/api/maps/nte/2020-11?format=svg&class=trend":          "image/svg+xml",
		"/api/maps/nte/2020-11?format=kml":                      "application/vnd.google-earth.kml+xml",
		"/api/maps/nte/2020-11":                                 "application/geo+json",
		"/api/maps/nte/2020-11?layer=lsoa&format=json":          "application/geo+json",
	} {
		if w := send(s, "GET", target, local); w.Code != 200 || w.Header().Get("Content-Type") != ctype || w.Body.Len() < 100 {
			t.Errorf("%s: %d %s, %d bytes", target, w.Code, w.Header().Get("Content-Type"), w.Body.Len())
		}
	}
	badRequests(t, s, map[string]string{
		"/api/maps/nte/2020-11?format=kml&crs=27700":  "KML is always WGS 84",
		"/api/maps/nte/2020-11?format=shp":            "use geojson, kml, csv, svg or png",
		"/api/maps/nte/2020-11?force=city-of-londn":   `did you mean \"city-of-london\"?`,
		"/api/maps/nt/2020-11":                        `did you mean \"nte\"?`,
		"/api/maps/nte/2020-11?class=trnd":            `did you mean \"trend\"?`,
		"/api/maps/nte/2020-11?layer=lsao":            "lsao",
		"/api/maps/nte/2020-11?format=png&width=9000": "width",
		"/api/maps/nte/2020-11?crs=abc":               "crs",
		"/api/maps/nte/2020-13":                       "YYYY-MM",
	})
	if w := send(s, "GET", "/api/maps/nte/2019-12", local); w.Code != 404 || !strings.Contains(w.Body.String(), "stored: nte 2020-11") {
		t.Errorf("a month without hotspots: %d %s", w.Code, w.Body.String())
	}
}
