package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/safercity/safercity/bng"
	"github.com/safercity/safercity/disclosure"
	"github.com/safercity/safercity/maps"
	"github.com/safercity/safercity/maps/mapdb"
	"github.com/safercity/safercity/serve"
	"github.com/safercity/safercity/store"
)

func init() {
	register(&command{
		name: "export map",
		args: "--profile P -o FILE",
		summary: "Write a profile's stored hotspots for a month as a map file: GeoJSON (RFC 7946, or the\n" +
			"EPSG:27700 form QGIS reads with --crs 27700), KML (typed SchemaData), CSV with WKT plus a\n" +
			".csvt and .prj beside it so GDAL and QGIS read typed columns in the right CRS, or SVG/PNG\n" +
			"maps with legend, scale bar, north arrow and attribution. Cells, or the areas of a boundary\n" +
			"layer. Coordinates: GeoJSON and CSV in 4326 (default) or 27700; KML is WGS 84 (4326) by\n" +
			"its specification; SVG and PNG are drawn in British National Grid (27700). A --crs a\n" +
			"format cannot hold is refused.",
		run: runExportMap,
	})
}

func runExportMap(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, lookup("export map"))
	f.dbFlag()
	profile := f.String("profile", "", "hotspot profile `name` (required)")
	month := f.String("month", "", "`YYYY-MM` (default: the latest month with enriched crimes)")
	force := f.String("force", "", "only this force `slug`")
	format := f.String("format", "", "geojson, kml, csv, svg or png (default: from the -o file's extension)")
	crs := f.Int("crs", 0, "`EPSG` code of the coordinates: GeoJSON and CSV 4326 (WGS 84, default) or 27700 (British National Grid); KML only 4326; SVG and PNG only 27700")
	layer := f.String("layer", "cells", "`cells`, or a boundary layer such as lsoa or lad whose areas holding analysed cells carry the crime")
	class := f.String("class", "bin", "colour by the Gi* confidence `bin`, the emerging hot spot trend, lisa: Local Moran's I clusters (HH, LL) and outliers (HL, LH) significant after FDR, forecast: next month's expected crimes per cell, or with --layer lsoa or lad the stored area statistics: rate (raw crimes per 1,000 residents), ebrate (Empirical Bayes), excess (excess risk) or change (against last year's month, beyond Poisson noise or not)")
	background := f.String("background", "", "boundary `layer` drawn under the cells (default lsoa when loaded; districts, layer lad, are always outlined and named)")
	width := f.Int("width", maps.DefaultWidth, "SVG/PNG width in `pixels`")
	height := f.Int("height", maps.DefaultHeight, "SVG/PNG height in `pixels`")
	out := f.String("o", "", "output `file` (required)")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if *profile == "" || *out == "" {
		return fmt.Errorf("%w: give --profile and -o FILE", errUsage)
	}
	if *format == "" {
		*format = strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), ".")
	}
	switch *format {
	case "geojson", "json", "kml", "csv", "svg", "png":
	default:
		return fmt.Errorf("%w: format %q: use geojson, kml, csv, svg or png", errUsage, *format)
	}
	c, err := formatCRS(*format, *crs)
	if err != nil {
		return err
	}
	st, err := store.OpenReadOnly(ctx, f.db)
	if err != nil {
		return err
	}
	defer st.Close()
	m, err := monthOrLatest(ctx, st, *month)
	if err != nil {
		return err
	}
	if err := checkMapNames(ctx, st, force, profile); err != nil {
		return err
	}
	mp, err := mapdb.Load(ctx, st, mapdb.Options{Profile: *profile, Force: *force, Month: m, Layer: *layer, Class: *class, Background: *background,
		DrawOnly: *format == "svg" || *format == "png"})
	if err != nil {
		return err
	}
	serve.DiscloseMap(disclosure.Default(), mp)
	if err := writeMapFile(*out, *format, mp, c, *width, *height); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: %d features, %s %s (%s, %v)\n", *out, len(mp.Features), *profile, m.Format("2006-01"), *format, c)
	if *format == "csv" {
		fmt.Fprintf(e.stdout, "%s, %s: column types and CRS for GDAL and QGIS\n", sidecar(*out, ".csvt"), sidecar(*out, ".prj"))
	}
	return nil
}

// formatCRS checks --crs against what the format can hold; 0 means the
// format's own: WGS 84 for GeoJSON, CSV and KML, British National Grid for
// SVG and PNG.
func formatCRS(format string, code int) (maps.CRS, error) {
	switch format {
	case "kml":
		if code != 0 && code != 4326 {
			return 0, fmt.Errorf("%w: --crs %d: KML is always WGS 84 (EPSG:4326) by its specification; drop --crs, or use geojson or csv for 27700", errUsage, code)
		}
		return maps.WGS84, nil
	case "svg", "png":
		if code != 0 && code != 27700 {
			return 0, fmt.Errorf("%w: --crs %d: SVG and PNG maps are drawn in British National Grid (EPSG:27700); drop --crs", errUsage, code)
		}
		return maps.BNG, nil
	}
	switch code {
	case 0, 4326:
		return maps.WGS84, nil
	case 27700:
		return maps.BNG, nil
	}
	return 0, fmt.Errorf("%w: --crs %d: use 4326 or 27700", errUsage, code)
}

// sidecar returns the path beside a CSV file with its extension replaced,
// where GDAL looks for .csvt and .prj files.
func sidecar(path, ext string) string {
	return strings.TrimSuffix(path, filepath.Ext(path)) + ext
}

// writeMapFile writes mp to out in format, and a CSV's sidecar files.
func writeMapFile(out, format string, mp *maps.Map, c maps.CRS, width, height int) error {
	err := writeFile(out, func(w io.Writer) error {
		switch format {
		case "geojson", "json":
			return maps.WriteGeoJSON(w, mp, c, bng.BNGToWGS84)
		case "kml":
			return maps.WriteKML(w, mp, bng.BNGToWGS84)
		case "csv":
			return maps.WriteCSV(w, mp, c, bng.BNGToWGS84)
		case "svg":
			return maps.WriteSVG(w, mp, width, height)
		case "png":
			return maps.WritePNG(w, mp, width, height)
		}
		return fmt.Errorf("%w: format %q: use geojson, kml, csv, svg or png", errUsage, format)
	})
	if err == nil && format == "csv" {
		err = writeFile(sidecar(out, ".csvt"), func(w io.Writer) error { return maps.WriteCSVT(w, mp) })
		if err == nil {
			err = writeFile(sidecar(out, ".prj"), func(w io.Writer) error { return maps.WritePRJ(w, c) })
		}
	}
	return err
}

// writeFile creates path and writes it with write, removing it when that
// fails so that no half-written map is left behind.
func writeFile(path string, write func(io.Writer) error) error {
	fh, err := os.Create(path)
	if err != nil {
		return err
	}
	err = write(fh)
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path) // best effort: the write's error is the one to report
	}
	return err
}

// checkMapNames replaces a map's --force and --profile by the store's
// spelling, or refuses one the store holds no hotspots of, with the nearest.
func checkMapNames(ctx context.Context, st *store.Store, force, profile *string) (err error) {
	if *force, err = checkForce(ctx, st, *force); err != nil {
		return err
	}
	*profile, err = checkStored(ctx, st, "profile", *profile, `SELECT DISTINCT profile FROM hotspot_runs ORDER BY 1`)
	return err
}
