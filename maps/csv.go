package maps

import (
	"encoding/csv"
	"fmt"
	"io"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
)

// WKTColumn is the name of the CSV column holding each cell's geometry; GDAL,
// and so QGIS, recognise a column of this name as geometry.
const WKTColumn = "WKT"

// WriteCSV writes one row per feature of m: its properties, then its polygon
// as well-known text in the WKT column. The header lists every property name
// in the order first seen; a feature without a property leaves it empty, as
// do nil values and floats that are NaN or infinite.
//
// With crs WGS84 coordinates are longitude and latitude from toWGS84, rounded
// to 7 decimal places; with crs BNG they are British National Grid metres as
// given and toWGS84 may be nil. CSV cannot say which, so name the file after
// its CRS.
func WriteCSV(w io.Writer, m *Map, crs CRS, toWGS84 orb.Projection) error {
	proj, err := outputProjection(crs, toWGS84)
	if err != nil {
		return err
	}
	polys, err := featurePolygons(m, proj)
	if err != nil {
		return err
	}

	var header []string
	column := make(map[string]int)
	for _, f := range m.Features {
		for _, p := range f.Properties {
			if _, ok := column[p.Name]; !ok {
				column[p.Name] = len(header)
				header = append(header, p.Name)
			}
		}
	}
	if _, ok := column[WKTColumn]; ok {
		return fmt.Errorf("maps: a property is called %s, the name of the geometry column", WKTColumn)
	}
	header = append(header, WKTColumn)

	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("maps: writing CSV: %w", err)
	}
	row := make([]string, len(header))
	for i, f := range m.Features {
		clear(row)
		for _, p := range f.Properties {
			row[column[p.Name]], _ = formatValue(p.Value)
		}
		var g orb.Geometry = polys[i]
		if len(polys[i]) == 1 {
			g = polys[i][0]
		}
		row[len(row)-1] = wkt.MarshalString(g)
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("maps: writing CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("maps: writing CSV: %w", err)
	}
	return nil
}
