package enrich

import (
	"bytes"
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/safercity/safercity/data"
	"github.com/safercity/safercity/internal/shareddata"
	"github.com/safercity/safercity/transform/grid"
)

func enricher(t testing.TB) *Enricher {
	t.Helper()
	cats, err := ReadCategories(bytes.NewReader(data.Categories))
	if err != nil {
		t.Fatal(err)
	}
	units, err := ReadUnits(bytes.NewReader(data.Units))
	if err != nil {
		t.Fatal(err)
	}
	lookup, err := ReadLookup(bytes.NewReader(data.LSOALookup))
	if err != nil {
		t.Fatal(err)
	}
	g, _ := grid.New(100)
	return &Enricher{Grid: g, Categories: cats, Units: units, Lookup: lookup}
}

func TestBundledCategories(t *testing.T) {
	e := enricher(t)
	types := []string{"Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs",
		"Other crime", "Other theft", "Possession of weapons", "Public order", "Robbery", "Shoplifting",
		"Theft from the person", "Vehicle crime", "Violence and sexual offences"}
	for _, ct := range types {
		c, ok := e.Categories[ct]
		if !ok {
			t.Errorf("%s: not in categories.csv", ct)
			continue
		}
		if (c.Harm == 0) != (ct == "Anti-social behaviour") {
			t.Errorf("%s: harm %v", ct, c.Harm)
		}
	}
	// The violence profile of the hotspot issue: violence and sexual
	// offences, robbery, possession of weapons.
	var violence []string
	for ct, c := range e.Categories {
		if c.Violence && ct != "Violent crime" {
			violence = append(violence, ct)
		}
	}
	if len(violence) != 3 || !e.Categories["Robbery"].Acquisitive || !e.Categories["Anti-social behaviour"].ASB {
		t.Errorf("violence group %v", violence)
	}
}

func TestReadCategoriesRefusesBadHarm(t *testing.T) {
	for _, harm := range []string{"NaN", "-1", "Inf", "1e40", "x"} {
		_, err := ReadCategories(strings.NewReader("crime_type,violence,acquisitive,asb,nte,weapons,harm\nRobbery,true,true,false,true,false," + harm + "\n"))
		if err == nil || !strings.Contains(err.Error(), "line 2: harm") {
			t.Errorf("harm %s: %v, want refused naming the line", harm, err)
		}
	}
	if _, err := ReadCategories(strings.NewReader("crime_type,violence,acquisitive,asb,nte,weapons,harm\nRobbery,true,true,false,true,false,365000\n")); err != nil {
		t.Errorf("the largest harm accepted: %v", err)
	}
}

func TestReadUnits(t *testing.T) {
	u, err := ReadUnits(strings.NewReader("units:\n  - name: Square Mile\n    lads: [City of London, Islington]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if u.Unit("Islington") != "Square Mile" || u.Unit("Camden") != "Camden" {
		t.Errorf("units %v", u)
	}
	if _, err := ReadUnits(strings.NewReader("units:\n  - name: A\n    lads: [X]\n  - name: B\n    lads: [X]\n")); err == nil {
		t.Error("a district in two units was accepted")
	}
	bundled, _ := ReadUnits(bytes.NewReader(data.Units))
	if bundled.Unit("Salford") != "Greater Manchester" {
		t.Errorf("bundled units: Salford → %q", bundled.Unit("Salford"))
	}
}

func TestEnrichRealRows(t *testing.T) {
	e := enricher(t)
	nan := math.NaN()
	// A City of London Police crime in Camden (2019-06 street file): the unit
	// follows where it happened.
	x := e.Enrich(Crime{Longitude: -0.119224, Latitude: 51.529042, Easting: nan, Northing: nan,
		LSOACode: "E01000939", LSOAName: "Camden 024C", CrimeType: "Other theft"})
	if !x.Located || x.LADName != "Camden" || x.Unit != "Camden" || !x.KnownType || !x.Category.Acquisitive {
		t.Errorf("%+v", x)
	}
	if x.Cell.X != int64(math.Floor(x.Easting/100))*100 || x.Cell.Y != int64(math.Floor(x.Northing/100))*100 {
		t.Errorf("cell %v for %v,%v", x.Cell, x.Easting, x.Northing)
	}
	// A No Location row.
	if x := e.Enrich(Crime{Longitude: nan, Latitude: nan, Easting: nan, Northing: nan, CrimeType: "Anti-social behaviour"}); x.Located || x.Unit != "" || !x.Category.ASB {
		t.Errorf("no location: %+v", x)
	}
	// The 2011 West Midlands layout: BNG as published, WGS 84 derived.
	x = e.Enrich(Crime{Longitude: nan, Latitude: nan, Easting: 408811, Northing: 284398, CrimeType: "Violent crime"})
	if !x.Located || math.Abs(x.Longitude+1.87) > 0.02 || math.Abs(x.Latitude-52.46) > 0.02 || !x.Category.Violence {
		t.Errorf("2011 row: %+v", x)
	}
	// An LSOA in the lookup takes the lookup's district over the name.
	x = e.Enrich(Crime{Longitude: -1.089846, Latitude: 52.685438, LSOACode: "E01025766", LSOAName: "Charnwood 021E", CrimeType: "Public order"})
	if x.LADName != "Charnwood" || !x.Category.NTE {
		t.Errorf("%+v", x)
	}
	if x := e.Enrich(Crime{Longitude: nan, Latitude: nan, CrimeType: "Dragon theft"}); x.KnownType {
		t.Error("unknown crime type marked known")
	}
}

// TestEnrichAgreesWithPROJ runs the PROJ reference points through Enrich.
func TestEnrichAgreesWithPROJ(t *testing.T) {
	f, err := os.Open(shareddata.Path(t, "testdata", "bng", "wgs84_to_bng.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := csv.NewReader(f).ReadAll()
	e := enricher(t)
	for _, r := range rows[1:] {
		v := make([]float64, 4)
		for i := range v {
			v[i], _ = strconv.ParseFloat(r[i], 64)
		}
		x := e.Enrich(Crime{Latitude: v[0], Longitude: v[1], Easting: math.NaN(), Northing: math.NaN()})
		if math.Abs(x.Easting-v[2]) > 0.05 || math.Abs(x.Northing-v[3]) > 0.05 {
			t.Fatalf("%v: got %.4f,%.4f", r, x.Easting, x.Northing)
		}
	}
}

// BenchmarkEnrich measures projection, cell, grid reference, district, unit
// and groups for real sample rows on all cores.
func BenchmarkEnrich(b *testing.B) {
	f, err := os.Open("../../data/police-uk/2020-11/2020-11-leicestershire-street.csv")
	if err != nil {
		b.Fatal(err)
	}
	rows, _ := csv.NewReader(f).ReadAll()
	f.Close()
	var crimes []Crime
	for _, r := range rows[1:] {
		lon, err1 := strconv.ParseFloat(r[4], 64)
		lat, err2 := strconv.ParseFloat(r[5], 64)
		if err1 != nil || err2 != nil {
			continue
		}
		crimes = append(crimes, Crime{Longitude: lon, Latitude: lat, Easting: math.NaN(), Northing: math.NaN(), LSOACode: r[7], LSOAName: r[8], CrimeType: r[9]})
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		e := enricher(b)
		i := 0
		for pb.Next() {
			e.Enrich(crimes[i%len(crimes)])
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
