package main

import (
	"context"
	"fmt"
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
			"EPSG:27700 form QGIS reads with --crs 27700), KML, CSV with WKT, or SVG/PNG maps with\n" +
			"legend, scale bar, north arrow and attribution. Cells, or the areas of a boundary layer.",
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
	crs := f.Int("crs", 4326, "`EPSG` code of GeoJSON and CSV coordinates: 4326 (WGS 84) or 27700 (British National Grid)")
	layer := f.String("layer", "cells", "`cells`, or a boundary layer such as lsoa whose areas carry the crime")
	class := f.String("class", "bin", "colour by the Gi* confidence `bin` or the emerging hot spot trend")
	background := f.String("background", "", "boundary `layer` drawn under the cells (default lsoa when loaded)")
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
	var c maps.CRS
	switch *crs {
	case 4326:
		c = maps.WGS84
	case 27700:
		c = maps.BNG
	default:
		return fmt.Errorf("%w: --crs %d: use 4326 or 27700", errUsage, *crs)
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
	mp, err := mapdb.Load(ctx, st, mapdb.Options{Profile: *profile, Force: *force, Month: m, Layer: *layer, Class: *class, Background: *background})
	if err != nil {
		return err
	}
	serve.DiscloseMap(disclosure.Default(), mp)
	fh, err := os.Create(*out)
	if err != nil {
		return err
	}
	switch *format {
	case "geojson", "json":
		err = maps.WriteGeoJSON(fh, mp, c, bng.BNGToWGS84)
	case "kml":
		err = maps.WriteKML(fh, mp, bng.BNGToWGS84)
	case "csv":
		err = maps.WriteCSV(fh, mp, c, bng.BNGToWGS84)
	case "svg":
		err = maps.WriteSVG(fh, mp, *width, *height)
	case "png":
		err = maps.WritePNG(fh, mp, *width, *height)
	default:
		err = fmt.Errorf("%w: format %q: use geojson, kml, csv, svg or png", errUsage, *format)
	}
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(*out)
		return err
	}
	fmt.Fprintf(e.stdout, "%s: %d features, %s %s (%s)\n", *out, len(mp.Features), *profile, m.Format("2006-01"), *format)
	return nil
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
