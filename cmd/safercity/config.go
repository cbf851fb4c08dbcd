package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"github.com/safercity/safercity/data"
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
}

// configFlag adds --config to f.
func (f *flags) configFlag() *string {
	return f.String("config", os.Getenv("SAFERCITY_CONFIG"), "configuration `file` (env SAFERCITY_CONFIG; default ./safercity.yaml if present, else built-in defaults)")
}

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
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, fs.ErrNotExist) && err.Error() != "EOF" {
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
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	return b, nil
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
