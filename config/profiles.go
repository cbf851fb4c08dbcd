package config

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/safercity/safercity/hotspots"
	"github.com/safercity/safercity/internal/names"
)

// Profile is a hotspot profile as the profiles section writes it.
type Profile struct {
	Groups     []string `yaml:"groups"`
	CrimeTypes []string `yaml:"crime_types"`
	Measure    string   `yaml:"measure"`
	NTEZones   bool     `yaml:"nte_zones"`
	ZoneRadius float64  `yaml:"zone_radius"`
	LateAfter  string   `yaml:"late_after"`
	// Incidents adds partner incidents in the night window (nights
	// starting on NightDays, from NightFrom to NightTo local time).
	Incidents bool     `yaml:"incidents"`
	NightDays []string `yaml:"night_days"`
	NightFrom string   `yaml:"night_from"`
	NightTo   string   `yaml:"night_to"`
}

// builtinProfiles are the profiles every installation has. nte uses NTE
// zones — 100 m around premises licensed past 23:00 — once a premises feed
// is loaded, and adds partner incidents of Thursday to Sunday nights,
// 20:00–06:00, once an incidents feed is.
var builtinProfiles = map[string]Profile{
	"violence": {Groups: []string{"violence"}, Measure: "count"},
	"nte": {Groups: []string{"nte"}, Measure: "count", NTEZones: true, ZoneRadius: 100, LateAfter: "23:00",
		Incidents: true, NightDays: []string{"thu", "fri", "sat", "sun"}, NightFrom: "20:00", NightTo: "06:00"},
	"acquisitive": {Groups: []string{"acquisitive"}, Measure: "count"},
	"asb":         {Groups: []string{"asb"}, Measure: "count"},
	"harm":        {Groups: []string{"violence", "acquisitive", "nte", "weapons"}, Measure: "harm"},
}

// DefaultProfiles are the hotspot profiles the hotspots job computes when
// schedule.profiles names none.
var DefaultProfiles = []string{"nte", "violence"}

// HotspotOptions returns the configured options of a run of profile p.
func (c *Config) HotspotOptions(p hotspots.Profile) (hotspots.Options, error) {
	h := c.Hotspots
	o := hotspots.Options{Profile: p, CellSize: c.Transform.CellSize, Window: h.Window, Alpha: h.Alpha,
		TopShare: h.TopShare, Inputs: h.Inputs, TimeStep: h.TimeStep, Boundaries: h.Boundaries}
	switch h.Emerging {
	case "", "space-time":
	case "spatial":
		o.SpatialOnly = true
	default:
		return o, notOneOf("hotspots.emerging", h.Emerging, "space-time", "spatial")
	}
	if h.TimeStep < 0 {
		return o, fmt.Errorf("configuration: hotspots.time_step %d: want 1 or more", h.TimeStep)
	}
	return o, nil
}

// ScheduledHotspots are the hotspots job's runs, one per profile of
// schedule.profiles.
func (c *Config) ScheduledHotspots() ([]hotspots.Options, error) {
	list := c.Schedule.Profiles
	if len(list) == 0 {
		list = DefaultProfiles
	}
	var out []hotspots.Options
	for _, name := range list {
		p, err := c.Profile(name)
		if err != nil {
			return nil, fmt.Errorf("configuration: schedule.profiles: %w", err)
		}
		o, err := c.HotspotOptions(p)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// Profile returns the profile called name, the configuration's or the
// built-in one, with its defaults filled in. An unknown name is a
// *names.UnknownError (names.ErrUnknown) suggesting the nearest.
func (c *Config) Profile(name string) (hotspots.Profile, error) {
	pc, ok := c.Profiles[name]
	if !ok {
		pc, ok = builtinProfiles[name]
	}
	if !ok {
		return hotspots.Profile{}, names.Check("profile", name, c.ProfileNames())
	}
	p := hotspots.Profile{Name: name, Groups: pc.Groups, CrimeTypes: pc.CrimeTypes, Measure: pc.Measure,
		NTEZones: pc.NTEZones, ZoneRadius: pc.ZoneRadius}
	if p.Measure == "" {
		p.Measure = "count"
	}
	if p.ZoneRadius == 0 {
		p.ZoneRadius = 100
	}
	var err error
	if p.LateAfter, err = minutes(pc.LateAfter, "23:00"); err != nil {
		return p, fmt.Errorf("profile %s: late_after %w", name, err)
	}
	if pc.Incidents {
		return nights(p, pc)
	}
	return p, nil
}

// nights fills in p's night window of partner incidents.
func nights(p hotspots.Profile, pc Profile) (hotspots.Profile, error) {
	p.Incidents = true
	var err error
	if p.NightFrom, err = minutes(pc.NightFrom, "20:00"); err != nil {
		return p, fmt.Errorf("profile %s: night_from: %w", p.Name, err)
	}
	if p.NightTo, err = minutes(pc.NightTo, "06:00"); err != nil {
		return p, fmt.Errorf("profile %s: night_to: %w", p.Name, err)
	}
	days := pc.NightDays
	if len(days) == 0 {
		days = []string{"thu", "fri", "sat", "sun"}
	}
	for _, d := range days {
		wd, ok := weekdays[strings.ToLower(d)[:min(3, len(d))]]
		if !ok {
			return p, fmt.Errorf("profile %s: night_days: %q is not a weekday%s (%s)", p.Name, d, names.DidYouMean(d, dayNames), orList(dayNames))
		}
		p.NightDays = append(p.NightDays, wd)
	}
	return p, nil
}

// dayNames are the weekdays as night_days names them.
var dayNames = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

var weekdays = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
	"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// minutes returns an HH:MM time as minutes after midnight, def when unset.
func minutes(hhmm, def string) (int, error) {
	if hhmm == "" {
		hhmm = def
	}
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		return 0, fmt.Errorf("%q is not HH:MM", hhmm)
	}
	return t.Hour()*60 + t.Minute(), nil
}

// ProfileNames are the built-in and configured profiles' names, sorted.
func (c *Config) ProfileNames() []string {
	var list []string
	for n := range builtinProfiles {
		list = append(list, n)
	}
	for n := range c.Profiles {
		if _, ok := builtinProfiles[n]; !ok {
			list = append(list, n)
		}
	}
	sort.Strings(list)
	return list
}
