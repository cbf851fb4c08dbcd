package bng

import (
	"fmt"
	"math"
	"strings"
)

// The OS grid covers eastings 0…700 km and northings 0…1300 km, in 100 km
// squares named by two letters.
const (
	maxEasting  = 700000
	maxNorthing = 1300000
)

// gridLetters is the alphabet of the 5×5 letter grids, which omits I.
const gridLetters = "ABCDEFGHJKLMNOPQRSTUVWXYZ"

// GridRef returns the OS grid reference of the square of side precision
// metres (1, 10, 100, 1000, 10000 or 100000) that contains the point, for
// example "TQ 320 811" for easting 532099, northing 181123 at 100 m. As in the
// OS convention the reference names the square's south-west corner, so
// coordinates are truncated, not rounded.
func GridRef(easting, northing float64, precision int) (string, error) {
	digits, err := precisionDigits(precision)
	if err != nil {
		return "", err
	}
	if !(easting >= 0 && easting < maxEasting && northing >= 0 && northing < maxNorthing) {
		return "", fmt.Errorf("bng: grid reference of (%v, %v): outside the national grid (0 ≤ easting < %d, 0 ≤ northing < %d)",
			easting, northing, maxEasting, maxNorthing)
	}
	e, n := int(easting), int(northing)
	e100, n100 := e/100000, n/100000
	// The first letter names the 500 km square, counted from the false
	// origin's square S; the second names the 100 km square within it.
	l1 := (19 - n100) - (19-n100)%5 + (e100+10)/5
	l2 := (19-n100)*5%25 + e100%5
	ref := string([]byte{gridLetters[l1], gridLetters[l2]})
	if digits == 0 {
		return ref, nil
	}
	return fmt.Sprintf("%s %0*d %0*d", ref, digits, e%100000/precision, digits, n%100000/precision), nil
}

// ParseGridRef parses an OS grid reference: two letters then an even number
// of digits (at most 10), written together or with the easting and northing
// halves separated by spaces, as in "TQ 320 811", "TQ 320811" or "tq320811".
// It returns the south-west corner of the square the reference names and the
// square's side in metres.
func ParseGridRef(s string) (easting, northing float64, precision int, err error) {
	fail := func(format string, args ...any) (float64, float64, int, error) {
		return 0, 0, 0, fmt.Errorf("bng: parse grid reference %q: "+format, append([]any{s}, args...)...)
	}
	f := strings.Fields(strings.ToUpper(s))
	var letters, digits string
	switch {
	case len(f) == 1 && len(f[0]) >= 2:
		letters, digits = f[0][:2], f[0][2:]
	case len(f) == 2 && len(f[0]) == 2:
		letters, digits = f[0], f[1]
	case len(f) == 3 && len(f[0]) == 2 && len(f[1]) == len(f[2]):
		letters, digits = f[0], f[1]+f[2]
	default:
		return fail("want two letters and digits, as in \"TQ 320 811\"")
	}
	l1 := strings.IndexByte(gridLetters, letters[0])
	l2 := strings.IndexByte(gridLetters, letters[1])
	if l1 < 0 || l2 < 0 {
		return fail("%q is not a 100 km square", letters)
	}
	e100 := (l1-2)%5*5 + l2%5
	n100 := 19 - l1/5*5 - l2/5
	if e100 < 0 || e100*100000 >= maxEasting || n100 < 0 || n100*100000 >= maxNorthing {
		return fail("square %s is outside the national grid", letters)
	}
	if len(digits)%2 != 0 || len(digits) > 10 {
		return fail("want an even number of digits, at most 10")
	}
	half := len(digits) / 2
	precision = int(math.Pow10(5 - half))
	e, n := 0, 0
	for i := range half {
		de, dn := digits[i], digits[half+i]
		if de < '0' || de > '9' || dn < '0' || dn > '9' {
			return fail("want digits after the letters")
		}
		e = e*10 + int(de-'0')
		n = n*10 + int(dn-'0')
	}
	return float64(e100*100000 + e*precision), float64(n100*100000 + n*precision), precision, nil
}

// precisionDigits returns how many digits each of easting and northing has
// in a grid reference to the given precision in metres.
func precisionDigits(precision int) (int, error) {
	for digits, p := 5, 1; digits >= 0; digits, p = digits-1, p*10 {
		if precision == p {
			return digits, nil
		}
	}
	return 0, fmt.Errorf("bng: grid reference precision %d m: want 1, 10, 100, 1000, 10000 or 100000", precision)
}
