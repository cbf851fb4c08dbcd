package maps

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ from the current output")

// TestGoldenSVG compares SVG maps with the files in testdata/, which a
// reviewer looks at in a browser: the Gi* map at the default size, and the
// 17-pattern trend legend on the pages that used to fail (the dashboard's
// 1000x760, --height 600, and a small 800x450 page), laid out in columns and
// set smaller. Run go test ./maps -run Golden -update after a deliberate
// change, and look at the files before committing them.
func TestGoldenSVG(t *testing.T) {
	for _, tc := range []struct {
		name          string
		m             *Map
		width, height int
	}{
		{"gistar", testMap(), DefaultWidth, DefaultHeight},
		{"trend", trendMap(), 1000, 760},
		{"trend", trendMap(), 1200, 600},
		{"trend", trendMap(), 800, 450},
	} {
		var buf bytes.Buffer
		if err := WriteSVG(&buf, tc.m, tc.width, tc.height); err != nil {
			t.Fatalf("%s %dx%d: %v", tc.name, tc.width, tc.height, err)
		}
		path := filepath.Join("testdata", fmt.Sprintf("%s-%dx%d.svg", tc.name, tc.width, tc.height))
		if *update {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./maps -run Golden -update to create it)", err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("%s differs from the golden file; if the change is meant, run go test ./maps -run Golden -update and look at it", path)
		}
	}
}
