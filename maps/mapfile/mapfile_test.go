package mapfile

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/safercity/safercity/maps"
)

// TestCRSPerFormat: --crs 27700 was silently ignored for KML, SVG and PNG;
// each format holds what it can and refuses the rest.
func TestCRSPerFormat(t *testing.T) {
	for format, want := range map[string]string{"kml": "EPSG:4326", "svg": "EPSG:27700", "png": "EPSG:27700", "csv": "EPSG:4326", "geojson": "EPSG:4326"} {
		c, err := CRS(format, 0)
		if err != nil || c.String() != want {
			t.Errorf("%s without a crs: %v, %v; want %s", format, c, err, want)
		}
	}
	for _, tc := range []struct {
		format string
		code   int
	}{{"kml", 27700}, {"svg", 4326}, {"png", 4326}, {"geojson", 3857}, {"csv", 3857}} {
		var fe FormatError
		if _, err := CRS(tc.format, tc.code); !errors.As(err, &fe) {
			t.Errorf("%s in %d: %v, want a FormatError", tc.format, tc.code, err)
		}
	}
	if err := Check("shp"); err == nil || !strings.Contains(err.Error(), "geojson, kml, csv, svg or png") {
		t.Errorf("format shp: %v", err)
	}
}

// TestCSVParts: a CSV map is three files, the CSV first, named as GDAL
// looks for them.
func TestCSVParts(t *testing.T) {
	mp := &maps.Map{Title: "t", Profile: "violence", Month: "2020-11", Legend: maps.GiStarLegend(),
		Features: []maps.Feature{{Geometry: orb.Polygon{{{530000, 180000}, {530100, 180000}, {530100, 180100}, {530000, 180000}}}}}}
	parts, err := Parts("csv", mp, maps.BNG, 0, 0)
	if err != nil || len(parts) != 3 || parts[0].Ext != "" || parts[1].Ext != ".csvt" || parts[2].Ext != ".prj" {
		t.Fatalf("csv parts: %v, %+v", err, parts)
	}
	var b bytes.Buffer
	if err := parts[2].Write(&b); err != nil || !strings.Contains(b.String(), "British_National_Grid") {
		t.Errorf("the .prj of a 27700 CSV: %v %q", err, b.String())
	}
	for path, want := range map[string]string{"out/cells.csv": "out/cells.csvt", "cells": "cells.csvt", "a.b/cells.txt": "a.b/cells.csvt"} {
		if got := Sidecar(path, ".csvt"); got != want {
			t.Errorf("Sidecar(%q) = %q, want %q", path, got, want)
		}
	}
	if parts, err := Parts("png", mp, maps.BNG, 0, 0); err != nil || len(parts) != 1 {
		t.Errorf("png parts: %v, %d", err, len(parts))
	}
}
