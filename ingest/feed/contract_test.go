package feed

import (
	"path/filepath"
	"strings"
	"testing"
)

const sampleConfig = "../../data/feeds/feeds.yaml"

func TestFeedSampleContractLoads(t *testing.T) {
	c, err := Load(sampleConfig)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[Kind]int{}
	for _, f := range c.Feeds {
		kinds[f.Kind]++
	}
	for _, k := range Kinds {
		if kinds[k] == 0 {
			t.Errorf("the sample has no %s feed", k)
		}
	}
	f, err := c.Lookup("col-cad")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(filepath.Dir(sampleConfig), "incidents/col-cad-ILLUSTRATIVE.csv"); f.Source != want {
		t.Errorf("source %q, want it resolved against the configuration's folder: %q", f.Source, want)
	}
	if f.Time.Zone != DefaultZone || f.Encoding != "utf-8" || f.Format != CSV {
		t.Errorf("defaults: zone %q, encoding %q, format %q", f.Time.Zone, f.Encoding, f.Format)
	}
	legacy, _ := c.Lookup("col-premises-legacy")
	if legacy.Categories == nil || len(legacy.Categories.Map) != 5 {
		t.Errorf("the legacy register's categories (a YAML alias of the other register's) were not read: %+v", legacy.Categories)
	}
	ind, _ := c.Lookup("resilience-indicators")
	if d := ind.Indicators["cyber_essentials_pct"].Direction; d != 1 {
		t.Errorf("direction +1 read as %d", d)
	}
	if _, err := c.Lookup("no-such-feed"); err == nil || !strings.Contains(err.Error(), "col-cad") {
		t.Errorf("Lookup of an unknown feed: %v; want the error to list the feeds", err)
	}
}

// A contract mistake is reported naming the feed and the key, and saying what
// would be right.
func TestFeedContractErrors(t *testing.T) {
	base := `
  - name: cad
    kind: incidents
    partner: Police
    source: cad.csv
    time: {layout: "02/01/2006 15:04"}
    columns: {occurred_at: When, category: Type}
`
	for _, tc := range []struct {
		name, yaml string
		want       []string
	}{
		{"no feeds", "units: []\n", []string{"no feeds: section"}},
		{"unknown kind", strings.Replace(base, "kind: incidents", "kind: crimes", 1), []string{`feed "cad"`, "kind", `"crimes"`, "premises, incidents, population, indicators"}},
		{"misspelt key", strings.Replace(base, "partner:", "partnr:", 1), []string{`feed "cad"`, "partnr is not a setting"}},
		{"misspelt nested key", strings.Replace(base, "time: {layout:", "time: {layuot:", 1), []string{"time.layuot is not a setting"}},
		{"unknown field", strings.Replace(base, "category: Type", "category: Type, offence: Offence", 1), []string{`feed "cad"`, "columns.offence", "not a field of incidents", "occurred_at"}},
		{"required field missing", strings.Replace(base, ", category: Type", "", 1), []string{"columns.category", "incidents needs it"}},
		{"bad name", strings.Replace(base, "name: cad", "name: Police CAD", 1), []string{"name:", "lower-case"}},
		{"no layout", strings.Replace(base, `time: {layout: "02/01/2006 15:04"}`, "", 1), []string{"time.layout", "occurred_at"}},
		{"layout without time of day", strings.Replace(base, "02/01/2006 15:04", "02/01/2006", 1), []string{"time.layout", "time of day"}},
		{"zone abbreviation", strings.Replace(base, "02/01/2006 15:04", "02/01/2006 15:04 MST", 1), []string{"time.layout", "abbreviation"}},
		{"bad zone", strings.Replace(base, `layout: "02/01/2006 15:04"`, `layout: "02/01/2006 15:04", zone: Europe/Londres`, 1), []string{"time.zone"}},
		{"bad encoding", strings.Replace(base, "source: cad.csv", "source: cad.csv\n    encoding: latin-9", 1), []string{"encoding", "windows-1252"}},
		{"bad format", strings.Replace(base, "source: cad.csv", "source: cad.txt", 1), []string{"format:", "csv, json or geojson"}},
		{"bad crs", strings.Replace(base, "source: cad.csv", "source: cad.csv\n    coordinates: {crs: EPSG:3857, x: X, y: Y}", 1), []string{"coordinates.crs", "EPSG:3857"}},
		{"half a pair", strings.Replace(base, "source: cad.csv", "source: cad.csv\n    coordinates: {x: X}", 1), []string{"coordinates", "both x and y"}},
		{"categories for population", `
  - name: pop
    kind: population
    partner: ONS
    source: pop.csv
    columns: {area_code: Code, residents: All}
    fixed: {area_type: lsoa, year: 2019}
    categories: {map: {a: b}}
`, []string{`feed "pop"`, "categories", "no category field"}},
		{"fixed value of the wrong type", `
  - name: pop
    kind: population
    partner: ONS
    source: pop.csv
    columns: {area_code: Code, residents: All}
    fixed: {area_type: ward, year: 2019}
`, []string{"fixed.area_type", "lsoa or lad"}},
		{"indicator without direction", `
  - name: ind
    kind: indicators
    partner: Dashboard
    source: ind.csv
    time: {layout: "2006-01"}
    columns: {unit: Area, period: Month, indicator: Code, value: Value}
    indicators: {cyber: {pillar: digital}}
`, []string{`feed "ind"`, "indicators.cyber.direction", "+1"}},
		{"mapped indicator not declared", `
  - name: ind
    kind: indicators
    partner: Dashboard
    source: ind.csv
    time: {layout: "2006-01"}
    columns: {unit: Area, period: Month, indicator: Measure, value: Value}
    categories: {map: {Cyber incidents: cyber, Footfall: footfall}}
    indicators: {cyber: {pillar: digital, direction: -1}}
`, []string{"categories.map", `"footfall"`, "does not declare"}},
		{"duplicate name", base + base, []string{`feed "cad"`, "already used"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := tc.yaml
			if !strings.HasPrefix(strings.TrimSpace(src), "units") {
				src = "feeds:" + src
			}
			_, err := Parse([]byte(src), "/cfg")
			if err == nil {
				t.Fatalf("no error for:\n%s", src)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// Other stages keep their own sections in the same file.
func TestFeedOtherSectionsAreLeftAlone(t *testing.T) {
	c, err := Parse([]byte(`
schedule: {ingest: "0 6 * * *"}
index: {method: arithmetic}
feeds:
  - name: pop
    kind: population
    source: https://example.org/pop.csv
    columns: {area_code: Code, residents: All}
    fixed: {area_type: LSOA, year: 2019}
`), "/cfg")
	if err != nil {
		t.Fatal(err)
	}
	f := c.Feeds[0]
	if f.Source != "https://example.org/pop.csv" {
		t.Errorf("a URL source became %q", f.Source)
	}
	if f.Partner != "pop" {
		t.Errorf("partner %q, want the feed's name when none is given", f.Partner)
	}
	if f.fixed["area_type"].s != "lsoa" || f.fixed["year"].i != 2019 {
		t.Errorf("fixed values typed as %+v", f.fixed)
	}
}

// TestLookupSuggests: a mistyped feed name gets the nearest declared one.
func TestLookupSuggests(t *testing.T) {
	c := &Config{Feeds: []*Feed{{Name: "col-cad"}, {Name: "ons-population-2019"}}}
	if _, err := c.Lookup("col-cda"); err == nil || !strings.Contains(err.Error(), `did you mean "col-cad"?`) {
		t.Errorf("Lookup(col-cda): %v", err)
	}
}
