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

	header, column, _, err := csvColumns(m)
	if err != nil {
		return err
	}

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

// csvColumns returns the CSV header (every property name in the order first
// seen, then WKTColumn), each name's column, and each column's GDAL type.
func csvColumns(m *Map) (header []string, column map[string]int, types []string, err error) {
	column = make(map[string]int)
	for _, f := range m.Features {
		for _, p := range f.Properties {
			t := gdalType(p.Value)
			i, ok := column[p.Name]
			if !ok {
				column[p.Name] = len(header)
				header = append(header, p.Name)
				types = append(types, t)
				continue
			}
			switch {
			case types[i] == "":
				types[i] = t
			case t != "" && t != types[i]:
				types[i] = "String" // mixed types: text holds them all
			}
		}
	}
	if _, ok := column[WKTColumn]; ok {
		return nil, nil, nil, fmt.Errorf("maps: a property is called %s, the name of the geometry column", WKTColumn)
	}
	for i, t := range types {
		if t == "" {
			types[i] = "String" // only nulls
		}
	}
	return append(header, WKTColumn), column, append(types, "WKT"), nil
}

// gdalType returns the GDAL CSV type of a property value, "" for nil.
func gdalType(v any) string {
	switch v.(type) {
	case string:
		return "String"
	case bool:
		return "Integer(Boolean)"
	case int, int64:
		return "Integer64"
	case float64:
		return "Real"
	}
	return ""
}

// WriteCSVT writes the .csvt file that GDAL, and so QGIS, read beside a CSV
// written by WriteCSV to type its columns: a single line naming each
// column's type (Integer64, Real, Integer(Boolean), String, WKT), so that
// count, z and bin are numbers rather than text.
func WriteCSVT(w io.Writer, m *Map) error {
	_, _, types, err := csvColumns(m)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write(types)
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("maps: writing CSVT: %w", err)
	}
	return nil
}

// WritePRJ writes the .prj file that GDAL and ArcGIS read beside a CSV or
// shapefile to learn its coordinate reference system: crs in ESRI's
// well-known text.
func WritePRJ(w io.Writer, crs CRS) error {
	text, ok := esriWKT[crs]
	if !ok {
		return fmt.Errorf("maps: unsupported CRS %v", crs)
	}
	if _, err := io.WriteString(w, text); err != nil {
		return fmt.Errorf("maps: writing PRJ: %w", err)
	}
	return nil
}

// esriWKT is each CRS in ESRI's well-known text, as gdalsrsinfo -o wkt_esri
// writes it.
var esriWKT = map[CRS]string{
	WGS84: `GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],` +
		`PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`,
	BNG: `PROJCS["British_National_Grid",GEOGCS["GCS_OSGB_1936",DATUM["D_OSGB_1936",` +
		`SPHEROID["Airy_1830",6377563.396,299.3249646]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],` +
		`PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",400000.0],PARAMETER["False_Northing",-100000.0],` +
		`PARAMETER["Central_Meridian",-2.0],PARAMETER["Scale_Factor",0.9996012717],PARAMETER["Latitude_Of_Origin",49.0],` +
		`UNIT["Meter",1.0]]`,
}
