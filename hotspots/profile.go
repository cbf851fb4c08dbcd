package hotspots

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/safercity/safercity/store"
)

// Profile is a named selection of crimes for hotspot analysis.
type Profile struct {
	Name string
	// Groups selects crimes in any of these groups of crimes_enriched:
	// violence, acquisitive, asb, nte, weapons.
	Groups []string
	// CrimeTypes selects crimes of these police.uk types (with Groups: either).
	CrimeTypes []string
	// Measure is "count" (each crime 1) or "harm" (each crime its harm weight).
	Measure string
	// NTEZones restricts the profile to crimes within ZoneRadius metres of a
	// premises licensed past LateAfter minutes after midnight on some day,
	// when the premises feed is loaded.
	NTEZones   bool
	ZoneRadius float64
	LateAfter  int
	// Incidents adds partner-feed incidents (time-stamped, located) that
	// fall in the night window: on NightDays, from NightFrom to NightTo
	// minutes after midnight local time, an event after midnight belonging
	// to the previous evening's night.
	Incidents          bool
	NightDays          []time.Weekday
	NightFrom, NightTo int
}

// nightWindow is the SQL condition on incidents (alias i) for the profile's
// night window.
func (p Profile) nightWindow() string {
	var days []string
	for _, d := range p.NightDays {
		days = append(days, fmt.Sprint(int(d))) // DuckDB's dayofweek: Sunday 0 … Saturday 6
	}
	if len(days) == 0 {
		return "false"
	}
	minute := "(hour(i.occurred_local) * 60 + minute(i.occurred_local))"
	if p.NightFrom < p.NightTo {
		// Within one day, e.g. 18:00–23:00: that day's clock as it is.
		return fmt.Sprintf("%s >= %d AND %s < %d AND dayofweek(i.occurred_local) IN (%s)",
			minute, p.NightFrom, minute, p.NightTo, strings.Join(days, ", "))
	}
	// Across midnight: shifting the clock back by NightTo puts the small
	// hours on the evening they follow.
	return fmt.Sprintf("(%s >= %d OR %s < %d) AND dayofweek(i.occurred_local - INTERVAL %d MINUTE) IN (%s)",
		minute, p.NightFrom, minute, p.NightTo, p.NightTo, strings.Join(days, ", "))
}

var groupColumns = map[string]bool{"violence": true, "acquisitive": true, "asb": true, "nte": true, "weapons": true}

// where returns the SQL condition on crimes_enriched (alias c) selecting the
// profile; group names are checked against the columns, types are bound.
func (p Profile) where() (string, []any, error) {
	var or []string
	var args []any
	for _, g := range p.Groups {
		if !groupColumns[g] {
			return "", nil, fmt.Errorf("profile %s: unknown group %q (want violence, acquisitive, asb, nte or weapons)", p.Name, g)
		}
		or = append(or, "c."+g)
	}
	if len(p.CrimeTypes) > 0 {
		in, a := inList("c.crime_type", p.CrimeTypes)
		or, args = append(or, in), append(args, a...)
	}
	if len(or) == 0 {
		return "", nil, fmt.Errorf("profile %s selects nothing: give groups or crime_types", p.Name)
	}
	switch p.Measure {
	case "count", "harm":
	default:
		return "", nil, fmt.Errorf("profile %s: measure %q: want count or harm", p.Name, p.Measure)
	}
	return "(" + strings.Join(or, " OR ") + ")", args, nil
}

// NoteMissingFeeds says in each result's notes when a partner feed the
// profile is defined with is not loaded, so that "nte" without premises is
// not read as crime near late-licensed premises.
func NoteMissingFeeds(ctx context.Context, st *store.Store, p Profile, res []Result) error {
	premises, incidents, err := loadedFeeds(ctx, st)
	if err != nil {
		return err
	}
	var notes []string
	if p.NTEZones && premises == 0 {
		notes = append(notes, fmt.Sprintf("no licensed premises feed is loaded: this is every crime of the profile's types, not only those within %g m of premises open late", p.ZoneRadius))
	}
	if p.Incidents && incidents == 0 {
		notes = append(notes, "no partner incidents feed is loaded: police.uk crimes only")
	}
	for i := range res {
		res[i].Notes = append(res[i].Notes, notes...)
	}
	return nil
}

// inList is the SQL condition col IN (vals…) and its arguments.
func inList(col string, vals []string) (string, []any) {
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	return col + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ") + ")", args
}
