package indexstage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/safercity/safercity/geography"
	"github.com/safercity/safercity/index"
	"github.com/safercity/safercity/store"
)

// ErrNoData is returned for a month without enriched crimes; the error
// names the months that have them.
var ErrNoData = errors.New("no enriched crimes for the month")

// ErrTooThin is returned when fewer than three units of a month can be
// scored: loading or transforming again will not change that, so a
// scheduler should not retry.
var ErrTooThin = errors.New("too few units to compare")

// districtCrimes is what one force recorded in one district in a month.
type districtCrimes struct {
	force         string
	crimes, lsoas int
}

// coverage says which districts of a month take part and why the others
// do not, and which units can be scored.
type coverage struct {
	units    []geography.Unit // scored, sorted by name
	excluded []index.Exclusion
	notes    []string
}

// monthsWithData lists the months that have enriched crimes, as YYYY-MM.
func monthsWithData(ctx context.Context, st *store.Store) ([]string, error) {
	return st.Strings(ctx, `SELECT DISTINCT strftime(month, '%Y-%m') AS m FROM crimes_enriched ORDER BY m`)
}

// checkMonth returns ErrNoData, naming the months that have data, when the
// month has no enriched crimes.
func checkMonth(ctx context.Context, st *store.Store, month time.Time) error {
	if has, err := hasCrime(ctx, st, month); err != nil || has {
		return err
	}
	months, err := monthsWithData(ctx, st)
	if err != nil {
		return err
	}
	if len(months) == 0 {
		return fmt.Errorf("%w %s: nothing is enriched yet; run safercity ingest police and safercity transform", ErrNoData, month.Format("2006-01"))
	}
	return fmt.Errorf("%w %s; months with data: %s", ErrNoData, month.Format("2006-01"), strings.Join(months, ", "))
}

// recorded returns, per district named in crimes_enriched for the month,
// what each force recorded there.
func recorded(ctx context.Context, st *store.Store, month time.Time) (map[string][]districtCrimes, error) {
	rows, err := st.DB.QueryContext(ctx, `SELECT lad_name, force, count(*), count(DISTINCT lsoa_code)
		FROM crimes_enriched WHERE month = ? AND lad_name IS NOT NULL GROUP BY ALL ORDER BY 1, 3 DESC, 2`, month)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]districtCrimes{}
	for rows.Next() {
		var lad string
		var c districtCrimes
		if err := rows.Scan(&lad, &c.force, &c.crimes, &c.lsoas); err != nil {
			return nil, err
		}
		out[lad] = append(out[lad], c)
	}
	return out, rows.Err()
}

// districtReason returns why a district cannot take part in a month, or ""
// when it can: the data of the force that polices it must cover at least
// share of its LSOAs. A district seen only through a neighbouring force's
// border crimes would otherwise be scored as if it had almost no crime.
func districtReason(geo *geography.Table, lad string, by []districtCrimes, share float64, month string) string {
	d, ok := geo.District(lad)
	if !ok {
		return "is not a district of England and Wales in the bundled lookup (data/lookups/districts.csv), so it has no population or boundary"
	}
	own := geography.ForceName(d.Force)
	var parts []string
	for _, c := range by {
		if c.force == d.Force {
			if float64(c.lsoas) >= share*float64(d.LSOAs) {
				return ""
			}
			return fmt.Sprintf("has %s's data (the force that polices it) for only %d of its %d LSOAs in %s, fewer than %.0f%%",
				own, c.lsoas, d.LSOAs, month, 100*share)
		}
		noun := "crimes"
		if c.crimes == 1 {
			noun = "crime"
		}
		parts = append(parts, fmt.Sprintf("%d %s (%s, in %d of its %d LSOAs)", c.crimes, noun, geography.ForceName(c.force), c.lsoas, d.LSOAs))
	}
	return fmt.Sprintf("has no data from %s, the force that polices it, for %s; other forces recorded %s there", own, month, strings.Join(parts, ", "))
}

// noData says that none of a unit's districts has police data, naming the
// forces that police them.
func noData(geo *geography.Table, u geography.Unit, month string) string {
	var forces []string
	for _, name := range u.Districts {
		if d, ok := geo.District(name); ok && !slices.Contains(forces, geography.ForceName(d.Force)) {
			forces = append(forces, geography.ForceName(d.Force))
		}
	}
	return fmt.Sprintf("has no police data for %s: load %s's data", month, strings.Join(forces, " and "))
}

// unloadedNote says how many districts have no crime at all in the month
// and which forces, not loaded, police them; a district whose force is
// loaded but recorded nothing there (the Isles of Scilly in a quiet month)
// is named apart, since loading more data would not help it.
func unloadedNote(geo *geography.Table, districts []string, seen map[string][]districtCrimes, month string) string {
	loaded := map[string]bool{}
	for _, by := range seen {
		for _, c := range by {
			loaded[c.force] = true
		}
	}
	var forces, quiet []string
	for _, name := range districts {
		d, ok := geo.District(name)
		switch {
		case !ok:
		case loaded[d.Force]:
			quiet = append(quiet, name)
		case !slices.Contains(forces, geography.ForceName(d.Force)):
			forces = append(forces, geography.ForceName(d.Force))
		}
	}
	sort.Strings(forces)
	note := fmt.Sprintf("%d districts are not compared: no crime in %s is stored for them", len(districts), month)
	if len(forces) > 0 {
		note += fmt.Sprintf("; load the data of the forces that police them (%s)", strings.Join(forces, ", "))
	}
	if len(quiet) > 0 {
		note += fmt.Sprintf("; %s recorded no crime in %s although %s force's data is loaded", strings.Join(quiet, ", "), month, plural(len(quiet), "its", "their"))
	}
	return note
}

// chooseUnits decides, for one month, which units of the set are scored:
// every district of the unit must take part, and the unit needs at least
// MinCrimes crimes. Everything left out is returned with its reason.
func chooseUnits(ctx context.Context, st *store.Store, month time.Time, cfg Config, set *geography.UnitSet, geo *geography.Table) (*coverage, error) {
	seen, err := recorded(ctx, st, month)
	if err != nil {
		return nil, err
	}
	m := month.Format("2006-01")
	cov := &coverage{}
	reasons := map[string]string{} // district → why it cannot take part
	crimes := map[string]int{}
	for lad, by := range seen {
		for _, c := range by {
			crimes[lad] += c.crimes
		}
		if r := districtReason(geo, lad, by, cfg.Coverage, m); r != "" {
			reasons[lad] = r
		}
		if _, ok := set.UnitOf(lad); !ok {
			r := reasons[lad]
			if r == "" {
				r = fmt.Sprintf("is not in any unit of the %s set (%d crimes in %s)", set.Name, crimes[lad], m)
			}
			cov.excluded = append(cov.excluded, index.Exclusion{Unit: lad, Districts: []string{lad}, Reason: r})
		}
	}
	var unloaded []string // districts without any crime: their force is not loaded
	wanted := map[string]bool{}
	for _, u := range cfg.Units {
		wanted[u] = true
	}
	for _, u := range set.Units {
		var why []string
		n, present := 0, 0
		for _, d := range u.Districts {
			n += crimes[d]
			if _, ok := seen[d]; ok {
				present++
			}
			switch r := reasons[d]; {
			case r != "" && len(u.Districts) == 1:
				why = append(why, r)
			case r != "":
				why = append(why, "has the district "+d+", which "+r)
			}
		}
		switch {
		case present == 0 && set.Name == "districts":
			unloaded = append(unloaded, u.Name) // said in one note, not 200 exclusions
			continue
		case present == 0:
			why = []string{noData(geo, u, m)}
		case len(wanted) > 0 && !wanted[u.Name]:
			why = []string{"is not among the units listed in index.units of the configuration"}
		case len(why) == 0 && present < len(u.Districts):
			why = []string{fmt.Sprintf("has police data for %s in only %d of its %d districts", m, present, len(u.Districts))}
		case len(why) == 0 && n < cfg.MinCrimes:
			why = []string{fmt.Sprintf("has %d crimes in %s, fewer than index.min_crimes (%d)", n, m, cfg.MinCrimes)}
		}
		if len(why) > 0 {
			cov.excluded = append(cov.excluded, index.Exclusion{Unit: u.Name, Districts: u.Districts, Reason: strings.Join(why, "; ")})
			continue
		}
		cov.units = append(cov.units, u)
	}
	if len(unloaded) > 0 {
		cov.notes = append(cov.notes, unloadedNote(geo, unloaded, seen, m))
	}
	sort.Slice(cov.units, func(i, j int) bool { return cov.units[i].Name < cov.units[j].Name })
	sort.Slice(cov.excluded, func(i, j int) bool { return cov.excluded[i].Unit < cov.excluded[j].Unit })
	if len(cov.units) < 3 {
		names := make([]string, len(cov.units))
		for i, u := range cov.units {
			names[i] = u.Name
		}
		return cov, fmt.Errorf("%w in %s: %d unit(s) (%s) have their own force's data covering most of their LSOAs and at least %d crimes; a comparison needs three or more: load more forces, or check --units",
			ErrTooThin, m, len(cov.units), strings.Join(names, ", "), cfg.MinCrimes)
	}
	return cov, nil
}
