// Package enrich places each police.uk crime in the terms UK analysts and
// planners work in: British National Grid metres, a grid cell and its OS
// grid reference, its LSOA, local authority district and comparison unit,
// its profile groups and its harm weight. It works on plain values; the
// transform stage reads and writes the tables.
package enrich

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/paulmach/orb"

	"github.com/safercity/safercity/bng"
	"github.com/safercity/safercity/geography"
	"github.com/safercity/safercity/transform/area"
	"github.com/safercity/safercity/transform/grid"
)

// Category is what a police.uk crime type counts towards.
type Category struct {
	Violence, Acquisitive, ASB, NTE, Weapons bool
	Harm                                     float64 // harm weight per crime
}

// Categories maps crime types, as police.uk spells them, to categories.
type Categories map[string]Category

// ReadCategories reads a categories table: a CSV with the header
// crime_type,violence,acquisitive,asb,nte,weapons,harm (more columns, such as
// the basis of the harm weight, are ignored).
func ReadCategories(r io.Reader) (Categories, error) {
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("categories: %w", err)
	}
	if len(rows) < 2 {
		return nil, errors.New("categories: no rows")
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))] = i
	}
	for _, h := range []string{"crime_type", "violence", "acquisitive", "asb", "nte", "weapons", "harm"} {
		if _, ok := col[h]; !ok {
			return nil, fmt.Errorf("categories: header lacks %q (want crime_type,violence,acquisitive,asb,nte,weapons,harm)", h)
		}
	}
	cats := Categories{}
	for n, row := range rows[1:] {
		line := n + 2
		flag := func(name string) (bool, error) {
			v, err := strconv.ParseBool(strings.TrimSpace(row[col[name]]))
			if err != nil {
				return false, fmt.Errorf("categories line %d: %s %q is not true or false", line, name, row[col[name]])
			}
			return v, nil
		}
		var c Category
		var err error
		for _, f := range []struct {
			name string
			dst  *bool
		}{{"violence", &c.Violence}, {"acquisitive", &c.Acquisitive}, {"asb", &c.ASB}, {"nte", &c.NTE}, {"weapons", &c.Weapons}} {
			if *f.dst, err = flag(f.name); err != nil {
				return nil, err
			}
		}
		c.Harm, err = strconv.ParseFloat(strings.TrimSpace(row[col["harm"]]), 64)
		// At most maxHarm: the index sums harm exactly, to six decimals,
		// in DECIMAL(38, 6), which a weight beyond it could overflow.
		if err != nil || !(c.Harm >= 0 && c.Harm <= maxHarm) {
			return nil, fmt.Errorf("categories line %d: harm %q is not a number from 0 to %g (days, as the Cambridge Crime Harm Index counts them)", line, row[col["harm"]], maxHarm)
		}
		cats[strings.TrimSpace(row[col["crime_type"]])] = c
	}
	return cats, nil
}

// maxHarm is the largest harm weight accepted: a thousand years in days,
// far above the Cambridge Crime Harm Index's largest (homicide, 5,475).
const maxHarm = 365_000.0

// Units maps local authority districts to comparison units.
type Units map[string]string

// ReadUnits reads the units file: YAML with a list `units` of {name, lads},
// each lad a district of England and Wales (see geography.ReadUnitSet).
func ReadUnits(r io.Reader) (Units, error) {
	set, err := districts().ReadUnitSet("transform.units", r)
	if err != nil {
		return nil, err
	}
	u := Units{}
	for _, unit := range set.Units {
		for _, lad := range unit.Districts {
			u[lad] = unit.Name
		}
	}
	return u, nil
}

// Unit returns the unit of a district: the one it is listed in, else the
// district itself.
func (u Units) Unit(lad string) string {
	if name, ok := u[lad]; ok {
		return name
	}
	return lad
}

// Lookup maps LSOA codes to local authority district names.
type Lookup map[string]string

// ReadLookup reads a CSV with columns lsoa_code and lad_name.
func ReadLookup(r io.Reader) (Lookup, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("lsoa lookup: %w", err)
	}
	code, name := -1, -1
	for i, h := range header {
		switch strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")) {
		case "lsoa_code":
			code = i
		case "lad_name":
			name = i
		}
	}
	if code < 0 || name < 0 {
		return nil, errors.New("lsoa lookup: header needs lsoa_code and lad_name")
	}
	l := Lookup{}
	for {
		row, err := cr.Read()
		if err == io.EOF {
			return l, nil
		}
		if err != nil {
			return nil, fmt.Errorf("lsoa lookup: %w", err)
		}
		l[row[code]] = row[name]
	}
}

// Crime is what enrichment needs of a published crime. Coordinates absent
// from the file are NaN; 2011 files give easting and northing instead of
// longitude and latitude.
type Crime struct {
	Longitude, Latitude float64
	Easting, Northing   float64
	LSOACode, LSOAName  string
	CrimeType           string
}

// Enriched is a crime placed on the grid and in areas.
type Enriched struct {
	Located             bool // has a location on the grid
	Longitude, Latitude float64
	Easting, Northing   float64
	Cell                grid.Cell
	LSOACode, LSOAName  string
	LADName, Unit       string
	Category            Category
	KnownType           bool // the crime type is in the categories table
}

// Enricher enriches crimes. It is safe for concurrent use.
type Enricher struct {
	Grid       grid.Grid
	Categories Categories
	Units      Units
	Lookup     Lookup
	// LSOA and LAD are optional boundary layers: they give the LSOA and the
	// district of a located crime whose file has none (the 2011 files).
	LSOA, LAD *area.Layer
}

// Enrich places one crime: Locate, then District of its LSOA and the
// category of its type. The transform stage calls the parts itself,
// District once per LSOA.
func (e *Enricher) Enrich(c Crime) Enriched {
	out := e.Locate(c)
	out.LADName, out.Unit = e.District(out.LSOACode, out.LSOAName, out.LADName)
	out.Category, out.KnownType = e.Categories[c.CrimeType]
	return out
}

// Locate places a crime on the grid: both coordinate pairs, the cell, and
// for a located crime whose file gives no LSOA, the LSOA (and failing that
// the district) of the boundary layers that contain it. It leaves
// Unit, Category and, when the file gives an LSOA, LADName empty.
func (e *Enricher) Locate(c Crime) Enriched {
	out := Enriched{
		Longitude: c.Longitude, Latitude: c.Latitude,
		Easting: c.Easting, Northing: c.Northing,
		LSOACode: c.LSOACode, LSOAName: c.LSOAName,
	}
	switch {
	case !math.IsNaN(c.Longitude) && !math.IsNaN(c.Latitude):
		out.Easting, out.Northing = bng.ToBNG(c.Longitude, c.Latitude)
		out.Located = true
	case !math.IsNaN(c.Easting) && !math.IsNaN(c.Northing):
		out.Longitude, out.Latitude = bng.ToWGS84(c.Easting, c.Northing)
		out.Located = true
	}
	if !out.Located {
		return out
	}
	out.Cell = e.Grid.CellOf(out.Easting, out.Northing)
	if out.LSOACode != "" {
		return out
	}
	p := orb.Point{out.Easting, out.Northing}
	if e.LSOA != nil {
		if f, ok := e.LSOA.Locate(p); ok {
			out.LSOACode, out.LSOAName = f.Code, f.Name
		}
	}
	if e.LAD != nil && out.LSOACode == "" {
		if f, ok := e.LAD.Locate(p); ok {
			out.LADName = f.Name
		}
	}
	return out
}

// District returns the district and comparison unit of a crime in the
// LSOA given: lad when a boundary layer gave it, else the lookup's
// district of the code, else the district the LSOA's name starts with.
func (e *Enricher) District(lsoaCode, lsoaName, lad string) (string, string) {
	if lad == "" && lsoaCode != "" {
		lad = e.Lookup[lsoaCode]
	}
	if lad == "" {
		lad = area.LADFromLSOAName(lsoaName)
	}
	// Boundary layers and LSOA names may use an older district's name.
	lad = districts().Current(lad)
	if lad == "" {
		return "", ""
	}
	return lad, e.Units.Unit(lad)
}

// districts is the national table of districts, embedded in the binary: a
// failure to read it is a broken build, not a user's error.
var districts = sync.OnceValue(func() *geography.Table {
	t, err := geography.National()
	if err != nil {
		panic("embedded data/lookups/districts.csv: " + err.Error())
	}
	return t
})
