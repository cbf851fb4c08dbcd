package bng

import "math"

// transverseMercator is the transverse Mercator projection of an ellipsoid
// with the British National Grid's origin, scale and false origin, computed
// with Krüger's series to sixth order in the third flattening n (Karney 2011,
// "Transverse Mercator with an accuracy of a few nanometers"). It is the
// algorithm PROJ uses by default, so it agrees with PROJ far from the central
// meridian too, where the OS series formulas lose accuracy.
type transverseMercator struct {
	el    *ellipsoid
	kA    float64    // k0 times the rectifying radius
	alpha [6]float64 // conformal sphere -> projection
	beta  [6]float64 // projection -> conformal sphere
	delta [6]float64 // conformal latitude -> geodetic latitude
	xi0   float64    // ξ of the true origin, so that northings count from lat0
}

func newTM(el *ellipsoid) transverseMercator {
	n := el.f / (2 - el.f)
	n2 := n * n
	n3 := n2 * n
	n4 := n3 * n
	n5 := n4 * n
	n6 := n5 * n
	t := transverseMercator{
		el: el,
		kA: k0 * el.a / (1 + n) * (1 + n2/4 + n4/64 + n6/256),
		alpha: [6]float64{
			n/2 - 2*n2/3 + 5*n3/16 + 41*n4/180 - 127*n5/288 + 7891*n6/37800,
			13*n2/48 - 3*n3/5 + 557*n4/1440 + 281*n5/630 - 1983433*n6/1935360,
			61*n3/240 - 103*n4/140 + 15061*n5/26880 + 167603*n6/181440,
			49561*n4/161280 - 179*n5/168 + 6601661*n6/7257600,
			34729*n5/80640 - 3418889*n6/1995840,
			212378941 * n6 / 319334400,
		},
		beta: [6]float64{
			n/2 - 2*n2/3 + 37*n3/96 - n4/360 - 81*n5/512 + 96199*n6/604800,
			n2/48 + n3/15 - 437*n4/1440 + 46*n5/105 - 1118711*n6/3870720,
			17*n3/480 - 37*n4/840 - 209*n5/4480 + 5569*n6/90720,
			4397*n4/161280 - 11*n5/504 - 830251*n6/7257600,
			4583*n5/161280 - 108847*n6/3991680,
			20648693 * n6 / 638668800,
		},
		delta: [6]float64{
			2*n - 2*n2/3 - 2*n3 + 116*n4/45 + 26*n5/45 - 2854*n6/675,
			7*n2/3 - 8*n3/5 - 227*n4/45 + 2704*n5/315 + 2323*n6/945,
			56*n3/15 - 136*n4/35 - 1262*n5/105 + 73814*n6/2835,
			4279*n4/630 - 332*n5/35 - 399572*n6/14175,
			4174*n5/315 - 144838*n6/6237,
			601676 * n6 / 22275,
		},
	}
	// On the central meridian η' is 0 and ξ' is the conformal latitude.
	xip := math.Atan(el.conformalTan(math.Tan(lat0)))
	dxi, _ := sumSin2k(&t.alpha, xip, 0)
	t.xi0 = xip + dxi
	return t
}

// forward projects the point whose geodetic latitude has tangent tau and
// whose longitude from the central meridian has sine sl and cosine cl.
func (t *transverseMercator) forward(tau, sl, cl float64) (easting, northing float64) {
	taup := t.el.conformalTan(tau)
	xip := math.Atan2(taup, cl)
	etap := math.Asinh(sl / math.Sqrt(taup*taup+cl*cl))
	dxi, deta := sumSin2k(&t.alpha, xip, etap)
	return e0 + t.kA*(etap+deta), n0 + t.kA*(xip+dxi-t.xi0)
}

// inverse is the inverse of forward.
func (t *transverseMercator) inverse(easting, northing float64) (tau, sl, cl float64) {
	xi := (northing-n0)/t.kA + t.xi0
	eta := (easting - e0) / t.kA
	dxi, deta := sumSin2k(&t.beta, xi, eta)
	xip, etap := xi-dxi, eta-deta
	sh := math.Sinh(etap)
	sx, cx := math.Sincos(xip)
	r := math.Sqrt(sh*sh + cx*cx)
	return t.geodeticTan(sx / r), sh / r, cx / r
}

// sumSin2k returns the real and imaginary parts of Σ c[k-1]·sin(2kζ), k = 1…6,
// for complex ζ = xi + i·eta, by Clenshaw summation so that only one sine,
// cosine and exponential are needed.
func sumSin2k(c *[6]float64, xi, eta float64) (re, im float64) {
	s2, c2 := math.Sincos(2 * xi)
	ex := math.Exp(2 * eta)
	sh2, ch2 := (ex-1/ex)/2, (ex+1/ex)/2
	// a = 2·cos(2ζ)
	ar, ai := 2*c2*ch2, -2*s2*sh2
	var b1r, b1i, b2r, b2i float64
	for k := len(c) - 1; k >= 0; k-- {
		br := ar*b1r - ai*b1i - b2r + c[k]
		bi := ar*b1i + ai*b1r - b2i
		b2r, b2i = b1r, b1i
		b1r, b1i = br, bi
	}
	// Σ = b1·sin(2ζ)
	sr, si := s2*ch2, c2*sh2
	return b1r*sr - b1i*si, b1r*si + b1i*sr
}

// conformalTan returns the tangent of the conformal latitude for a geodetic
// latitude with tangent tau.
func (el *ellipsoid) conformalTan(tau float64) float64 {
	tau1 := math.Sqrt(1 + tau*tau)
	sig := math.Sinh(el.e * math.Atanh(el.e*tau/tau1))
	return tau*math.Sqrt(1+sig*sig) - sig*tau1
}

// geodeticTan inverts conformalTan: it returns the tangent of the geodetic
// latitude φ for a conformal latitude χ with tangent taup, by the series
// φ = χ + Σ δ_k sin(2kχ) in powers of n. To sixth order the series agrees
// with Newton's method on the exact formula to rounding error, and it needs
// one tangent where Newton's method needs two hyperbolic and two inverse
// hyperbolic functions.
func (t *transverseMercator) geodeticTan(taup float64) float64 {
	d := 1 + taup*taup
	s2, c2 := 2*taup/d, (1-taup*taup)/d // sin 2χ, cos 2χ
	a := 2 * c2
	var b1, b2 float64
	for k := len(t.delta) - 1; k >= 0; k-- {
		b1, b2 = a*b1-b2+t.delta[k], b1
	}
	td := math.Tan(b1 * s2) // tan(φ - χ)
	return (taup + td) / (1 - taup*td)
}
