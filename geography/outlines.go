package geography

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/safercity/safercity/bng"
	"github.com/safercity/safercity/data"
)

// Outline is the generalised outline of one 2011 district of England, in
// British National Grid metres, named by the district it is part of today.
type Outline struct {
	District string
	Rings    [][][2]float64 // outer rings of its polygons
}

// Outlines returns the bundled outlines (data/boundaries/districts.geojson).
// Wales is not covered.
func Outlines() ([]Outline, error) { return outlines() }

var outlines = sync.OnceValues(func() ([]Outline, error) {
	var doc struct {
		Features []struct {
			Properties struct {
				Name string `json:"name"`
			} `json:"properties"`
			Geometry struct {
				Coordinates [][][][2]float64 `json:"coordinates"` // MultiPolygon
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(data.DistrictBoundaries, &doc); err != nil {
		return nil, fmt.Errorf("data/boundaries/districts.geojson: %w", err)
	}
	out := make([]Outline, 0, len(doc.Features))
	for _, f := range doc.Features {
		o := Outline{District: f.Properties.Name}
		for _, poly := range f.Geometry.Coordinates {
			ring := make([][2]float64, len(poly[0]))
			for i, p := range poly[0] {
				ring[i][0], ring[i][1] = bng.ToBNG(p[0], p[1])
			}
			o.Rings = append(o.Rings, ring)
		}
		out = append(out, o)
	}
	return out, nil
})
