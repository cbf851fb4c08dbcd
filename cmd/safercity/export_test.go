package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportMapCRSPerFormat checks that a --crs a format cannot hold is
// refused, before any database is opened or file written, instead of being
// silently ignored.
func TestExportMapCRSPerFormat(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		file, crs, want string
	}{
		{"m.kml", "27700", "KML is always WGS 84"},
		{"m.svg", "4326", "drawn in British National Grid"},
		{"m.png", "4326", "drawn in British National Grid"},
		{"m.geojson", "3857", "use 4326 or 27700"},
	} {
		out := filepath.Join(dir, tc.file)
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"export", "map", "--db", filepath.Join(dir, "none.duckdb"),
			"--profile", "nte", "--crs", tc.crs, "-o", out}, &stdout, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%s --crs %s: exit %d, %q; want exit 2 saying %q", tc.file, tc.crs, code, stderr.String(), tc.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s written although refused", tc.file)
		}
	}
}
