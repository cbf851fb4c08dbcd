// Package geography owns SaferCity's national geography: the local authority
// districts of England and Wales as in force from April 2023, with their
// residents, areas and former names, and the sets of comparison units made
// of them. It is pure Go; the tables come from package data (see
// data/README.md for sources and vintages).
package geography

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/safercity/safercity/data"
	"github.com/safercity/safercity/internal/names"
)

// District is one local authority district.
type District struct {
	Code, Name string
	Country    string  // England or Wales
	Residents  float64 // ONS mid-2019 estimate, summed over its 2011 LSOAs
	// AreaKm2 is the area of its generalised boundary; NaN for Welsh
	// districts, which the bundled boundaries do not cover.
	AreaKm2 float64
	LSOAs   int      // 2011 LSOAs in it
	Force   string   // the police force that polices it, as police.uk's slug ("leicestershire")
	Former  []string // names of the districts merged into it, and spellings used in LSOA names
}

// forceNames are the police.uk force slugs whose readable name is not the
// slug's words capitalised.
var forceNames = map[string]string{
	"metropolitan": "Metropolitan Police Service",
	"dyfed-powys":  "Dyfed-Powys",
	"btp":          "British Transport Police",
}

// ForceName turns a police.uk force slug into a readable name
// ("avon-and-somerset" → "Avon and Somerset", "metropolitan" →
// "Metropolitan Police Service").
func ForceName(slug string) string {
	if n, ok := forceNames[slug]; ok {
		return n
	}
	words := strings.Split(slug, "-")
	for i, w := range words {
		if w != "and" && w != "of" && w != "" {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}

// Table is the list of districts.
type Table struct {
	Districts []District
	byName    map[string]int
	current   map[string]string // former name → current name
	// byForce holds ForceLSOAs' answers, made on first use.
	byForceOnce sync.Once
	byForce     map[string][]LSOA
	byForceErr  error
}

// ReadTable reads a districts CSV as data/lookups/districts.csv.
func ReadTable(r io.Reader) (*Table, error) {
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("districts: %w", err)
	}
	want := []string{"lad_code", "lad_name", "country", "residents_2019", "area_km2", "lsoas_2011", "force", "former_names"}
	if len(rows) < 2 || strings.Join(rows[0], ",") != strings.Join(want, ",") {
		return nil, fmt.Errorf("districts: want the header %s and a row per district", strings.Join(want, ","))
	}
	t := &Table{byName: map[string]int{}, current: map[string]string{}}
	for n, row := range rows[1:] {
		d, err := parseDistrict(row)
		if err != nil {
			return nil, fmt.Errorf("districts line %d: %w", n+2, err)
		}
		t.byName[d.Name] = len(t.Districts)
		t.Districts = append(t.Districts, d)
		for _, f := range d.Former {
			t.current[f] = d.Name
		}
	}
	return t, nil
}

func parseDistrict(row []string) (District, error) {
	d := District{Code: row[0], Name: row[1], Country: row[2], AreaKm2: math.NaN()}
	res, err := strconv.ParseFloat(row[3], 64)
	if err != nil || res <= 0 {
		return d, fmt.Errorf("residents %q is not a positive number", row[3])
	}
	d.Residents = res
	if row[4] != "" {
		if d.AreaKm2, err = strconv.ParseFloat(row[4], 64); err != nil || d.AreaKm2 <= 0 {
			return d, fmt.Errorf("area %q is not a positive number", row[4])
		}
	}
	if d.LSOAs, err = strconv.Atoi(row[5]); err != nil {
		return d, fmt.Errorf("LSOA count %q is not a number", row[5])
	}
	if d.Force = row[6]; d.Force == "" {
		return d, fmt.Errorf("%s has no police force", d.Name)
	}
	if row[7] != "" {
		for _, f := range strings.Split(row[7], ";") {
			d.Former = append(d.Former, strings.TrimSpace(f))
		}
	}
	return d, nil
}

var national = sync.OnceValues(func() (*Table, error) { return ReadTable(bytes.NewReader(data.Districts)) })

// National returns the bundled table of England and Wales's districts.
func National() (*Table, error) { return national() }

// Current returns the name of the district in force today for a district
// name of any vintage since 2011 ("Northampton" → "West Northamptonshire",
// "Bristol, City of" → "Bristol"); a name it does not know is returned as
// given.
func (t *Table) Current(name string) string {
	if c, ok := t.current[name]; ok {
		return c
	}
	return name
}

// District returns the named current district.
func (t *Table) District(name string) (*District, bool) {
	i, ok := t.byName[name]
	if !ok {
		return nil, false
	}
	return &t.Districts[i], true
}

// ErrUnknownName is wrapped by the errors for names that are not known.
var ErrUnknownName = errors.New("unknown name")

// Check returns nil when name is a current district, else an error that
// suggests the nearest name.
func (t *Table) Check(name string) error {
	if _, ok := t.byName[name]; ok {
		return nil
	}
	if c, ok := t.current[name]; ok {
		return fmt.Errorf("%w: %q is now part of the district %q", ErrUnknownName, name, c)
	}
	names := make([]string, len(t.Districts))
	for i, d := range t.Districts {
		names[i] = d.Name
	}
	return fmt.Errorf("%w: %q is not a district of England and Wales%s", ErrUnknownName, name, Suggest(name, names))
}

// Suggest returns ` (did you mean "X"?)` for the candidate nearest to name
// by edit distance, ignoring case, or "" when none is close.
func Suggest(name string, candidates []string) string {
	best, d := names.Closest(name, candidates)
	if d < 0 || d > max(3, len(name)/2) {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}
