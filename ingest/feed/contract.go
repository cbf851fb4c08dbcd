// Package feed reads partner data feeds — licensing registers, time-stamped
// incident logs, population tables and city indicators — into typed
// columnar batches, as a feed contract declares them, setting aside every
// row that cannot be loaded with its line, raw text and reason.
//
// A contract (the feeds: section of the configuration file) says, per feed,
// what kind of data it is, where it comes from, and how each stored field is
// read from the partner's own columns. Only declared fields are read, so
// names and free text in a partner's export never reach the store. The
// package knows nothing of where the batches are stored.
//
// Times. A timestamp without an offset is a wall-clock time in the feed's
// zone (Europe/London unless declared). At the end of October the hour from
// 01:00 repeats; a time in it is read as its first occurrence (BST), since
// logs are written as events happen and the first reading is the one a
// person would assume. In March the hour from 01:00 is skipped; a time in it
// never happened, so the row is set aside rather than guessed.
//
// Closing times are minutes after midnight of the trading day: a time before
// 06:00 is the next morning, so 02:00 is stored as 26:00 (1560) and a
// premises open until 02:00 on Friday night is close_fri = 1560.
package feed

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/safercity/safercity/internal/regfile"

	"go.yaml.in/yaml/v3"

	"github.com/safercity/safercity/internal/names"
)

// Kind is what a feed holds; each kind has its own stored table.
type Kind string

// The built-in kinds. Their tables have the same names.
const (
	Premises   Kind = "premises"   // a licensing register: premises and their closing times
	Incidents  Kind = "incidents"  // time-stamped events from an incident log
	Population Kind = "population" // residents and workday population per area and year
	Indicators Kind = "indicators" // city-level indicator values per unit and period
)

// Kinds lists every kind.
var Kinds = []Kind{Premises, Incidents, Population, Indicators}

// Formats a feed may be published in.
const (
	CSV     = "csv"
	JSON    = "json"    // an array of objects
	GeoJSON = "geojson" // a FeatureCollection of Point features
)

// Coordinate reference systems a feed's coordinates may be in.
const (
	WGS84 = "EPSG:4326"  // longitude, latitude in degrees
	BNG   = "EPSG:27700" // British National Grid easting, northing in metres
)

// DefaultZone is the time zone of wall-clock timestamps unless a feed
// declares another.
const DefaultZone = "Europe/London"

// Config is a set of feed contracts.
type Config struct {
	Path  string // the file read; "" when parsed from bytes
	Feeds []*Feed
}

// Feed is one feed's contract.
type Feed struct {
	Name        string `yaml:"name"`
	Kind        Kind   `yaml:"kind"`
	Partner     string `yaml:"partner"` // who publishes it, stored as source on incidents and indicators; by default Name
	Description string `yaml:"description"`
	Format      string `yaml:"format"` // csv, json or geojson; by default from the source's extension
	// Source is a file, a folder acting as an inbox (every file in it
	// matching Match), or an http(s) URL. A relative path is relative to the
	// configuration file's folder.
	Source   string `yaml:"source"`
	Match    string `yaml:"match"`    // glob for an inbox's files; by default *.<format>
	Encoding string `yaml:"encoding"` // utf-8 (default) or windows-1252

	// Columns maps each stored field to the source column it is read from,
	// or to several, joined with a space (a date column and a time column).
	// Only these fields, Fixed ones and coordinates are read.
	Columns map[string]Column `yaml:"columns"`
	// Fixed gives a stored field the same value on every row, for what the
	// file does not say (the year of a population table).
	Fixed       map[string]string    `yaml:"fixed"`
	Coordinates *Coordinates         `yaml:"coordinates"`
	Time        *TimeFormat          `yaml:"time"`
	Categories  *Categories          `yaml:"categories"`
	Indicators  map[string]Indicator `yaml:"indicators"`

	loc     *time.Location
	hasZone bool            // the layout carries its own offset
	fixed   map[string]cell // Fixed, typed
	cats    map[string]string
}

// Column names one or more source columns (keys, for JSON).
type Column []string

// UnmarshalYAML accepts a single name or a list of names.
func (c *Column) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*c = Column{n.Value}
		return nil
	case yaml.SequenceNode:
		var names []string
		if err := n.Decode(&names); err != nil {
			return err
		}
		*c = names
		return nil
	}
	return fmt.Errorf("line %d: want a column name or a list of column names", n.Line)
}

// Coordinates says where a feed's points are and in which CRS.
type Coordinates struct {
	CRS string `yaml:"crs"` // EPSG:4326 or EPSG:27700
	X   string `yaml:"x"`   // source column of longitude or easting; empty for a GeoJSON geometry
	Y   string `yaml:"y"`   // latitude or northing
}

// TimeFormat says how the kind's time field is written.
type TimeFormat struct {
	// Layout is a Go reference layout ("02/01/2006 15:04") or RFC3339.
	Layout string `yaml:"layout"`
	// Zone is the IANA zone of wall-clock times; ignored when the layout
	// carries an offset.
	Zone string `yaml:"zone"`
}

// Categories maps source values of the kind's category field (incidents:
// category; premises: licence_type; indicators: indicator) to stored values.
type Categories struct {
	Map map[string]string `yaml:"map"` // source value (any case) → stored value
	// Unmapped says what happens to a value not in Map: quarantine (the
	// default), or keep it as published.
	Unmapped string `yaml:"unmapped"`
}

// Indicator declares how an indicator enters the resilience index.
type Indicator struct {
	Pillar    string `yaml:"pillar"`
	Direction int    `yaml:"direction"` // +1 higher is better, -1 lower is better
}

// maxContractBytes bounds the configuration file the contracts are read
// from, far above any real one.
const maxContractBytes = 64 << 20

// Load reads and validates the feeds: section of the configuration file at
// path. Other sections belong to other stages and are not read here.
func Load(path string) (*Config, error) {
	b, err := regfile.ReadFile(path, maxContractBytes)
	if err != nil {
		return nil, err
	}
	c, err := Parse(b, filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c.Path = path
	return c, nil
}

// Parse reads and validates feed contracts from a configuration file's
// bytes; relative sources are resolved against dir.
func Parse(data []byte, dir string) (*Config, error) {
	var doc struct {
		Feeds yaml.Node `yaml:"feeds"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	switch doc.Feeds.Kind {
	case 0:
		return nil, errors.New("no feeds: section; declare the feeds as a list under feeds: (data/feeds/feeds.yaml in the repository shows every kind)")
	case yaml.SequenceNode:
	default:
		return nil, fmt.Errorf("line %d: feeds: must be a list of feeds", doc.Feeds.Line)
	}
	c := &Config{}
	names := map[string]int{}
	for i, n := range doc.Feeds.Content {
		n = resolveAlias(n)
		name := fmt.Sprintf("#%d", i+1)
		if v := mappingValue(n, "name"); v != nil && v.Value != "" {
			name = fmt.Sprintf("%q", v.Value)
		}
		f, err := decodeFeed(n, dir)
		if err != nil {
			return nil, fmt.Errorf("feed %s (line %d): %w", name, n.Line, err)
		}
		if prev, dup := names[f.Name]; dup {
			return nil, fmt.Errorf("feed %s (line %d): name: already used by the feed at line %d", name, n.Line, prev)
		}
		names[f.Name] = n.Line
		c.Feeds = append(c.Feeds, f)
	}
	if len(c.Feeds) == 0 {
		return nil, errors.New("feeds: is empty; declare at least one feed")
	}
	return c, nil
}

// Lookup returns the feed called name.
func (c *Config) Lookup(name string) (*Feed, error) {
	var known []string
	for _, f := range c.Feeds {
		if f.Name == name {
			return f, nil
		}
		known = append(known, f.Name)
	}
	where := "the configuration"
	if c.Path != "" {
		where = c.Path
	}
	return nil, fmt.Errorf("%s: %w", where, names.Check("feed", name, known))
}

// Keys each section may have, so that a misspelt key is an error rather than
// a silently ignored setting.
var (
	feedKeys        = []string{"name", "kind", "partner", "description", "format", "source", "match", "encoding", "columns", "fixed", "coordinates", "time", "categories", "indicators"}
	coordinatesKeys = []string{"crs", "x", "y"}
	timeKeys        = []string{"layout", "zone"}
	categoriesKeys  = []string{"map", "unmapped"}
	indicatorKeys   = []string{"pillar", "direction"}
)

func decodeFeed(n *yaml.Node, dir string) (*Feed, error) {
	if n.Kind != yaml.MappingNode {
		return nil, errors.New("want a mapping of name, kind, source, columns, …")
	}
	if err := checkKeys(n, "", feedKeys); err != nil {
		return nil, err
	}
	for key, allowed := range map[string][]string{"coordinates": coordinatesKeys, "time": timeKeys, "categories": categoriesKeys} {
		if v := mappingValue(n, key); v != nil {
			if err := checkKeys(v, key+".", allowed); err != nil {
				return nil, err
			}
		}
	}
	if v := mappingValue(n, "indicators"); v != nil && v.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(v.Content); i += 2 {
			if err := checkKeys(v.Content[i+1], "indicators."+v.Content[i].Value+".", indicatorKeys); err != nil {
				return nil, err
			}
		}
	}
	f := &Feed{}
	if err := n.Decode(f); err != nil {
		return nil, err
	}
	if err := f.validate(dir); err != nil {
		return nil, err
	}
	return f, nil
}

// checkKeys reports the first key of mapping n that is not allowed.
func checkKeys(n *yaml.Node, prefix string, allowed []string) error {
	n = resolveAlias(n)
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: %s must be a mapping", n.Line, strings.TrimSuffix(prefix, "."))
	}
	for i := 0; i < len(n.Content); i += 2 {
		k := n.Content[i]
		if !slices.Contains(allowed, k.Value) {
			return fmt.Errorf("line %d: %s%s is not a setting; use one of: %s", k.Line, prefix, k.Value, strings.Join(allowed, ", "))
		}
	}
	return nil
}

func mappingValue(n *yaml.Node, key string) *yaml.Node {
	n = resolveAlias(n)
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return resolveAlias(n.Content[i+1])
		}
	}
	return nil
}

// resolveAlias returns the node an alias (*name) refers to, so that shared
// sections (&name) are checked like written ones.
func resolveAlias(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// validate checks the contract against its kind and fills in defaults and
// the derived lookups the reader uses.
func (f *Feed) validate(dir string) error {
	if !nameRE.MatchString(f.Name) {
		return fmt.Errorf("name: %q must be lower-case letters, digits, '.', '_' or '-' (it names the feed in the store and on the command line)", f.Name)
	}
	spec, ok := kindSpecs[f.Kind]
	if !ok {
		return fmt.Errorf("kind: %q is not a kind; use one of: %s", f.Kind, joinKinds())
	}
	if f.Partner = strings.TrimSpace(f.Partner); f.Partner == "" {
		f.Partner = f.Name
	}
	if f.Source == "" {
		return errors.New("source: give a file, a folder (an inbox) or an http(s) URL")
	}
	if !IsURL(f.Source) && !filepath.IsAbs(f.Source) && dir != "" {
		f.Source = filepath.Join(dir, f.Source)
	}
	if f.Format == "" {
		switch strings.ToLower(filepath.Ext(strings.TrimSuffix(f.Source, "/"))) {
		case ".csv":
			f.Format = CSV
		case ".json":
			f.Format = JSON
		case ".geojson":
			f.Format = GeoJSON
		default:
			return errors.New("format: the source's name does not say; give csv, json or geojson")
		}
	}
	f.Format = strings.ToLower(f.Format)
	if f.Format != CSV && f.Format != JSON && f.Format != GeoJSON {
		return fmt.Errorf("format: %q is not csv, json or geojson", f.Format)
	}
	if f.Match == "" {
		f.Match = "*." + f.Format
	}
	if _, err := filepath.Match(f.Match, ""); err != nil {
		return fmt.Errorf("match: %q is not a glob pattern: %v", f.Match, err)
	}
	switch strings.ToLower(f.Encoding) {
	case "", "utf-8", "utf8":
		f.Encoding = "utf-8"
	case "windows-1252", "cp1252":
		f.Encoding = "windows-1252"
	default:
		return fmt.Errorf("encoding: %q is not supported; use utf-8 or windows-1252", f.Encoding)
	}
	if err := f.validateCoordinates(spec); err != nil {
		return err
	}
	if err := f.validateTime(spec); err != nil { // before fields: fixed times are read with it
		return err
	}
	if err := f.validateFields(spec); err != nil {
		return err
	}
	if err := f.validateCategories(spec); err != nil {
		return err
	}
	return f.validateIndicators()
}

func (f *Feed) validateFields(spec *kindSpec) error {
	for name, src := range f.Columns {
		c := spec.column(name)
		if c == nil || !c.mapped {
			return fmt.Errorf("columns.%s: not a field of %s; its fields are: %s", name, f.Kind, spec.mappedNames())
		}
		if len(src) == 0 {
			return fmt.Errorf("columns.%s: give the source column it is read from", name)
		}
		for _, s := range src {
			if strings.TrimSpace(s) == "" {
				return fmt.Errorf("columns.%s: a source column name is empty", name)
			}
		}
	}
	f.fixed = map[string]cell{}
	for name, v := range f.Fixed {
		c := spec.column(name)
		if c == nil || !c.mapped {
			return fmt.Errorf("fixed.%s: not a field of %s; its fields are: %s", name, f.Kind, spec.mappedNames())
		}
		if _, both := f.Columns[name]; both {
			return fmt.Errorf("fixed.%s: also read from a column; declare it in columns or in fixed, not both", name)
		}
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("fixed.%s: give the value every row has", name)
		}
		cl, reason := f.typeValue(c, strings.TrimSpace(v))
		if reason != "" {
			return fmt.Errorf("fixed.%s: %q: %s", name, v, reason)
		}
		f.fixed[name] = cl
	}
	for _, c := range spec.cols {
		if !c.required || !c.mapped {
			continue
		}
		if _, ok := f.Columns[c.name]; ok {
			continue
		}
		if _, ok := f.Fixed[c.name]; !ok {
			return fmt.Errorf("columns.%s: %s needs it; map it to a source column (or give it in fixed)", c.name, f.Kind)
		}
	}
	if f.Kind == Population && f.Columns["residents"] == nil && f.Columns["workday_population"] == nil {
		return errors.New("columns: map residents, workday_population or both")
	}
	return nil
}

func (f *Feed) validateCoordinates(spec *kindSpec) error {
	if !spec.located {
		if f.Coordinates != nil {
			return fmt.Errorf("coordinates: %s has no location", f.Kind)
		}
		return nil
	}
	c := f.Coordinates
	if c == nil {
		if f.Format != GeoJSON {
			return nil // a register or log without points; coordinates are NULL
		}
		c = &Coordinates{}
		f.Coordinates = c
	}
	switch strings.ToUpper(strings.ReplaceAll(c.CRS, " ", "")) {
	case "", WGS84, "WGS84":
		c.CRS = WGS84
	case BNG, "BNG":
		c.CRS = BNG
	default:
		return fmt.Errorf("coordinates.crs: %q is not EPSG:4326 (longitude/latitude) or EPSG:27700 (easting/northing)", c.CRS)
	}
	if (c.X == "") != (c.Y == "") {
		return errors.New("coordinates: give both x and y source columns")
	}
	if c.X == "" && f.Format != GeoJSON {
		return errors.New("coordinates: give the x and y source columns (only GeoJSON has a geometry to read them from)")
	}
	return nil
}

func (f *Feed) validateTime(spec *kindSpec) error {
	if spec.timeField == "" {
		if f.Time != nil {
			return fmt.Errorf("time: %s has no time field", f.Kind)
		}
		return nil
	}
	if f.Time == nil || f.Time.Layout == "" {
		return fmt.Errorf("time.layout: say how %s is written, as a Go layout such as \"02/01/2006 15:04\" or RFC3339", spec.timeField)
	}
	if strings.EqualFold(f.Time.Layout, "RFC3339") {
		f.Time.Layout = time.RFC3339
	}
	if f.Time.Zone == "" {
		f.Time.Zone = DefaultZone
	}
	loc, err := time.LoadLocation(f.Time.Zone)
	if err != nil {
		return fmt.Errorf("time.zone: %v", err)
	}
	f.loc = loc
	l := f.Time.Layout
	ref := time.Date(2020, 10, 25, 1, 30, 45, 0, time.UTC)
	back, err := time.Parse(l, ref.Format(l))
	if err != nil || back.Year() != 2020 {
		return fmt.Errorf("time.layout: %q cannot be read back with a year; write it with Go's reference time 2006-01-02 15:04:05", l)
	}
	if f.Kind == Incidents && (back.Hour() != 1 || back.Minute() != 30) {
		return fmt.Errorf("time.layout: %q has no hour and minute; incidents need the time of day (15:04)", l)
	}
	if strings.Contains(l, "MST") {
		return fmt.Errorf("time.layout: %q reads a zone abbreviation, which Go cannot resolve (BST is not unique); use a numeric offset (Z07:00) or none, with time.zone", l)
	}
	f.hasZone = strings.Contains(l, "Z07") || strings.Contains(l, "-07")
	return nil
}

func (f *Feed) validateCategories(spec *kindSpec) error {
	if f.Categories == nil {
		return nil
	}
	if spec.category == "" {
		return fmt.Errorf("categories: %s has no category field", f.Kind)
	}
	if len(f.Categories.Map) == 0 {
		return errors.New("categories.map: give the source values and the stored category of each")
	}
	f.cats = make(map[string]string, len(f.Categories.Map))
	for from, to := range f.Categories.Map {
		key := strings.ToLower(strings.TrimSpace(from))
		if _, dup := f.cats[key]; dup {
			return fmt.Errorf("categories.map: %q is given twice (values are compared ignoring case)", from)
		}
		if strings.TrimSpace(to) == "" {
			return fmt.Errorf("categories.map: %q maps to an empty category", from)
		}
		f.cats[key] = strings.TrimSpace(to)
	}
	switch f.Categories.Unmapped {
	case "":
		f.Categories.Unmapped = "quarantine"
	case "quarantine", "keep":
	default:
		return fmt.Errorf("categories.unmapped: %q is not quarantine or keep", f.Categories.Unmapped)
	}
	return nil
}

func (f *Feed) validateIndicators() error {
	if f.Kind != Indicators {
		if len(f.Indicators) > 0 {
			return fmt.Errorf("indicators: only an indicators feed declares indicators, not %s", f.Kind)
		}
		return nil
	}
	if len(f.Indicators) == 0 {
		return errors.New("indicators: declare every indicator code with its pillar and direction (+1 higher is better, -1 lower is better)")
	}
	for code, ind := range f.Indicators {
		if strings.TrimSpace(ind.Pillar) == "" {
			return fmt.Errorf("indicators.%s.pillar: say which pillar of the index it belongs to", code)
		}
		if ind.Direction != 1 && ind.Direction != -1 {
			return fmt.Errorf("indicators.%s.direction: %d; use +1 (higher is better) or -1 (lower is better)", code, ind.Direction)
		}
	}
	for from, code := range f.Categories.mapping() {
		if _, ok := f.Indicators[strings.TrimSpace(code)]; !ok {
			return fmt.Errorf("categories.map: %q maps to indicator %q, which indicators: does not declare", from, code)
		}
	}
	if c, ok := f.fixed["indicator"]; ok {
		if _, ok := f.Indicators[c.s]; !ok {
			return fmt.Errorf("fixed.indicator: %q is not declared under indicators", c.s)
		}
	}
	return nil
}

func (c *Categories) mapping() map[string]string {
	if c == nil {
		return nil
	}
	return c.Map
}

// IsURL reports whether a feed source is an http(s) URL rather than a path.
func IsURL(source string) bool {
	s := strings.ToLower(source)
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

func joinKinds() string {
	var s []string
	for _, k := range Kinds {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}
