package mapdb

import (
	"github.com/safercity/safercity/disclosure"
	"github.com/safercity/safercity/maps"
)

// disclose releases a map's partner incidents through the disclosure
// policy: a cell or area holding a few is left out, the others carry the
// rounded count and a measure built from it, and the map's attribution
// says so. Load applies it to every map it returns, so that no caller can
// forget to (it reads the "incidents" and "measure" attributes Load
// writes).
func disclose(pol disclosure.Policy, m *maps.Map) {
	rep := pol.NewReport("cells or areas")
	partner := false
	kept := m.Features[:0]
	for _, f := range m.Features {
		n, ok := property(f, "incidents").(int64)
		if !ok || n == 0 {
			kept = append(kept, f)
			continue
		}
		partner = true
		c := rep.Release(n)
		if c.Withheld {
			continue
		}
		for i, p := range f.Properties {
			switch p.Name {
			case "incidents":
				f.Properties[i].Value = c.Value
			case "measure":
				if v, ok := p.Value.(float64); ok {
					f.Properties[i].Value, _ = pol.Including(v, n)
				}
			}
		}
		kept = append(kept, f)
	}
	m.Features = kept
	if partner {
		m.Attribution = append(m.Attribution, rep.String())
	}
}

func property(f maps.Feature, name string) any {
	for _, p := range f.Properties {
		if p.Name == name {
			return p.Value
		}
	}
	return nil
}
