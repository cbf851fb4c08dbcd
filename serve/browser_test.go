//go:build unix

package serve

import (
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/safercity/safercity/maps"
	"github.com/safercity/safercity/store"
)

// TestBrowser loads the bundled sample with the real pipeline, starts
// `safercity serve` on loopback and opens each dashboard page in headless
// Chromium, checking what a person would see: the index grid's units and
// colours, the map's cells, a query's rows, the job history. Screenshots go
// to $TEST_OUTPUT/browser, or to a temporary folder.
func TestBrowser(t *testing.T) {
	chromium, url, out := browserServer(t)
	t.Run("index", func(t *testing.T) { browseIndex(t, chromium, url, out) })
	t.Run("map", func(t *testing.T) { browseMap(t, chromium, url, out) })
	t.Run("query", func(t *testing.T) { browseQuery(t, chromium, url, out) })
	t.Run("jobs", func(t *testing.T) { browseJobs(t, chromium, url, out) })
	t.Run("home", func(t *testing.T) { browseHome(t, chromium, url, out) })
}

// browserServer loads the bundled sample with the real pipeline, adds the
// index fixture and starts `safercity serve` on loopback. It returns
// Chromium's path, the server's URL and the screenshots' folder.
func browserServer(t *testing.T) (chromium, url, out string) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (Debian: apt-get install chromium); CI installs it and runs this test")
	}
	bin := safercity(t)
	out = t.TempDir()
	if dir := os.Getenv("TEST_OUTPUT"); dir != "" {
		out = filepath.Join(dir, "browser")
		if err := os.MkdirAll(out, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "safercity.duckdb")
	police, _ := filepath.Abs("../data/police-uk")
	boundaries, _ := filepath.Abs("../data/boundaries/city_of_london_lsoa_2011.geojson")
	config := filepath.Join(dir, "safercity.yaml")
	if err := os.WriteFile(config, []byte("police:\n  inbox: "+police+"\nschedule:\n  police: \"\"\n  index: \"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"ingest", "boundaries", "--db", db, "--layer", "lsoa", "--code-prop", "LSOA11CD", "--name-prop", "LSOA11NM", boundaries},
		// index too: it runs after new data, and would otherwise catch up
		// at the server's start over the fixture below, which replaces what
		// it stored.
		{"run", "--db", db, "--config", config, "police", "transform", "hotspots", "index"},
	} {
		if b, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			t.Fatalf("safercity %s: %v\n%s", strings.Join(args[:2], " "), err, b)
		}
	}
	// The index of the page under test: a fixture of what the index stage
	// stores, so that the colours to expect are known.
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"index_scores", "index_reports"} {
		if _, err := st.DB.Exec(`DELETE FROM ` + table + ` WHERE month = DATE '2020-11-01'`); err != nil {
			t.Fatal(err)
		}
	}
	insertIndexFixture(t, st)
	st.Close()

	srv := startServer(t, db, config)
	t.Logf("screenshots in %s", out)
	return chromium, srv.url, out

}

// browseIndex checks the index grid: units in rank order, their RAG cells and arrows, and the colours on screen.
func browseIndex(t *testing.T, chromium, url, out string) {
	dom, shot := browse(t, chromium, url+"index/2020-11", filepath.Join(out, "index.png"))
	rowRE := regexp.MustCompile(`(?s)<tr>\s*<td class="num">(\d+)</td><th class="unit" scope="row">([^<]+)</th>(.*?)</tr>`)
	ragRE := regexp.MustCompile(`<td class="(rag-[a-z]+)" data-rag="([A-Z/]+)"[^>]*>([^<]*)<span class="lab">(.)</span>`)
	want := []struct {
		unit   string
		rags   string
		arrows string // of the overall score: vs previous month, vs last year
	}{
		{"City of London", "GREEN GREEN AMBER", "▲▶"},
		{"Leicester", "AMBER AMBER GREEN", "▶▶"},
		{"Charnwood", "RED RED N/A", "▼▼"},
	}
	rows := rowRE.FindAllStringSubmatch(dom, -1)
	if len(rows) != len(want) {
		t.Fatalf("%d unit rows in the grid, want %d:\n%s", len(rows), len(want), dom)
	}
	for i, w := range want {
		if rows[i][1] != []string{"1", "2", "3"}[i] || rows[i][2] != w.unit {
			t.Errorf("row %d: rank %s unit %q, want %d %q", i, rows[i][1], rows[i][2], i+1, w.unit)
		}
		var rags []string
		cells := ragRE.FindAllStringSubmatch(rows[i][3], -1)
		for _, c := range cells {
			rags = append(rags, c[2])
			if want := map[string]string{"GREEN": "rag-green", "AMBER": "rag-amber", "RED": "rag-red", "N/A": "rag-na"}[c[2]]; c[1] != want {
				t.Errorf("%s: a %s cell has class %s", w.unit, c[2], c[1])
			}
		}
		if got := strings.Join(rags, " "); got != w.rags {
			t.Errorf("%s: RAG %q, want %q", w.unit, got, w.rags)
		}
		if len(cells) > 0 && !strings.Contains(cells[0][3], w.arrows) {
			t.Errorf("%s: overall cell %q lacks the arrows %s", w.unit, cells[0][3], w.arrows)
		}
	}
	if !strings.Contains(dom, `href="/reports/index-2020-11.html"`) {
		t.Error("no link to the full report")
	}
	// The colours a person sees.
	for name, c := range map[string]color.RGBA{"green": {0x1b, 0x78, 0x37, 0xff}, "amber": {0xfd, 0xb8, 0x63, 0xff}, "red": {0xb2, 0x18, 0x2b, 0xff}} {
		if n := countColour(shot, c); n < 300 {
			t.Errorf("%d %s pixels in the screenshot, want the RAG cells' hundreds", n, name)
		}
	}
}

// browseMap checks the hotspot map: cells with grid references, the boundaries, the legend and the hot spot red on screen.
func browseMap(t *testing.T, chromium, url, out string) {
	dom, shot := browse(t, chromium, url+"hotspots/nte/2020-11", filepath.Join(out, "map.png"))
	start := strings.Index(dom, `<g id="cells">`)
	if start < 0 {
		t.Fatalf("no map cells on the page:\n%.2000s", dom)
	}
	cells := dom[start : start+strings.Index(dom[start:], "</g>")]
	titled := regexp.MustCompile(`<path d="M[^"]+" fill="#[0-9a-f]{6}"[^>]*><title>TQ \d{3} \d{3}`).FindAllString(cells, -1)
	if len(titled) < 50 {
		t.Errorf("%d cells with a grid reference to hover, want the City's hundreds", len(titled))
	}
	for _, want := range []string{`<g id="boundaries">`, "Hot spot - 99% confidence", "city-of-london", `id="top-cells"`} {
		if !strings.Contains(dom, want) {
			t.Errorf("the map page lacks %q", want)
		}
	}
	hot := maps.GiStarLegend().Classes[0].Color
	if n := countColour(shot, color.RGBA{hot.R, hot.G, hot.B, 0xff}); n < 200 {
		t.Errorf("%d pixels of the 99%% hot spot red in the screenshot, want a cluster of cells", n)
	}
}

// browseQuery checks a named query's result table and its form.
func browseQuery(t *testing.T, chromium, url, out string) {
	dom, _ := browse(t, chromium, url+"queries/violence_profile?top=5", filepath.Join(out, "query.png"))
	start := strings.Index(dom, `<table id="result">`)
	if start < 0 {
		t.Fatalf("no result table:\n%.3000s", dom)
	}
	table := dom[start:]
	table = table[:strings.Index(table, "</table>")]
	rows := regexp.MustCompile(`<tr><td>(TQ \d{3} \d{3})</td>`).FindAllStringSubmatch(table, -1)
	if len(rows) != 5 || !strings.Contains(table, `<th scope="col">grid_ref</th>`) {
		t.Errorf("%d result rows with grid references, want 5:\n%s", len(rows), table)
	}
	if !strings.Contains(dom, `value="5"`) {
		t.Error("the form does not show the parameter given")
	}
}

// browseJobs checks the job history: a successful manual run of each job, and the run-now button.
func browseJobs(t *testing.T, chromium, url, out string) {
	dom, _ := browse(t, chromium, url+"jobs", filepath.Join(out, "jobs.png"))
	start := strings.Index(dom, `<table id="history">`)
	if start < 0 {
		t.Fatalf("no history table:\n%.3000s", dom)
	}
	for _, job := range []string{"police", "transform", "hotspots"} {
		found := false
		for _, row := range strings.Split(dom[start:], "<tr>") {
			found = found || strings.Contains(row, `">`+job+`</a></td><td>manual</td>`) && strings.Contains(row, `<td class="status-succeeded">succeeded</td>`)
		}
		if !found {
			t.Errorf("the history lacks a successful manual run of %s", job)
		}
	}
	if !strings.Contains(dom, "Run police now") {
		t.Error("no button to run police now")
	}
}

// browseHome checks the overview's links to the index and the maps.
func browseHome(t *testing.T, chromium, url, out string) {
	dom, _ := browse(t, chromium, url, filepath.Join(out, "home.png"))
	for _, want := range []string{`href="/index/2020-11"`, `href="/hotspots/nte/2020-11"`, `href="/hotspots/violence/2020-11"`} {
		if !strings.Contains(dom, want) {
			t.Errorf("the overview lacks %s", want)
		}
	}
}

// browse opens url in headless Chromium and returns the page's DOM and a
// screenshot of it, also saved to shot.
func browse(t *testing.T, chromium, url, shot string) (string, image.Image) {
	t.Helper()
	run := func(args ...string) []byte {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir=" + t.TempDir()}
		cmd := exec.CommandContext(ctx, chromium, append(append(base, args...), url)...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("chromium %s: %v\n%s", args[0], err, stderr.String())
		}
		return out
	}
	dom := string(run("--dump-dom"))
	run("--screenshot="+shot, "--window-size=1280,900")
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot %s: %v", shot, err)
	}
	return dom, img
}

// countColour counts the pixels of exactly colour c.
func countColour(img image.Image, c color.RGBA) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if uint8(r>>8) == c.R && uint8(g>>8) == c.G && uint8(bl>>8) == c.B {
				n++
			}
		}
	}
	return n
}
