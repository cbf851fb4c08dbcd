package geography

import (
	"bytes"
	"encoding/csv"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/safercity/safercity/data"
)

// TestNational checks the bundled table against ONS's own totals: 318
// districts from April 2023 (296 in England, 22 in Wales) and 59,439,840
// residents of England and Wales at mid-2019.
func TestNational(t *testing.T) {
	tab, err := National()
	if err != nil {
		t.Fatal(err)
	}
	var england, wales int
	var residents float64
	for _, d := range tab.Districts {
		residents += d.Residents
		switch d.Country {
		case "England":
			england++
			if math.IsNaN(d.AreaKm2) {
				t.Errorf("%s: English district without an area", d.Name)
			}
		case "Wales":
			wales++
			if !math.IsNaN(d.AreaKm2) {
				t.Errorf("%s: Welsh district with an area %v, but the bundled boundaries are England's", d.Name, d.AreaKm2)
			}
		}
	}
	if england != 296 || wales != 22 || residents != 59439840 {
		t.Errorf("got %d English and %d Welsh districts, %v residents; want 296, 22, 59439840", england, wales, residents)
	}
	for old, want := range map[string]string{
		"Northampton": "West Northamptonshire", "Corby": "North Northamptonshire", "Aylesbury Vale": "Buckinghamshire",
		"Carlisle": "Cumberland", "Barrow-in-Furness": "Westmorland and Furness", "Harrogate": "North Yorkshire",
		"Taunton Deane": "Somerset", "Bristol, City of": "Bristol", "Leicester": "Leicester", "Waveney": "East Suffolk",
	} {
		if got := tab.Current(old); got != want {
			t.Errorf("Current(%q) = %q, want %q", old, got, want)
		}
	}
	if d, _ := tab.District("City of London"); d == nil || d.LSOAs != 6 || d.Force != "city-of-london" {
		t.Errorf("City of London: %+v, want 6 LSOAs policed by City of London Police", d)
	}
	forces := map[string]int{}
	for _, d := range tab.Districts {
		forces[d.Force]++
	}
	if len(forces) != 43 || forces["metropolitan"] != 32 || forces["south-wales"] != 7 {
		t.Errorf("%d forces (want the 43 of England and Wales), Met %d districts (want 32), South Wales %d (want 7)", len(forces), forces["metropolitan"], forces["south-wales"])
	}
}

// TestLookupNamesDistricts checks that every LSOA of the bundled lookup
// names a district of the table under its code, and that each district's
// LSOA count matches.
func TestLookupNamesDistricts(t *testing.T) {
	tab, err := National()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data.LSOALookup)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, r := range rows[1:] {
		d, ok := tab.District(r[3])
		if !ok || d.Code != r[2] {
			t.Fatalf("LSOA %s: district %s %s is not in the table", r[0], r[2], r[3])
		}
		count[r[3]]++
	}
	if len(rows)-1 != 34753 {
		t.Errorf("%d LSOAs, want the 34,753 of England and Wales (2011)", len(rows)-1)
	}
	for _, d := range tab.Districts {
		if count[d.Name] != d.LSOAs {
			t.Errorf("%s: %d LSOAs in the lookup, %d in the table", d.Name, count[d.Name], d.LSOAs)
		}
	}
}

func TestUnitSets(t *testing.T) {
	tab, err := National()
	if err != nil {
		t.Fatal(err)
	}
	cities, err := tab.LoadUnitSet("cities")
	if err != nil {
		t.Fatal(err)
	}
	if u, ok := cities.UnitOf("Salford"); !ok || u.Name != "Manchester" {
		t.Errorf("Salford is in %+v, want the Manchester unit", u)
	}
	if _, ok := cities.UnitOf("Charnwood"); ok {
		t.Error("Charnwood is not a city but is in the cities set")
	}
	err = cities.Check("Nottinghm")
	if !errors.Is(err, ErrUnknownName) || !strings.Contains(err.Error(), `"Nottingham"`) {
		t.Errorf("Check(Nottinghm) = %v, want an unknown name suggesting Nottingham", err)
	}
	for _, bad := range []string{
		"units: [{name: A, lads: [Leicestr]}]",
		"units: [{name: A, lads: [Leicester]}, {name: B, lads: [Leicester]}]",
		"units: [{name: A}]",
	} {
		if _, err := tab.ReadUnitSet("test", strings.NewReader(bad)); !errors.Is(err, ErrUnitSet) {
			t.Errorf("%s: got %v, want an ErrUnitSet", bad, err)
		}
	}
	s, err := tab.ReadUnitSet("test", strings.NewReader("units: [{name: Northants, lads: [Northampton, Corby, Kettering]}]"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(s.Units[0].Districts, "; "); got != "North Northamptonshire; West Northamptonshire" {
		t.Errorf("former districts gave %s", got)
	}
}

// TestOutlines checks that the bundled outlines cover every English
// district, in British National Grid metres.
func TestOutlines(t *testing.T) {
	tab, _ := National()
	outs, err := Outlines()
	if err != nil {
		t.Fatal(err)
	}
	has := map[string]bool{}
	for _, o := range outs {
		if _, ok := tab.District(o.District); !ok {
			t.Errorf("outline of %q, which is not a district", o.District)
		}
		has[o.District] = true
		for _, r := range o.Rings {
			for _, p := range r {
				if p[0] < 80000 || p[0] > 660000 || p[1] < 0 || p[1] > 660000 {
					t.Fatalf("%s: point %v outside England's grid extent", o.District, p)
				}
			}
		}
	}
	for _, d := range tab.Districts {
		if d.Country == "England" && !has[d.Name] {
			t.Errorf("no outline for %s", d.Name)
		}
	}
}

func TestForceName(t *testing.T) {
	for slug, want := range map[string]string{
		"avon-and-somerset": "Avon and Somerset", "city-of-london": "City of London",
		"metropolitan": "Metropolitan Police Service", "dyfed-powys": "Dyfed-Powys", "west-midlands": "West Midlands",
	} {
		if got := ForceName(slug); got != want {
			t.Errorf("ForceName(%q) = %q, want %q", slug, got, want)
		}
	}
}

// TestForceLSOAs: each force's LSOAs are as many as its districts' LSOA
// counts in districts.csv say, each in one of them; every LSOA of England
// and Wales belongs to one force.
func TestForceLSOAs(t *testing.T) {
	tab, err := National()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for _, d := range tab.Districts {
		want[d.Force] += d.LSOAs
	}
	total := 0
	for force, n := range want {
		ls, err := tab.ForceLSOAs(force)
		if err != nil {
			t.Fatal(err)
		}
		if len(ls) != n {
			t.Errorf("%s: %d LSOAs, its districts have %d", force, len(ls), n)
		}
		for _, l := range ls {
			if d, ok := tab.District(l.District); !ok || d.Force != force {
				t.Errorf("%s: LSOA %s in district %q of another force", force, l.Code, l.District)
			}
		}
		total += len(ls)
	}
	if total != 34753 {
		t.Errorf("%d LSOAs over the forces, want the 34,753 of England and Wales", total)
	}
	if ls, _ := tab.ForceLSOAs("btp"); len(ls) != 0 {
		t.Errorf("British Transport Police polices %d LSOAs", len(ls))
	}
}
