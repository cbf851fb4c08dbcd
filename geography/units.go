package geography

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"

	"github.com/safercity/safercity/internal/regfile"

	"go.yaml.in/yaml/v3"

	"github.com/safercity/safercity/data"
)

// Unit is a comparison unit: one district or several.
type Unit struct {
	Name      string
	Districts []string
}

// UnitSet is a set of units, no district in two of them. A district in
// none is not compared.
type UnitSet struct {
	Name   string // "districts", "cities" or the file it was read from
	Units  []Unit
	unitOf map[string]int
}

// UnitOf returns the unit that holds a district.
func (s *UnitSet) UnitOf(district string) (*Unit, bool) {
	i, ok := s.unitOf[district]
	if !ok {
		return nil, false
	}
	return &s.Units[i], true
}

// Unit returns the named unit.
func (s *UnitSet) Unit(name string) (*Unit, bool) {
	for i := range s.Units {
		if s.Units[i].Name == name {
			return &s.Units[i], true
		}
	}
	return nil, false
}

// Check returns nil when name is a unit of the set, else an error that
// suggests the nearest name.
func (s *UnitSet) Check(name string) error {
	if _, ok := s.Unit(name); ok {
		return nil
	}
	names := make([]string, len(s.Units))
	for i, u := range s.Units {
		names[i] = u.Name
	}
	return fmt.Errorf("%w: %q is not a unit of the %s set%s", ErrUnknownName, name, s.Name, Suggest(name, names))
}

// DistrictUnits is the set in which every district is a unit of its own.
func (t *Table) DistrictUnits() *UnitSet {
	s := &UnitSet{Name: "districts", unitOf: map[string]int{}}
	for _, d := range t.Districts {
		s.unitOf[d.Name] = len(s.Units)
		s.Units = append(s.Units, Unit{Name: d.Name, Districts: []string{d.Name}})
	}
	return s
}

// ErrUnitSet is wrapped by the errors of LoadUnitSet.
var ErrUnitSet = errors.New("units")

// maxUnitSetBytes bounds a unit-set file, read whole: a list of units and
// their districts is a few kilobytes.
const maxUnitSetBytes = 16 << 20

// LoadUnitSet returns the set spec names: "districts", "cities" (the
// bundled data/units-cities.yaml) or a YAML file laid out like it.
func (t *Table) LoadUnitSet(spec string) (*UnitSet, error) {
	switch spec {
	case "", "districts":
		return t.DistrictUnits(), nil
	case "cities":
		return t.ReadUnitSet("cities", bytes.NewReader(data.CityUnits))
	}
	b, err := regfile.ReadFile(spec, maxUnitSetBytes)
	if err != nil {
		return nil, fmt.Errorf("%w: --units is districts, cities or a YAML file of units: %w%s", ErrUnitSet, err, Suggest(spec, []string{"districts", "cities"}))
	}
	return t.ReadUnitSet(spec, bytes.NewReader(b))
}

// ReadUnitSet reads units as YAML: a list `units` of {name, lads}, each lad
// a district of the table (a former district's name is taken as the
// district that absorbed it).
func (t *Table) ReadUnitSet(name string, r io.Reader) (*UnitSet, error) {
	var doc struct {
		Units []struct {
			Name string   `yaml:"name"`
			LADs []string `yaml:"lads"`
		} `yaml:"units"`
	}
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil && err != io.EOF {
		return nil, fmt.Errorf("%w %s: %w", ErrUnitSet, name, err)
	}
	s := &UnitSet{Name: name, unitOf: map[string]int{}}
	for _, u := range doc.Units {
		if u.Name == "" || len(u.LADs) == 0 {
			return nil, fmt.Errorf("%w %s: each unit needs a name and a list of lads (got %q with %d)", ErrUnitSet, name, u.Name, len(u.LADs))
		}
		if _, dup := s.Unit(u.Name); dup {
			return nil, fmt.Errorf("%w %s: the unit %q is listed twice", ErrUnitSet, name, u.Name)
		}
		unit := Unit{Name: u.Name}
		for _, lad := range u.LADs {
			d := t.Current(lad)
			if err := t.Check(d); err != nil {
				return nil, fmt.Errorf("%w %s, unit %q: %w", ErrUnitSet, name, u.Name, err)
			}
			if prev, ok := s.unitOf[d]; ok && prev != len(s.Units) {
				return nil, fmt.Errorf("%w %s: %s is in both %s and %s", ErrUnitSet, name, d, s.Units[prev].Name, u.Name)
			}
			s.unitOf[d] = len(s.Units)
			unit.Districts = append(unit.Districts, d)
		}
		sort.Strings(unit.Districts)
		unit.Districts = slices.Compact(unit.Districts)
		s.Units = append(s.Units, unit)
	}
	if len(s.Units) == 0 {
		return nil, fmt.Errorf("%w %s: no units listed", ErrUnitSet, name)
	}
	return s, nil
}
