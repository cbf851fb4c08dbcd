package hotspots

import (
	"fmt"

	"github.com/safercity/safercity/geography"
)

// Area statistics: the profile's crime per LSOA of the districts the force
// polices (the bundled ONS lookup) and per district, as rates per 1,000
// residents (raw, Empirical Bayes, excess risk) and as change against
// earlier months. The areas are the force's by geography, not by where it
// happened to record crime, so an area without crime counts as 0 and the
// force's crimes beyond its districts are reported, not spread.

// addAreaStats computes the force's area statistics into r.
func (r *Result) addAreaStats(o Options, fc *forceAreaCounts, pop population) error {
	rs, cs, notes, err := areaStats(o, r.Force, fc, pop)
	if err != nil {
		return err
	}
	r.Notes = append(r.Notes, notes...)
	r.Rates, r.Changes = rs, cs
	return nil
}

// areaStats computes one force's rates, forecasts and changes, with notes
// on what could not be computed; without a district in the bundled
// geography (British Transport Police) it returns only a note.
func areaStats(o Options, force string, fc *forceAreaCounts, pop population) ([]AreaRates, []AreaChanges, []string, error) {
	geo, err := geography.National()
	if err != nil {
		return nil, nil, nil, err
	}
	lsoas, err := geo.ForceLSOAs(force)
	if err != nil || len(lsoas) == 0 {
		return nil, nil, []string{fmt.Sprintf("area rates and change: force %s polices no district of the bundled geography (data/lookups/districts.csv), so it has no LSOAs to rate", force)}, err
	}
	if fc == nil {
		fc = &forceAreaCounts{byCode: map[string]*areaCounts{}}
	}
	lsoaRows, elsewhere := lsoaAreaRows(lsoas, fc, pop)
	districtRows := districtAreaRows(geo, lsoas, lsoaRows, pop)
	have := func(k int) bool { return fc.have[k] }
	var rs []AreaRates
	var cs []AreaChanges
	var notes []string
	history := fc.consecutive()
	for _, l := range []struct {
		name string
		rows []areaRow
	}{{"lsoa", lsoaRows}, {"district", districtRows}} {
		r, err := areaRates(l.name, l.rows, pop.year, elsewhere)
		if err != nil {
			return nil, nil, nil, err
		}
		f, next, note := areaForecast(l.name, l.rows, o.Month, history)
		if note != "" {
			notes = append(notes, note)
		}
		r.Forecast = f
		for i := range r.Areas {
			r.Areas[i].Forecast = forecastOr(next, i)
		}
		c, err := areaChanges(l.name, l.rows, o.Month, have, o.Alpha)
		if err != nil {
			return nil, nil, nil, err
		}
		rs, cs = append(rs, r), append(cs, c...)
	}
	return rs, cs, notes, nil
}

// lsoaAreaRows returns the rows of the force's LSOAs and the profile's
// crimes of the month it recorded in none of them.
func lsoaAreaRows(lsoas []geography.LSOA, fc *forceAreaCounts, pop population) ([]areaRow, int64) {
	rows := make([]areaRow, len(lsoas))
	own := make(map[string]bool, len(lsoas))
	for i, l := range lsoas {
		own[l.Code] = true
		r := areaRow{code: l.Code, name: l.Name}
		if a := fc.byCode[l.Code]; a != nil {
			r.areaCounts = *a
		}
		r.population, r.popReason = residents(pop, l.Code, "LSOA")
		rows[i] = r
	}
	var elsewhere int64
	for code, a := range fc.byCode {
		if !own[code] {
			elsewhere += a.crimes[0]
		}
	}
	return rows, elsewhere
}

// residents returns an area's residents, or 0 and the reason.
func residents(pop population, code, what string) (float64, string) {
	if pop.year == 0 {
		return 0, "no rate: no population feed is loaded; load one (kind population, e.g. the ONS mid-year LSOA estimates) with `safercity ingest feed`"
	}
	if n, ok := pop.residents[code]; ok && n > 0 {
		return n, ""
	}
	return 0, fmt.Sprintf("no rate: the population feed has no residents for this %s in %d", what, pop.year)
}

// districtAreaRows sums the LSOA rows into the force's districts. A
// district's residents are the feed's figure for it, else the sum over its
// LSOAs when the feed has every one.
func districtAreaRows(geo *geography.Table, lsoas []geography.LSOA, lsoaRows []areaRow, pop population) []areaRow {
	var out []areaRow
	index := map[string]int{}
	missing := map[string]int{}
	total := map[string]int{}
	for i, l := range lsoas {
		k, ok := index[l.District]
		if !ok {
			code := l.District
			if d, ok := geo.District(l.District); ok {
				code = d.Code
			}
			k = len(out)
			index[l.District] = k
			out = append(out, areaRow{code: code, name: l.District})
		}
		d, r := &out[k], lsoaRows[i]
		d.add(r.areaCounts)
		d.population += r.population
		total[l.District]++
		if r.population == 0 {
			missing[l.District]++
		}
	}
	for i := range out {
		d := &out[i]
		n, reason := residents(pop, d.code, "district")
		switch {
		case n > 0:
			d.population = n
		case missing[d.name] > 0 && pop.year > 0:
			d.population, d.popReason = 0, fmt.Sprintf("no rate: the population feed has residents for %d of its %d LSOAs in %d, and none for the district",
				total[d.name]-missing[d.name], total[d.name], pop.year)
		case missing[d.name] > 0:
			d.population, d.popReason = 0, reason
		}
	}
	return out
}
