// Package config owns SaferCity's configuration file (safercity.yaml; see
// safercity.example.yaml): its sections, the built-in defaults that let the
// bundled sample run without a file, loading it (--config, else
// SAFERCITY_CONFIG, else ./safercity.yaml), validating what it says with the
// nearest valid name, and turning its sections into the options of the
// stages (transform.Config, hotspots.Options, indexstage.Config) and of the
// server. Commands and the job graph (package pipeline) read it; nothing
// here runs a stage.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/safercity/safercity/data"
	"github.com/safercity/safercity/internal/regfile"
	"github.com/safercity/safercity/transform"
)

// EnvFile is the environment variable naming the configuration file when
// no --config is given.
const EnvFile = "SAFERCITY_CONFIG"

// DefaultFile is read when present in the working folder and neither
// --config nor EnvFile names a file.
const DefaultFile = "safercity.yaml"

// Config is the one configuration file. Every setting has a default that
// works for the bundled sample, so no file is needed to start.
type Config struct {
	dir string // the file's folder: relative paths in it are relative to it

	Transform struct {
		CellSize   float64 `yaml:"cell_size"`
		Categories string  `yaml:"categories"`
		Units      string  `yaml:"units"`
		LSOALookup string  `yaml:"lsoa_lookup"`
	} `yaml:"transform"`

	Index Index `yaml:"index"`

	// Feeds holds the partner feed contracts, read by ingest/feed (see
	// data/feeds/feeds.yaml and LoadFeeds).
	Feeds yaml.Node `yaml:"feeds"`

	// Profiles add to or replace the built-in hotspot profiles by name.
	Profiles map[string]Profile `yaml:"profiles"`
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

	// Schedule says when `safercity serve` runs each job; see package
	// pipeline.
	Schedule Schedule `yaml:"schedule"`

	Serve Serve `yaml:"serve"`
}

// Schedule is the schedule section: a cron spec per job, by job name,
// beside the settings of all jobs.
type Schedule struct {
	// Jobs maps a job name (police, feed-NAME, transform, hotspots, index)
	// to its cron spec in Europe/London time; "" for no clock.
	Jobs map[string]string `yaml:",inline"`
	// Feeds is the spec of every feed job not named in Jobs.
	Feeds *string `yaml:"feeds"`
	// Profiles are the hotspot profiles the hotspots job computes
	// (default DefaultProfiles).
	Profiles []string `yaml:"profiles"`
	// Retries is how often a failed job is tried again (default 3; -1 for
	// never), after Backoff (default 1m), doubled each time.
	Retries int           `yaml:"retries"`
	Backoff time.Duration `yaml:"backoff"`
}

// maxBytes bounds the configuration file and the files it names
// (lookups, unit sets), which are read whole: far above any real one.
const maxBytes = 64 << 20

// Load reads the configuration file at path; "" means the file EnvFile
// names, else DefaultFile when present, else the built-in defaults.
func Load(path string) (*Config, error) {
	c := &Config{}
	c.Transform.CellSize = 100
	if path == "" {
		path = os.Getenv(EnvFile)
	}
	if path == "" {
		if _, err := os.Stat(DefaultFile); err == nil {
			path = DefaultFile
		}
	}
	if path == "" {
		return c, nil
	}
	b, err := regfile.ReadFile(path, maxBytes)
	if err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err == nil {
		if err := checkKeys(&doc, reflect.TypeFor[Config](), ""); err != nil {
			return nil, fmt.Errorf("configuration %s: %w", path, err)
		}
	} // a syntax error is reported by the decoder below, as before
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) { // an empty file is all defaults
		return nil, fmt.Errorf("configuration %s: %w", path, err)
	}
	c.dir = filepath.Dir(path)
	return c, nil
}

// Resolve returns a path given in the configuration: relative paths are
// relative to the file's folder.
func (c *Config) Resolve(name string) string {
	if name == "" || filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(c.dir, name)
}

// file reads a file named in the configuration, or returns def when unset.
func (c *Config) file(name string, def []byte) ([]byte, error) {
	if name == "" {
		return def, nil
	}
	b, err := regfile.ReadFile(c.Resolve(name), maxBytes)
	if err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	return b, nil
}

// TransformConfig is the transform section as the transform stage takes
// it, with the bundled lookups where the file names none.
func (c *Config) TransformConfig() (transform.Config, error) {
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
