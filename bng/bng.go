// Package bng converts between WGS 84 longitude/latitude and the Ordnance
// Survey's British National Grid (EPSG:27700), and formats and parses OS grid
// references.
//
// The datum shift is the EPSG:1314 seven-parameter Helmert transformation
// between WGS 84 and OSGB36 (Airy 1830), applied through geocentric
// cartesian coordinates, and the map projection is the exact transverse
// Mercator (Krüger series to sixth order in n). This is the pipeline PROJ uses
// for "EPSG:4326 to EPSG:27700" when the OSTN15 grid is not installed, and
// the results agree with PROJ to well under a millimetre. The Helmert
// transformation itself is good to a few metres against OSTN15, which is ample
// for attributing crime locations to areas and grid cells.
//
// Heights are ignored: points are taken to lie on the WGS 84 ellipsoid (or on
// the Airy 1830 ellipsoid for the inverse), as PROJ does for 2D coordinates.
// So ToWGS84 inverts ToBNG to within 2 mm (2e-8 degrees), not exactly: the
// height a point gains on the other ellipsoid is dropped each way.
package bng

import (
	"math"

	"github.com/paulmach/orb"
)

// Ellipsoids.
const (
	wgs84A  = 6378137.0
	wgs84F  = 1 / 298.257223563
	airyA   = 6377563.396
	airyInf = 299.3249646 // inverse flattening, as in PROJ and EPSG
)

// EPSG:1314 "OSGB36 to WGS 84 (6)", position-vector convention,
// OSGB36 -> WGS 84.
const (
	helmertTX = 446.448
	helmertTY = -125.157
	helmertTZ = 542.06
	helmertRX = 0.15 / 3600 * math.Pi / 180 // radians
	helmertRY = 0.247 / 3600 * math.Pi / 180
	helmertRZ = 0.842 / 3600 * math.Pi / 180
	helmertS  = 1 - 20.489e-6
)

// British National Grid transverse Mercator parameters.
const (
	lat0 = 49 * math.Pi / 180
	lon0 = -2 * math.Pi / 180
	k0   = 0.9996012717
	e0   = 400000.0
	n0   = -100000.0
)

// ellipsoid holds the constants of an ellipsoid that the geocentric
// conversions need.
type ellipsoid struct {
	a, f float64
	e    float64 // first eccentricity
	e2   float64 // e²
	e2m  float64 // 1 - e²
	ep2b float64 // second eccentricity squared times b, for Bowring's formula
	e2a  float64 // e² times a
	ba   float64 // b/a
	ab   float64 // a/b
}

func newEllipsoid(a, f float64) ellipsoid {
	b := a * (1 - f)
	e2 := f * (2 - f)
	return ellipsoid{
		a: a, f: f,
		e:    math.Sqrt(e2),
		e2:   e2,
		e2m:  1 - e2,
		ep2b: e2 / (1 - e2) * b,
		e2a:  e2 * a,
		ba:   b / a,
		ab:   a / b,
	}
}

// toCartesian returns the geocentric coordinates of the point on the
// ellipsoid's surface whose latitude and longitude have the given sines and
// cosines.
func (el *ellipsoid) toCartesian(sinLat, cosLat, sinLon, cosLon float64) (x, y, z float64) {
	nu := el.a / math.Sqrt(1-el.e2*sinLat*sinLat)
	return nu * cosLat * cosLon, nu * cosLat * sinLon, nu * el.e2m * sinLat
}

// tanLat returns the tangent of the geodetic latitude of a geocentric point
// by Bowring's method, iterated twice. Working with the tangent avoids the
// trigonometric functions that an angle would need; two iterations are exact
// to far below a micrometre for points within kilometres of the surface.
func (el *ellipsoid) tanLat(p, z float64) float64 {
	t := z * el.ab / p // tangent of the parametric latitude, first guess
	for range 2 {
		cu := 1 / math.Sqrt(1+t*t)
		su := t * cu
		tanPhi := (z + el.ep2b*su*su*su) / (p - el.e2a*cu*cu*cu)
		t = el.ba * tanPhi
	}
	return t * el.ab
}

var (
	wgs84 = newEllipsoid(wgs84A, wgs84F)
	airy  = newEllipsoid(airyA, 1/airyInf)
	tm    = newTM(&airy)

	sinLon0, cosLon0 = math.Sincos(lon0)
)

// toOSGB36 applies the inverse of the EPSG:1314 Helmert transformation the
// way PROJ does (remove translation and scale, then rotate by the transpose
// of the small-angle rotation matrix), so that results match PROJ's.
func toOSGB36(x, y, z float64) (float64, float64, float64) {
	x = (x - helmertTX) / helmertS
	y = (y - helmertTY) / helmertS
	z = (z - helmertTZ) / helmertS
	return x + helmertRZ*y - helmertRY*z,
		-helmertRZ*x + y + helmertRX*z,
		helmertRY*x - helmertRX*y + z
}

// toWGS84 applies the EPSG:1314 Helmert transformation, OSGB36 -> WGS 84.
func toWGS84(x, y, z float64) (float64, float64, float64) {
	return helmertS*(x-helmertRZ*y+helmertRY*z) + helmertTX,
		helmertS*(helmertRZ*x+y-helmertRX*z) + helmertTY,
		helmertS*(-helmertRY*x+helmertRX*y+z) + helmertTZ
}

const (
	deg = math.Pi / 180
	rad = 180 / math.Pi
)

// ToBNG converts a WGS 84 longitude and latitude in degrees to British
// National Grid easting and northing in metres.
func ToBNG(lon, lat float64) (easting, northing float64) {
	sinLat, cosLat := math.Sincos(lat * deg)
	sinLon, cosLon := math.Sincos(lon * deg)
	x, y, z := wgs84.toCartesian(sinLat, cosLat, sinLon, cosLon)
	x, y, z = toOSGB36(x, y, z)

	p := math.Sqrt(x*x + y*y)
	tau := airy.tanLat(p, z)
	// Longitude relative to the central meridian, as sine and cosine.
	cl, sl := x/p, y/p
	cl, sl = cl*cosLon0+sl*sinLon0, sl*cosLon0-cl*sinLon0
	return tm.forward(tau, sl, cl)
}

// ToWGS84 converts British National Grid easting and northing in metres to a
// WGS 84 longitude and latitude in degrees.
func ToWGS84(easting, northing float64) (lon, lat float64) {
	tau, sl, cl := tm.inverse(easting, northing)
	cosLat := 1 / math.Sqrt(1+tau*tau)
	sinLat := tau * cosLat
	sinLon, cosLon := sl*cosLon0+cl*sinLon0, cl*cosLon0-sl*sinLon0
	x, y, z := airy.toCartesian(sinLat, cosLat, sinLon, cosLon)
	x, y, z = toWGS84(x, y, z)

	p := math.Sqrt(x*x + y*y)
	return math.Atan2(y, x) * rad, math.Atan(wgs84.tanLat(p, z)) * rad
}

// WGS84ToBNG is ToBNG as an orb.Projection, for use with
// github.com/paulmach/orb/project: a point is (longitude, latitude) in and
// (easting, northing) out.
func WGS84ToBNG(p orb.Point) orb.Point {
	e, n := ToBNG(p[0], p[1])
	return orb.Point{e, n}
}

// BNGToWGS84 is ToWGS84 as an orb.Projection: a point is (easting, northing)
// in and (longitude, latitude) out.
func BNGToWGS84(p orb.Point) orb.Point {
	lon, lat := ToWGS84(p[0], p[1])
	return orb.Point{lon, lat}
}
