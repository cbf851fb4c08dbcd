// Package mapfile owns the map file formats a user asks for by name —
// GeoJSON, KML, CSV (with its .csvt and .prj), SVG and PNG — with the
// coordinate systems each can hold, so that `safercity export map` and the
// server's map route accept the same formats and write the same bytes.
package mapfile

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/safercity/safercity/bng"
	"github.com/safercity/safercity/internal/names"
	"github.com/safercity/safercity/maps"
)

// Formats are the names a map format may be given by; json is GeoJSON.
var Formats = []string{"geojson", "json", "kml", "csv", "svg", "png"}

// A FormatError is a format, or a format and coordinate system, that
// cannot be written; its message says what can.
type FormatError string

func (e FormatError) Error() string { return string(e) }

func formatError(format string, args ...any) error {
	return FormatError(fmt.Sprintf(format, args...))
}

// Check returns an error for a format not in Formats.
func Check(format string) error {
	for _, f := range Formats {
		if f == format {
			return nil
		}
	}
	return formatError("format %q%s: use geojson, kml, csv, svg or png", format, names.DidYouMean(format, Formats))
}

// Draws reports whether the format is a drawing (SVG, PNG), which needs
// only what it shows of each feature.
func Draws(format string) bool { return format == "svg" || format == "png" }

// CRS checks an EPSG code against what the format can hold; 0 means the
// format's own: WGS 84 for GeoJSON, CSV and KML, British National Grid for
// SVG and PNG.
func CRS(format string, code int) (maps.CRS, error) {
	switch format {
	case "kml":
		if code != 0 && code != 4326 {
			return 0, formatError("crs %d: KML is always WGS 84 (EPSG:4326) by its specification; drop crs, or use geojson or csv for 27700", code)
		}
		return maps.WGS84, nil
	case "svg", "png":
		if code != 0 && code != 27700 {
			return 0, formatError("crs %d: SVG and PNG maps are drawn in British National Grid (EPSG:27700); drop crs", code)
		}
		return maps.BNG, nil
	}
	switch code {
	case 0, 4326:
		return maps.WGS84, nil
	case 27700:
		return maps.BNG, nil
	}
	return 0, formatError("crs %d: use 4326 or 27700", code)
}

// A Part is one file of a map in a format: the map itself, and for CSV the
// .csvt and .prj GDAL and QGIS read beside it.
type Part struct {
	Ext   string // the file's extension, with the dot; "" for the map itself
	Write func(w io.Writer) error
}

// Parts returns the files of mp in format, in crs, drawn at width by height
// pixels for SVG and PNG.
func Parts(format string, mp *maps.Map, crs maps.CRS, width, height int) ([]Part, error) {
	var write func(io.Writer) error
	switch format {
	case "geojson", "json":
		write = func(w io.Writer) error { return maps.WriteGeoJSON(w, mp, crs, bng.BNGToWGS84) }
	case "kml":
		write = func(w io.Writer) error { return maps.WriteKML(w, mp, bng.BNGToWGS84) }
	case "csv":
		return []Part{
			{"", func(w io.Writer) error { return maps.WriteCSV(w, mp, crs, bng.BNGToWGS84) }},
			{".csvt", func(w io.Writer) error { return maps.WriteCSVT(w, mp) }},
			{".prj", func(w io.Writer) error { return maps.WritePRJ(w, crs) }},
		}, nil
	case "svg":
		write = func(w io.Writer) error { return maps.WriteSVG(w, mp, width, height) }
	case "png":
		write = func(w io.Writer) error { return maps.WritePNG(w, mp, width, height) }
	default:
		return nil, Check(format)
	}
	return []Part{{"", write}}, nil
}

// Sidecar returns the path beside a map file with its extension replaced
// by ext, where GDAL looks for .csvt and .prj files.
func Sidecar(path, ext string) string {
	if ext == "" {
		return path
	}
	return strings.TrimSuffix(path, filepath.Ext(path)) + ext
}
