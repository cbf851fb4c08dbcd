package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/safercity/safercity/internal/regfile"

	"github.com/safercity/safercity/ingest"
	"github.com/safercity/safercity/store"
	"github.com/safercity/safercity/transform/area"
)

func init() {
	register(&command{
		name: "ingest boundaries",
		args: "--layer NAME --code-prop PROP FILE.geojson",
		summary: "Load a GeoJSON boundary layer (Polygon/MultiPolygon, WGS 84 or EPSG:27700) for the\n" +
			"transform stage: crimes get the layer's area by point-in-polygon. Layers named\n" +
			"\"lsoa\" and \"lad\" also fill in the LSOA or district of crimes whose file has none.",
		run: runIngestBoundaries,
	})
}

func runIngestBoundaries(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, lookup("ingest boundaries"))
	f.dbFlag()
	layer := f.String("layer", "", "layer `name`, e.g. lsoa, ward, bid (required)")
	codeProp := f.String("code-prop", "", "feature `property` holding each area's code, e.g. LSOA11CD (required)")
	nameProp := f.String("name-prop", "", "feature `property` holding each area's name, e.g. LSOA11NM")
	asJSON := f.Bool("json", false, "print the result as JSON")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *layer == "" {
		return fmt.Errorf("%w: give --layer and one GeoJSON file", errUsage)
	}
	if *codeProp == "" {
		return fmt.Errorf("%w: give --code-prop; the file's features have the properties %s", errUsage, propertiesOf(pos[0]))
	}
	st, err := store.Open(ctx, f.db)
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := ingest.Boundaries(ctx, st, *layer, pos[0], *codeProp, *nameProp, checkLayer)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(r)
	}
	fmt.Fprintf(e.stdout, "%s: layer %s, %d areas (%s), %s\n", r.Path, r.Layer, r.Areas, r.CRS, r.Status)
	return nil
}

func checkLayer(b []byte, codeProp, nameProp string) ([]ingest.Area, string, error) {
	l, err := area.Load(bytes.NewReader(b), codeProp, nameProp)
	if err != nil {
		return nil, "", err
	}
	var areas []ingest.Area
	for _, f := range l.Features() {
		areas = append(areas, ingest.Area{Code: f.Code, Name: f.Name})
	}
	return areas, l.SourceCRS().String(), nil
}

// propertiesOf lists the property names of a GeoJSON file's first feature,
// to tell a user which --code-prop to choose.
func propertiesOf(path string) string {
	var fc struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	b, err := regfile.ReadFile(path, ingest.DefaultMaxFileBytes)
	if err != nil || json.Unmarshal(b, &fc) != nil || len(fc.Features) == 0 {
		return "(unreadable)"
	}
	var names []string
	for k := range fc.Features[0].Properties {
		names = append(names, k)
	}
	sort.Strings(names)
	return fmt.Sprint(names)
}
