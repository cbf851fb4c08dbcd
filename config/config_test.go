package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/safercity/safercity/data"
	"github.com/safercity/safercity/index"
	"github.com/safercity/safercity/internal/names"
	"github.com/safercity/safercity/internal/regfile"
)

// write writes a configuration file in a fresh folder and returns its path.
func write(t *testing.T, name, yaml string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// noFiles runs the test in an empty folder with no SAFERCITY_CONFIG.
func noFiles(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv(EnvFile, "")
}

// Without any file, the built-in defaults apply: they are what the README
// and safercity.example.yaml promise.
func TestDefaults(t *testing.T) {
	noFiles(t)
	c, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	tc, err := c.TransformConfig()
	if err != nil || tc.CellSize != 100 || !bytes.Equal(tc.Categories, data.Categories) ||
		!bytes.Equal(tc.Units, data.Units) || !bytes.Equal(tc.Lookup, data.LSOALookup) {
		t.Errorf("TransformConfig() = cell %g, %v; want 100 m and the bundled lookups", tc.CellSize, err)
	}
	ic, err := c.IndexConfig()
	if err != nil || !reflect.DeepEqual(ic.Method, index.DefaultMethod()) || !reflect.DeepEqual(ic.RAG, index.DefaultRAGRules()) || ic.UnitSet != "" {
		t.Errorf("IndexConfig() = %+v, %v; want the default method and RAG rules on districts", ic, err)
	}
	s, err := c.ServeSettings("")
	if err != nil || s.Addr != DefaultAddr || s.Grace != 30*time.Second {
		t.Errorf("ServeSettings() = %+v, %v", s, err)
	}
	if s, _ := c.ServeSettings("0.0.0.0:9000"); s.Addr != "0.0.0.0:9000" {
		t.Errorf("--addr did not override: %s", s.Addr)
	}
	hs, err := c.ScheduledHotspots()
	if err != nil || len(hs) != 2 || hs[0].Profile.Name != "nte" || hs[1].Profile.Name != "violence" || hs[0].CellSize != 100 {
		t.Errorf("ScheduledHotspots() = %+v, %v; want nte and violence on 100 m cells", hs, err)
	}
	if got := strings.Join(c.ProfileNames(), " "); got != "acquisitive asb harm nte violence" {
		t.Errorf("ProfileNames() = %s", got)
	}
	if _, err := LoadFeeds(""); err == nil || !strings.Contains(err.Error(), "give --config FILE") {
		t.Errorf("LoadFeeds with no file anywhere: %v; want advice", err)
	}
}

// The built-in profiles, filled in: nte's zones and night window.
func TestBuiltinProfiles(t *testing.T) {
	c := &Config{}
	for _, tc := range []struct {
		name    string
		measure string
		zones   bool
		nights  []time.Weekday
	}{
		{"violence", "count", false, nil},
		{"nte", "count", true, []time.Weekday{time.Thursday, time.Friday, time.Saturday, time.Sunday}},
		{"harm", "harm", false, nil},
	} {
		p, err := c.Profile(tc.name)
		if err != nil || p.Name != tc.name || p.Measure != tc.measure || p.NTEZones != tc.zones || !reflect.DeepEqual(p.NightDays, tc.nights) {
			t.Errorf("Profile(%s) = %+v, %v", tc.name, p, err)
		}
		if p.ZoneRadius != 100 || p.LateAfter != 23*60 {
			t.Errorf("Profile(%s): zone radius %g, late after %d min; want 100 m and 23:00", tc.name, p.ZoneRadius, p.LateAfter)
		}
		if tc.zones && (p.NightFrom != 20*60 || p.NightTo != 6*60 || !p.Incidents) {
			t.Errorf("Profile(%s): nights %d–%d, incidents %v; want 20:00–06:00 with incidents", tc.name, p.NightFrom, p.NightTo, p.Incidents)
		}
	}
}

// A file's settings replace the defaults; paths in it are relative to its
// folder, not to where the command runs.
func TestFile(t *testing.T) {
	noFiles(t)
	path := write(t, "city.yaml", `
transform: {cell_size: 50, categories: cats.csv}
profiles:
  nte-harm: {groups: [nte], measure: harm, nte_zones: true, late_after: "01:30"}
  violence: {crime_types: [Robbery]}
hotspots: {window: 6, emerging: spatial, boundaries: {leicestershire: lad}}
index: {unit_set: my-units.yaml, normalisation: zscore, weights: expert, rag: {indicators: [last_year], amber_tolerance: 0.1}}
police: {inbox: inbox}
schedule: {profiles: [nte-harm], transform: "@hourly", retries: -1}
serve: {grace: 5s, hosts: [safercity.example.gov.uk]}
`)
	dir := filepath.Dir(path)
	if err := os.WriteFile(filepath.Join(dir, "cats.csv"), []byte("crime_type,group\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	tc, err := c.TransformConfig()
	if err != nil || tc.CellSize != 50 || string(tc.Categories) != "crime_type,group\n" {
		t.Errorf("TransformConfig() = %g %q, %v", tc.CellSize, tc.Categories, err)
	}
	if got := c.Resolve(c.Police.Inbox); got != filepath.Join(dir, "inbox") {
		t.Errorf("police.inbox resolves to %s", got)
	}
	hs, err := c.ScheduledHotspots()
	if err != nil || len(hs) != 1 {
		t.Fatalf("ScheduledHotspots() = %+v, %v", hs, err)
	}
	o := hs[0]
	if o.Profile.Measure != "harm" || o.Profile.LateAfter != 90 || o.CellSize != 50 || o.Window != 6 || !o.SpatialOnly || o.Boundaries["leicestershire"] != "lad" {
		t.Errorf("nte-harm options = %+v", o)
	}
	if p, _ := c.Profile("violence"); len(p.Groups) != 0 || p.CrimeTypes[0] != "Robbery" {
		t.Errorf("a configured violence profile did not replace the built-in one: %+v", p)
	}
	ic, err := c.IndexConfig()
	if err != nil || ic.UnitSet != filepath.Join(dir, "my-units.yaml") || ic.Method.Normalisation != index.ZScore ||
		ic.Method.Weighting != index.ExpertWeights || ic.RAG.AmberTolerance != 0.1 || !reflect.DeepEqual(ic.RAG.Indicators, []index.Basis{index.BasisLastYear}) {
		t.Errorf("IndexConfig() = %+v, %v", ic, err)
	}
	if c.UnitSet("cities") != "cities" {
		t.Errorf("the cities unit set was taken for a file")
	}
	s, err := c.ServeSettings("")
	if err != nil || s.Grace != 5*time.Second || s.Addr != DefaultAddr || s.Hosts[0] != "safercity.example.gov.uk" {
		t.Errorf("ServeSettings() = %+v, %v", s, err)
	}
	if c.Schedule.Jobs["transform"] != "@hourly" || c.Schedule.Retries != -1 {
		t.Errorf("schedule = %+v", c.Schedule)
	}
}

// Which file is read: --config, else SAFERCITY_CONFIG, else
// ./safercity.yaml; for feed contracts the bundled sample's last.
func TestFileFromEnvironment(t *testing.T) {
	noFiles(t)
	if err := os.WriteFile(DefaultFile, []byte("transform: {cell_size: 200}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := write(t, "env.yaml", "transform: {cell_size: 250}\n")
	flag := write(t, "flag.yaml", "transform: {cell_size: 500}\n")
	for _, tc := range []struct {
		flag, env string
		want      float64
	}{
		{"", "", 200},
		{"", env, 250},
		{flag, env, 500},
	} {
		t.Setenv(EnvFile, tc.env)
		c, err := Load(tc.flag)
		if err != nil || c.Transform.CellSize != tc.want {
			t.Errorf("Load(%q) with %s=%q: %v, %v; want cell size %g", tc.flag, EnvFile, tc.env, c, err, tc.want)
		}
	}
	feeds := write(t, "feeds.yaml", "feeds: []\n")
	t.Setenv(EnvFile, feeds)
	// An empty contract list is refused, naming the file that was read.
	if _, err := LoadFeeds(""); err == nil || !strings.Contains(err.Error(), feeds) {
		t.Errorf("LoadFeeds with %s set: %v; want %s read", EnvFile, err, feeds)
	}
}

// Every invalid setting is refused with its key and, where the choice is
// a closed list, the valid values or the nearest name.
func TestValidationErrors(t *testing.T) {
	noFiles(t)
	for _, tc := range []struct {
		yaml string
		use  func(*Config) error
		want []string
	}{
		{"transform: {cell_sise: 50}", nil, []string{"line 1: transform:", `no setting "cell_sise": did you mean "cell_size"?`}},
		{"serve: {}\ntranform: {}", nil, []string{"line 2:", `did you mean "transform"?`}},
		{"profiles:\n  mine: {group: [nte]}", nil, []string{"line 2: profiles.mine:", `did you mean "groups"?`}},
		{"index: {rag: {amber: 0.1}}", nil, []string{"index.rag:", `did you mean "amber_tolerance"?`}},
		{"hotspots: {emerging: temporal}", hotspotsErr, []string{"hotspots.emerging", `"temporal"`, "space-time or spatial"}},
		{"hotspots: {time_step: -1}", hotspotsErr, []string{"hotspots.time_step -1"}},
		{"schedule: {profiles: [vilence]}", hotspotsErr, []string{"schedule.profiles", `did you mean "violence"`}},
		{"profiles: {late: {groups: [nte], late_after: '25:00'}}\nschedule: {profiles: [late]}", hotspotsErr, []string{"profile late: late_after", `"25:00" is not HH:MM`}},
		{"profiles: {n: {groups: [nte], incidents: true, night_days: [fry]}}\nschedule: {profiles: [n]}", hotspotsErr, []string{"night_days", `"fry"`}},
		{"index: {normalisation: rank}", indexErr, []string{"index.normalisation", "minmax, zscore or target"}},
		{"index: {weights: heavy}", indexErr, []string{"index.weights", "equal, pca or expert"}},
		{"index: {aggregation: median}", indexErr, []string{"index.aggregation", "arithmetic or geometric"}},
		{"index: {rag: {scores: [peers]}}", indexErr, []string{"index.rag basis", `"peers"`}},
		{"transform: {units: missing.yaml}", transformErr, []string{"configuration", "missing.yaml"}},
		{"serve: {tokens: [short]}", serveErr, []string{"serve.tokens[0]", "16 characters"}},
	} {
		c, err := Load(write(t, "safercity.yaml", tc.yaml))
		if err == nil && tc.use != nil {
			err = tc.use(c)
		}
		if err == nil {
			t.Errorf("%s: accepted", tc.yaml)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v; want it to say %s", tc.yaml, err, w)
			}
		}
	}
	if _, err := (&Config{}).Profile("nte-harm"); !errors.Is(err, names.ErrUnknown) {
		t.Errorf("an unknown profile: %v; want names.ErrUnknown", err)
	}
}

func hotspotsErr(c *Config) error  { _, err := c.ScheduledHotspots(); return err }
func indexErr(c *Config) error     { _, err := c.IndexConfig(); return err }
func transformErr(c *Config) error { _, err := c.TransformConfig(); return err }
func serveErr(c *Config) error     { _, err := c.ServeSettings(""); return err }

// A --config naming a FIFO is refused at once: open(2) on it blocked every
// command, past SIGTERM, until killed (the other special files are tested
// in internal/regfile).
func TestLoadRefusesFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "safercity.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	done := make(chan error, 1)
	go func() { _, err := Load(fifo); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, regfile.ErrNotRegular) {
			t.Errorf("Load(FIFO) = %v, want a not-a-regular-file error", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Load(FIFO) still blocked after a minute")
	}
}

// The documented example is a valid configuration, every section of it.
func TestExampleFile(t *testing.T) {
	c, err := Load(filepath.Join("..", "safercity.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.TransformConfig(); err != nil {
		t.Error(err)
	}
	if _, err := c.IndexConfig(); err != nil {
		t.Error(err)
	}
	if hs, err := c.ScheduledHotspots(); err != nil || len(hs) != 2 {
		t.Errorf("ScheduledHotspots() = %d runs, %v", len(hs), err)
	}
	if p, err := c.Profile("nte-harm"); err != nil || p.Measure != "harm" {
		t.Errorf("Profile(nte-harm) = %+v, %v", p, err)
	}
	if _, err := c.ServeSettings(""); err != nil {
		t.Error(err)
	}
}
