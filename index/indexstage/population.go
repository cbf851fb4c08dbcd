package indexstage

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/safercity/safercity/geography"
	"github.com/safercity/safercity/store"
)

type unitPopulation struct{ residents, workday float64 }

// feedPopulation is what the population feed gives for one district.
type feedPopulation struct {
	district, lsoa unitPopulation
	lsoas          int // LSOA rows with residents
}

// population gives each unit its residents and workday population. The
// residents are the bundled ONS mid-2019 estimates of its districts; a
// population feed, where loaded, replaces them district by district: its
// district rows, or its LSOA rows when they cover every LSOA of the
// district (a partial cover would undercount). Workday population comes
// only from a feed.
func population(ctx context.Context, st *store.Store, month time.Time, units []geography.Unit, geo *geography.Table) (map[string]unitPopulation, []string, error) {
	feed, unplaced, err := populationFeed(ctx, st, month, geo)
	if err != nil {
		return nil, nil, err
	}
	out := map[string]unitPopulation{}
	var fromFeed, partial []string
	for _, u := range units {
		var p unitPopulation
		for _, name := range u.Districts {
			d, _ := geo.District(name)
			q := unitPopulation{residents: d.Residents}
			f := feed[name]
			switch {
			case f.district.residents > 0:
				q.residents = f.district.residents
			case f.lsoa.residents > 0 && f.lsoas >= d.LSOAs:
				q.residents = f.lsoa.residents
			case f.lsoas > 0:
				partial = append(partial, fmt.Sprintf("%s (%d of %d LSOAs)", name, f.lsoas, d.LSOAs))
			}
			if q.residents != d.Residents {
				fromFeed = append(fromFeed, name)
			}
			q.workday = f.district.workday
			if q.workday == 0 && f.lsoas >= d.LSOAs {
				q.workday = f.lsoa.workday
			}
			p.residents += q.residents
			p.workday += q.workday
		}
		out[u.Name] = p
	}
	notes := []string{"residents are ONS mid-2019 estimates (bundled, data/lookups/districts.csv) unless a population feed gives them"}
	if len(fromFeed) > 0 {
		sort.Strings(fromFeed)
		notes[0] += fmt.Sprintf("; the population feed gives them for %s", strings.Join(fromFeed, ", "))
	}
	if len(partial) > 0 {
		sort.Strings(partial)
		notes = append(notes, "the population feed covers only part of "+strings.Join(partial, ", ")+
			", so the bundled estimate is used there: a partial sum would undercount")
	}
	if len(unplaced) > 0 {
		notes = append(notes, unplacedNote(unplaced))
	}
	return out, notes, nil
}

// unplacedNote says which rows of the population feed were left out
// because no district could be found for them, rather than let a unit's
// residents silently fall back to the bundled estimate.
func unplacedNote(areas []string) string {
	sort.Strings(areas)
	eg := areas[:min(len(areas), 5)]
	return fmt.Sprintf("%d areas of the population feed were left out because they name no district of England and Wales (%s): a district row needs a district's name (data/lookups/districts.csv), an LSOA row a 2011 LSOA code or a name as police.uk writes it (\"Camden 024C\")",
		len(areas), strings.Join(eg, "; "))
}

// populationFeed sums the population feed's latest rows up to the month's
// year per district: district rows by name, LSOA rows through the lookup.
// It also returns the areas (code and name) whose district it cannot tell.
func populationFeed(ctx context.Context, st *store.Store, month time.Time, geo *geography.Table) (map[string]feedPopulation, []string, error) {
	rows, err := st.DB.QueryContext(ctx, `
		WITH latest AS (
			SELECT area_code, area_type, max(year) AS year FROM population WHERE year <= ? GROUP BY ALL)
		SELECT p.area_code, coalesce(p.area_name, ''), p.area_type,
			coalesce(max(p.residents), 0), coalesce(max(p.workday_population), 0)
		FROM population p JOIN latest l USING (area_code, area_type, year)
		GROUP BY ALL`, month.Year())
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	out := map[string]feedPopulation{}
	var unplaced []string
	for rows.Next() {
		var code, name, typ string
		var p unitPopulation
		if err := rows.Scan(&code, &name, &typ, &p.residents, &p.workday); err != nil {
			return nil, nil, err
		}
		if typ == "lad" {
			d := geo.Current(name)
			if geo.Check(d) != nil {
				unplaced = append(unplaced, code+" "+name)
				continue
			}
			f := out[d]
			f.district.residents += p.residents
			f.district.workday += p.workday
			out[d] = f
			continue
		}
		d, err := geo.DistrictOfLSOA(code, name)
		if err != nil {
			return nil, nil, err
		}
		if d == "" {
			unplaced = append(unplaced, code+" "+name)
			continue
		}
		f := out[d]
		f.lsoa.residents += p.residents
		f.lsoa.workday += p.workday
		if p.residents > 0 {
			f.lsoas++
		}
		out[d] = f
	}
	return out, unplaced, rows.Err()
}
