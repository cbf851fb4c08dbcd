package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/safercity/safercity/internal/names"
	"github.com/safercity/safercity/maps"
	"github.com/safercity/safercity/maps/mapdb"
	"github.com/safercity/safercity/maps/mapfile"
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
	c, err := mapfile.CRS(*format, *crs)
	if err != nil {
		return fmt.Errorf("%w: --%v", errUsage, err)
	}
	st, err := store.OpenReadOnly(ctx, f.db)
	if base, ok := serverFor(f.db, err); ok {
		r := mapRequest{profile: *profile, month: *month, force: *force, format: *format, crs: *crs, layer: *layer,
			class: *class, background: *background, width: *width, height: *height}
		return exportMapServer(ctx, e, base, r, *out)
	}
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
		DrawOnly: mapfile.Draws(*format)})
	if err != nil {
		return err
	}
	if err := writeMapFile(*out, *format, mp, c, *width, *height); err != nil {
		return err
	}
	printMapWritten(e, *out, len(mp.Features), *profile, m.Format("2006-01"), *format, c.String())
	return nil
}

// printMapWritten says what export map wrote.
func printMapWritten(e *env, out string, features int, profile, month, format, crs string) {
	fmt.Fprintf(e.stdout, "%s: %d features, %s %s (%s, %s)\n", out, features, profile, month, format, crs)
	if format == "csv" {
		fmt.Fprintf(e.stdout, "%s, %s: column types and CRS for GDAL and QGIS\n", mapfile.Sidecar(out, ".csvt"), mapfile.Sidecar(out, ".prj"))
	}
}

// writeMapFile writes mp to out in format, and a CSV's sidecar files.
func writeMapFile(out, format string, mp *maps.Map, c maps.CRS, width, height int) error {
	parts, err := mapfile.Parts(format, mp, c, width, height)
	if err != nil {
		return fmt.Errorf("%w: --%v", errUsage, err)
	}
	for _, p := range parts {
		if err := writeFile(mapfile.Sidecar(out, p.Ext), p.Write); err != nil {
			return err
		}
	}
	return nil
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
// spelling, or refuses one the store holds no hotspots of, with the
// nearest, as the server's map route does (mapdb.ResolveNames).
func checkMapNames(ctx context.Context, st *store.Store, force, profile *string) error {
	o := mapdb.Options{Force: *force, Profile: *profile}
	if err := mapdb.ResolveNames(ctx, st, &o); errors.Is(err, names.ErrUnknown) {
		return fmt.Errorf("%w: --%w", errUsage, err)
	} else if err != nil {
		return err
	}
	*force, *profile = o.Force, o.Profile
	return nil
}
