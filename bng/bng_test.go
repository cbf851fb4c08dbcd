package bng

import (
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/project"

	"github.com/safercity/safercity/internal/shareddata"
)

// refPoint is one row of the PROJ reference file.
type refPoint struct {
	lat, lon, e, n float64
}

func loadReference(t testing.TB) []refPoint {
	path := shareddata.Path(t, "testdata", "bng", "wgs84_to_bng.csv")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if got, want := rows[0], []string{"latitude", "longitude", "easting", "northing"}; len(got) != 4 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
		t.Fatalf("%s: header %q, want %q", path, got, want)
	}
	var pts []refPoint
	for i, r := range rows[1:] {
		var v [4]float64
		for j := range v {
			if v[j], err = strconv.ParseFloat(r[j], 64); err != nil {
				t.Fatalf("%s row %d: %v", path, i+2, err)
			}
		}
		pts = append(pts, refPoint{v[0], v[1], v[2], v[3]})
	}
	return pts
}

// TestToBNGMatchesPROJ checks every PROJ reference point: PROJ's output is
// rounded to 0.1 mm, so anything beyond a millimetre would be a real
// difference of method; the brief's tolerance is 0.05 m.
func TestToBNGMatchesPROJ(t *testing.T) {
	pts := loadReference(t)
	if len(pts) != 2000 {
		t.Fatalf("reference has %d points, want 2000", len(pts))
	}
	const tol = 0.001
	var maxErr float64
	for _, p := range pts {
		e, n := ToBNG(p.lon, p.lat)
		d := math.Hypot(e-p.e, n-p.n)
		maxErr = math.Max(maxErr, d)
		if !(d <= tol) {
			t.Errorf("ToBNG(%v, %v) = (%.4f, %.4f), PROJ (%.4f, %.4f): off by %.4f m", p.lon, p.lat, e, n, p.e, p.n, d)
		}
	}
	t.Logf("max distance from PROJ over %d points: %.2g m", len(pts), maxErr)
}

// TestToWGS84MatchesPROJ runs the reference the other way: PROJ's easting
// and northing must come back to its latitude and longitude, which are given
// to 1e-6 degrees.
func TestToWGS84MatchesPROJ(t *testing.T) {
	pts := loadReference(t)
	const tol = 1e-6
	var maxErr float64
	for _, p := range pts {
		lon, lat := ToWGS84(p.e, p.n)
		d := math.Max(math.Abs(lon-p.lon), math.Abs(lat-p.lat))
		maxErr = math.Max(maxErr, d)
		if !(d <= tol) {
			t.Errorf("ToWGS84(%.4f, %.4f) = (%.8f, %.8f), want (%v, %v)", p.e, p.n, lon, lat, p.lon, p.lat)
		}
	}
	t.Logf("max difference from PROJ's latitude/longitude over %d points: %.2g°", len(pts), maxErr)
}

// TestRoundTrip allows 1e-7 degrees (1 cm): like PROJ, each direction puts
// the point on its source ellipsoid (height zero), and the height it had on
// the other ellipsoid is dropped, which moves it by up to 2 mm.
func TestRoundTrip(t *testing.T) {
	const tol = 1e-7
	var maxErr float64
	check := func(lon, lat float64) {
		e, n := ToBNG(lon, lat)
		lon2, lat2 := ToWGS84(e, n)
		d := math.Max(math.Abs(lon2-lon), math.Abs(lat2-lat))
		maxErr = math.Max(maxErr, d)
		if !(d <= tol) {
			t.Errorf("ToWGS84(ToBNG(%v, %v)) = (%v, %v): off by %g°", lon, lat, lon2, lat2, d)
		}
	}
	for _, p := range loadReference(t) {
		check(p.lon, p.lat)
	}
	// A regular lattice over the whole grid, wider than the reference points.
	for lat := 49.0; lat <= 61.0; lat += 0.25 {
		for lon := -9.0; lon <= 3.0; lon += 0.25 {
			check(lon, lat)
		}
	}
	t.Logf("max round-trip error: %.2g°", maxErr)
}

func TestTrueOrigin(t *testing.T) {
	// 49°N 2°W is the OSGB36 true origin; in WGS 84 terms it moves by the
	// datum shift, so check the projection alone through the inverse.
	tau, sl, cl := tm.inverse(400000, -100000)
	if lat := math.Atan(tau) * rad; math.Abs(lat-49) > 1e-12 || math.Abs(sl) > 1e-15 || math.Abs(cl-1) > 1e-15 {
		t.Errorf("inverse of the false origin: latitude %v, sin/cos of longitude from 2°W %v/%v; want 49, 0, 1", lat, sl, cl)
	}
}

func TestProjection(t *testing.T) {
	// The City of London police HQ area, first row of the reference file.
	ls := orb.LineString{{-0.0977, 51.5136}, {-2.2426, 53.4808}}
	got := project.LineString(ls.Clone(), WGS84ToBNG)
	want := orb.LineString{{532099.6179, 181123.4153}, {383997.4338, 398258.3158}}
	for i := range want {
		if d := math.Hypot(got[i][0]-want[i][0], got[i][1]-want[i][1]); d > 0.001 {
			t.Errorf("point %d projected to %v, want %v", i, got[i], want[i])
		}
	}
	back := project.LineString(got, BNGToWGS84)
	for i := range ls {
		if math.Abs(back[i][0]-ls[i][0]) > 1e-7 || math.Abs(back[i][1]-ls[i][1]) > 1e-7 {
			t.Errorf("point %d projected back to %v, want %v", i, back[i], ls[i])
		}
	}
}

func TestBowringIsExact(t *testing.T) {
	// tanLat must recover the latitude of points well above and below the
	// ellipsoid too: after the datum shift points lie tens of metres off it.
	for _, el := range []*ellipsoid{&wgs84, &airy} {
		for lat := 49.0; lat <= 61; lat += 0.5 {
			for _, h := range []float64{-1000, -60, 0, 60, 1000} {
				s, c := math.Sincos(lat * deg)
				x, _, z := el.toCartesian(s, c, 0, 1)
				x += h * c
				z += h * s
				got := math.Atan(el.tanLat(x, z)) * rad
				if math.Abs(got-lat) > 1e-12 {
					t.Errorf("a=%v latitude %v height %v: got %v", el.a, lat, h, got)
				}
			}
		}
	}
}

func BenchmarkToBNG(b *testing.B) {
	pts := benchPoints()
	b.ReportAllocs()
	b.ResetTimer()
	var sink float64
	for i := 0; i < b.N; i++ {
		p := pts[i%len(pts)]
		e, n := ToBNG(p[0], p[1])
		sink += e + n
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "points/s")
	if math.IsNaN(sink) {
		b.Fatal("NaN")
	}
}

func BenchmarkToWGS84(b *testing.B) {
	pts := benchPoints()
	for i, p := range pts {
		pts[i][0], pts[i][1] = ToBNG(p[0], p[1])
	}
	b.ReportAllocs()
	b.ResetTimer()
	var sink float64
	for i := 0; i < b.N; i++ {
		p := pts[i%len(pts)]
		lon, lat := ToWGS84(p[0], p[1])
		sink += lon + lat
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "points/s")
	if math.IsNaN(sink) {
		b.Fatal("NaN")
	}
}

// benchPoints spreads 4096 points over Great Britain.
func benchPoints() []orb.Point {
	pts := make([]orb.Point, 4096)
	for i := range pts {
		pts[i] = orb.Point{-6 + 8*float64(i%64)/64, 50 + 9*float64(i/64)/64}
	}
	return pts
}

// TestGeodeticTan checks the series from conformal to geodetic latitude
// against Newton's method on the exact formula (Karney 2011, eqs. 19–21).
func TestGeodeticTan(t *testing.T) {
	newton := func(taup float64) float64 {
		el := &airy
		tau := taup / el.e2m
		for range 10 {
			taupa := el.conformalTan(tau)
			tau += (taup - taupa) * (1 + el.e2m*tau*tau) /
				(el.e2m * math.Sqrt(1+tau*tau) * math.Sqrt(1+taupa*taupa))
		}
		return tau
	}
	var maxErr float64
	for lat := -89.0; lat <= 89; lat += 0.01 {
		taup := airy.conformalTan(math.Tan(lat * deg))
		got, want := math.Atan(tm.geodeticTan(taup)), math.Atan(newton(taup))
		maxErr = math.Max(maxErr, math.Abs(got-want))
	}
	// 1e-14 radians is 0.06 µm on the ground.
	if maxErr > 1e-14 {
		t.Errorf("series and Newton's method differ by up to %g radians", maxErr)
	}
	t.Logf("max difference: %g radians", maxErr)
}
