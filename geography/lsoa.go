package geography

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"sync"

	"github.com/safercity/safercity/data"
)

var lsoaDistricts = sync.OnceValues(func() (map[string]string, error) {
	rows, err := csv.NewReader(bytes.NewReader(data.LSOALookup)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("data/lookups/lsoa_lad.csv: %w", err)
	}
	m := make(map[string]string, len(rows))
	for _, r := range rows[1:] {
		m[r[0]] = r[3]
	}
	return m, nil
})

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
