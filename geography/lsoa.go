package geography

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"sync"

	"github.com/safercity/safercity/data"
)

// LSOA is a 2011 Lower layer Super Output Area of the bundled lookup.
type LSOA struct {
	Code, Name string
	District   string // its current district's name
}

// lsoas reads the bundled lookup, in its order (by code).
var lsoas = sync.OnceValues(func() ([]LSOA, error) {
	rows, err := csv.NewReader(bytes.NewReader(data.LSOALookup)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("data/lookups/lsoa_lad.csv: %w", err)
	}
	out := make([]LSOA, 0, len(rows))
	for _, r := range rows[1:] {
		out = append(out, LSOA{Code: r[0], Name: r[1], District: r[3]})
	}
	return out, nil
})

var lsoaDistricts = sync.OnceValues(func() (map[string]string, error) {
	all, err := lsoas()
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(all))
	for _, l := range all {
		m[l.Code] = l.District
	}
	return m, nil
})

// ForceLSOAs returns the 2011 LSOAs of the districts a force polices (by
// police.uk slug), in code order; none for a force that polices no district
// (British Transport Police).
func (t *Table) ForceLSOAs(force string) ([]LSOA, error) {
	t.byForceOnce.Do(func() {
		all, err := lsoas()
		if err != nil {
			t.byForceErr = err
			return
		}
		t.byForce = map[string][]LSOA{}
		for _, l := range all {
			if d, ok := t.District(l.District); ok {
				t.byForce[d.Force] = append(t.byForce[d.Force], l)
			}
		}
	})
	return t.byForce[force], t.byForceErr
}

// DistrictOfLSOA returns the current district of an LSOA: from the bundled
// lookup of 2011 LSOAs, else from the district part of its name ("Camden
// 024C", also for 2021 LSOAs), or "" when neither tells.
func (t *Table) DistrictOfLSOA(code, name string) (string, error) {
	m, err := lsoaDistricts()
	if err != nil {
		return "", err
	}
	if d, ok := m[code]; ok {
		return d, nil
	}
	name = strings.TrimSpace(name)
	i := strings.LastIndexByte(name, ' ')
	if i < 0 {
		return "", nil
	}
	if d := t.Current(name[:i]); t.Check(d) == nil {
		return d, nil
	}
	return "", nil
}
