package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/safercity/safercity/internal/regfile"

	"go.yaml.in/yaml/v3"

	"github.com/safercity/safercity/data"
	"github.com/safercity/safercity/hotspots"
	"github.com/safercity/safercity/index"
	"github.com/safercity/safercity/index/indexstage"
	"github.com/safercity/safercity/internal/names"
	"github.com/safercity/safercity/transform"
)

// config is the one configuration file (safercity.yaml; see
// safercity.example.yaml). Every setting has a default that works for the
// bundled sample, so no file is needed to start.
type config struct {
	dir string // the file's folder: relative paths in it are relative to it

	Transform struct {
		CellSize   float64 `yaml:"cell_size"`
		Categories string  `yaml:"categories"`
		Units      string  `yaml:"units"`
		LSOALookup string  `yaml:"lsoa_lookup"`
	} `yaml:"transform"`

	Index indexConfig `yaml:"index"`

	// Feeds holds the partner feed contracts, read by ingest/feed (see
	// data/feeds/feeds.yaml).
	Feeds yaml.Node `yaml:"feeds"`

	// Profiles add to or replace the built-in hotspot profiles by name.
	Profiles map[string]profileConfig `yaml:"profiles"`
	Hotspots struct {
		Window   int     `yaml:"window"`
		Alpha    float64 `yaml:"alpha"`
		TopShare float64 `yaml:"kde_top_share"`
		Inputs   int     `yaml:"backtest_input_months"`
		// Emerging is the Gi* of emerging hot spot analysis: space-time
		// (ArcGIS's, with TimeStep steps before as neighbours) or spatial.
		Emerging string `yaml:"emerging"`
		TimeStep int    `yaml:"time_step"`
		// Boundaries names, per force slug, a boundary layer whose cells
		// are the force's study area instead of its crime footprint.
		Boundaries map[string]string `yaml:"boundaries"`
	} `yaml:"hotspots"`

	Police struct {
		// Inbox is a folder (or a .zip) where new data.police.uk downloads
		// arrive; the police job loads it. Unset, there is no police job.
		Inbox string `yaml:"inbox"`
		// APIForces are forces whose latest month the police-api job
		// fetches from the police.uk API (APIURL, default the public
		// service). Unset, there is no police-api job.
		APIForces []string `yaml:"api_forces"`
		APIURL    string   `yaml:"api_url"`
	} `yaml:"police"`

	// Schedule says when `safercity serve` runs each job; see pipeline.go.
	Schedule scheduleConfig `yaml:"schedule"`

	Serve struct {
		Addr string `yaml:"addr"` // default 127.0.0.1:8080
		// Tokens are the bearer tokens that requests from other machines
		// must carry; with none, only this machine is answered.
		Tokens []string `yaml:"tokens"`
		// Hosts are the host names clients use in URLs (the Host header),
		// besides localhost and IP addresses; others are refused (DNS
		// rebinding).
		Hosts []string `yaml:"hosts"`
		// Grace is how long a stopping server lets the running job finish
		// before cancelling it (default 30s).
		Grace time.Duration `yaml:"grace"`
	} `yaml:"serve"`
}

// scheduleConfig is the schedule section: a cron spec per job, by job name,
// beside the settings of all jobs.
type scheduleConfig struct {
	// Jobs maps a job name (police, feed-NAME, transform, hotspots, index)
	// to its cron spec in Europe/London time; "" for no clock.
	Jobs map[string]string `yaml:",inline"`
	// Feeds is the spec of every feed job not named in Jobs.
	Feeds *string `yaml:"feeds"`
	// Profiles are the hotspot profiles the hotspots job computes.
	Profiles []string `yaml:"profiles"`
	// Retries is how often a failed job is tried again (default 3; -1 for
	// never), after Backoff (default 1m), doubled each time.
	Retries int           `yaml:"retries"`
	Backoff time.Duration `yaml:"backoff"`
}

type profileConfig struct {
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
var builtinProfiles = map[string]profileConfig{
	"violence": {Groups: []string{"violence"}, Measure: "count"},
	"nte": {Groups: []string{"nte"}, Measure: "count", NTEZones: true, ZoneRadius: 100, LateAfter: "23:00",
		Incidents: true, NightDays: []string{"thu", "fri", "sat", "sun"}, NightFrom: "20:00", NightTo: "06:00"},
	"acquisitive": {Groups: []string{"acquisitive"}, Measure: "count"},
	"asb":         {Groups: []string{"asb"}, Measure: "count"},
	"harm":        {Groups: []string{"violence", "acquisitive", "nte", "weapons"}, Measure: "harm"},
}

// hotspotOptions returns the configured options of a run of profile p.
func (c *config) hotspotOptions(p hotspots.Profile) (hotspots.Options, error) {
	h := c.Hotspots
	o := hotspots.Options{Profile: p, CellSize: c.Transform.CellSize, Window: h.Window, Alpha: h.Alpha,
		TopShare: h.TopShare, Inputs: h.Inputs, TimeStep: h.TimeStep, Boundaries: h.Boundaries}
	switch h.Emerging {
	case "", "space-time":
	case "spatial":
		o.SpatialOnly = true
	default:
		return o, fmt.Errorf("configuration: hotspots.emerging %q: want space-time or spatial", h.Emerging)
	}
	if h.TimeStep < 0 {
		return o, fmt.Errorf("configuration: hotspots.time_step %d: want 1 or more", h.TimeStep)
	}
	return o, nil
}

func (c *config) profile(name string) (hotspots.Profile, error) {
	pc, ok := c.Profiles[name]
	if !ok {
		pc, ok = builtinProfiles[name]
	}
	if !ok {
		return hotspots.Profile{}, fmt.Errorf("%w: %w", errUsage, names.Check("profile", name, c.profileNames()))
	}
	p := hotspots.Profile{Name: name, Groups: pc.Groups, CrimeTypes: pc.CrimeTypes, Measure: pc.Measure,
		NTEZones: pc.NTEZones, ZoneRadius: pc.ZoneRadius}
	if p.Measure == "" {
		p.Measure = "count"
	}
	if p.ZoneRadius == 0 {
		p.ZoneRadius = 100
	}
	late := pc.LateAfter
	if late == "" {
		late = "23:00"
	}
	t, err := time.Parse("15:04", late)
	if err != nil {
		return p, fmt.Errorf("profile %s: late_after %q is not HH:MM", name, late)
	}
	p.LateAfter = t.Hour()*60 + t.Minute()
	if pc.Incidents {
		p.Incidents = true
		from, to := pc.NightFrom, pc.NightTo
		if from == "" {
			from = "20:00"
		}
		if to == "" {
			to = "06:00"
		}
		if p.NightFrom, err = minutes(from); err != nil {
			return p, fmt.Errorf("profile %s: night_from: %w", name, err)
		}
		if p.NightTo, err = minutes(to); err != nil {
			return p, fmt.Errorf("profile %s: night_to: %w", name, err)
		}
		days := pc.NightDays
		if len(days) == 0 {
			days = []string{"thu", "fri", "sat", "sun"}
		}
		for _, d := range days {
			wd, ok := weekdays[strings.ToLower(d)[:min(3, len(d))]]
			if !ok {
				return p, fmt.Errorf("profile %s: night_days: %q is not a weekday", name, d)
			}
			p.NightDays = append(p.NightDays, wd)
		}
	}
	return p, nil
}

var weekdays = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
	"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

func minutes(hhmm string) (int, error) {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		return 0, fmt.Errorf("%q is not HH:MM", hhmm)
	}
	return t.Hour()*60 + t.Minute(), nil
}

func (c *config) profileNames() []string {
	var names []string
	for n := range builtinProfiles {
		names = append(names, n)
	}
	for n := range c.Profiles {
		if _, ok := builtinProfiles[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// configFlag adds --config to f.
func (f *flags) configFlag() *string {
	return f.String("config", os.Getenv("SAFERCITY_CONFIG"), "configuration `file` (env SAFERCITY_CONFIG; default ./safercity.yaml if present, else built-in defaults)")
}

// maxConfigBytes bounds the configuration file and the files it names
// (lookups, unit sets), which are read whole: far above any real one.
const maxConfigBytes = 64 << 20

func loadConfig(path string) (*config, error) {
	c := &config{}
	c.Transform.CellSize = 100
	if path == "" {
		if _, err := os.Stat("safercity.yaml"); err == nil {
			path = "safercity.yaml"
		}
	}
	if path == "" {
		return c, nil
	}
	b, err := regfile.ReadFile(path, maxConfigBytes)
	if err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) { // an empty file is all defaults
		return nil, fmt.Errorf("configuration %s: %w", path, err)
	}
	c.dir = filepath.Dir(path)
	return c, nil
}

// file reads a file named in the configuration, or returns def when unset.
func (c *config) file(name string, def []byte) ([]byte, error) {
	if name == "" {
		return def, nil
	}
	if !filepath.IsAbs(name) {
		name = filepath.Join(c.dir, name)
	}
	b, err := regfile.ReadFile(name, maxConfigBytes)
	if err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	return b, nil
}

// unitSet resolves index.unit_set: districts and cities as they are, a file
// relative to the configuration's folder.
func (c *config) unitSet(spec string) string {
	if spec == "" || spec == "districts" || spec == "cities" || filepath.IsAbs(spec) {
		return spec
	}
	return filepath.Join(c.dir, spec)
}

func (c *config) transform() (transform.Config, error) {
	t := transform.Config{CellSize: c.Transform.CellSize}
	var err error
	if t.Categories, err = c.file(c.Transform.Categories, data.Categories); err != nil {
		return t, err
	}
	if t.Units, err = c.file(c.Transform.Units, data.Units); err != nil {
		return t, err
	}
	if t.Lookup, err = c.file(c.Transform.LSOALookup, data.LSOALookup); err != nil {
		return t, err
	}
	return t, nil
}

// indexConfig is the index section: which units, and the method.
type indexConfig struct {
	Title string `yaml:"title"`
	// UnitSet is districts (default), cities or a YAML file of units.
	UnitSet   string   `yaml:"unit_set"`
	Units     []string `yaml:"units"`
	MinCrimes int      `yaml:"min_crimes"`
	// Normalisation is minmax (default), zscore or target; Weights is
	// equal (default) or pca; Aggregation is arithmetic (default) or
	// geometric.
	Normalisation string `yaml:"normalisation"`
	Weights       string `yaml:"weights"`
	Aggregation   string `yaml:"aggregation"`
	Draws         int    `yaml:"draws"`
	Seed          uint64 `yaml:"seed"`
	// ExpertWeights (with weights: expert) weigh indicators within their
	// pillar, and pillars in the overall score, by code.
	ExpertWeights map[string]float64 `yaml:"expert_weights"`
	// Targets are the partnership's targets per indicator code, rated
	// against first and used by normalisation: target.
	Targets map[string]float64 `yaml:"targets"`
	RAG     struct {
		Indicators []string `yaml:"indicators"` // bases in order: target, peer_median, last_year
		Scores     []string `yaml:"scores"`
		Amber      float64  `yaml:"amber_tolerance"`
		Stable     float64  `yaml:"stable_tolerance"`
	} `yaml:"rag"`
}

func ragBases(names []string, def []index.Basis) ([]index.Basis, error) {
	if len(names) == 0 {
		return def, nil
	}
	var out []index.Basis
	for _, n := range names {
		switch n {
		case "target":
			out = append(out, index.BasisTarget)
		case "peer_median":
			out = append(out, index.BasisPeerMedian)
		case "last_year":
			out = append(out, index.BasisLastYear)
		default:
			return nil, fmt.Errorf("configuration: index.rag basis %q: want target, peer_median or last_year", n)
		}
	}
	return out, nil
}

func (c *config) index() (indexstage.Config, error) {
	ic := c.Index
	m := index.DefaultMethod()
	switch ic.Normalisation {
	case "", "minmax":
	case "zscore":
		m.Normalisation = index.ZScore
	case "target":
		m.Normalisation = index.DistanceToTarget
	default:
		return indexstage.Config{}, fmt.Errorf("configuration: index.normalisation %q: want minmax, zscore or target", ic.Normalisation)
	}
	switch ic.Weights {
	case "", "equal":
	case "pca":
		m.Weighting = index.PCAWeights
	case "expert":
		m.Weighting, m.PillarWeighting = index.ExpertWeights, index.ExpertWeights
	default:
		return indexstage.Config{}, fmt.Errorf("configuration: index.weights %q: want equal, pca or expert", ic.Weights)
	}
	switch ic.Aggregation {
	case "", "arithmetic":
	case "geometric":
		m.Aggregation = index.Geometric
	default:
		return indexstage.Config{}, fmt.Errorf("configuration: index.aggregation %q: want arithmetic or geometric", ic.Aggregation)
	}
	if ic.Draws > 0 {
		m.Uncertainty.Draws = ic.Draws
	}
	if ic.Seed > 0 {
		m.Uncertainty.Seed = ic.Seed
	}
	rag := index.DefaultRAGRules()
	var err error
	if rag.Indicators, err = ragBases(ic.RAG.Indicators, rag.Indicators); err != nil {
		return indexstage.Config{}, err
	}
	if rag.Scores, err = ragBases(ic.RAG.Scores, rag.Scores); err != nil {
		return indexstage.Config{}, err
	}
	if ic.RAG.Amber > 0 {
		rag.AmberTolerance = ic.RAG.Amber
	}
	if ic.RAG.Stable > 0 {
		rag.StableTolerance = ic.RAG.Stable
	}
	return indexstage.Config{Title: ic.Title, Method: m, RAG: rag, UnitSet: c.unitSet(ic.UnitSet), Units: ic.Units, Weights: ic.ExpertWeights,
		Targets: ic.Targets, MinCrimes: ic.MinCrimes}, nil
}
