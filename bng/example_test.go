package bng_test

import (
	"fmt"
	"log"

	"github.com/safercity/safercity/bng"
)

// A police.uk street crime is published in WGS 84; SaferCity places it on
// the British National Grid and names its 100 m square.
func Example() {
	// "On or near Cheapside", City of London.
	e, n := bng.ToBNG(-0.093585, 51.514202)
	fmt.Printf("easting %.0f, northing %.0f\n", e, n)
	ref, err := bng.GridRef(e, n, 100)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ref)
	lon, lat := bng.ToWGS84(e, n)
	fmt.Printf("back: %.6f, %.6f\n", lon, lat)
	// Output:
	// easting 532383, northing 181198
	// TQ 323 811
	// back: -0.093585, 51.514202
}
