//go:build unix

package serve

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestMapsSQLBacktestBesideServer: export map, hotspots backtest and sql
// only printed the server's address while `safercity serve` held the
// database. They now go through its API and write, byte for byte, what
// they write reading the database themselves: run directly on a copy of
// the store, then beside a server on the original, and compare.
func TestMapsSQLBacktestBesideServer(t *testing.T) {
	bin := safercity(t)
	dir := t.TempDir()
	for _, sub := range []string{"orig", "copy", "direct", "beside"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	db := filepath.Join(dir, "orig", "s.duckdb")
	repo, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"ingest", "police", "--quiet", filepath.Join(repo, "data/police-uk")},
		{"ingest", "boundaries", "--layer", "lsoa", "--code-prop", "LSOA11CD", "--name-prop", "LSOA11NM", filepath.Join(repo, "data/boundaries/city_of_london_lsoa_2011.geojson")},
		{"transform", "--quiet"},
		{"hotspots", "--profile", "violence", "--force", "city-of-london", "--month", "2020-11"},
	} {
		if _, stderr, code := runIn(t, dir, bin, append(args, "--db", db)...); code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, code, stderr)
		}
	}
	copyFile(t, db, filepath.Join(dir, "copy", "s.duckdb"))
	commands := [][]string{
		{"sql", "--format", "csv", "SELECT force, month, count(*) AS n, round(avg(harm), 4) AS harm, count(DISTINCT lsoa_code) AS lsoas FROM crimes_enriched GROUP BY ALL ORDER BY ALL"},
		{"sql", "--format", "json", "SELECT crime_type, month, count(*) AS n FROM crimes_enriched WHERE located GROUP BY ALL ORDER BY ALL"},
		{"sql", "WITH m AS (SELECT month, count(*) AS n FROM crimes_enriched GROUP BY ALL) SELECT * FROM m ORDER BY month"},
		{"export", "map", "--profile", "violence", "--month", "2020-11", "-o", "cells.csv"},
		{"export", "map", "--profile", "Violence", "--force", "city-of-london", "--crs", "27700", "-o", "cells.geojson"},
		{"export", "map", "--profile", "violence", "-o", "latest.kml"},
		{"export", "map", "--profile", "violence", "--month", "2020-11", "--class", "trend", "-o", "trend.svg"},
		{"export", "map", "--profile", "violence", "--month", "2020-11", "--width", "600", "--height", "450", "-o", "cells.png"},
		{"export", "map", "--profile", "violence", "--month", "2020-11", "--layer", "lsoa", "-o", "lsoa.csv"},
		{"hotspots", "backtest", "--profile", "violence", "--force", "city-of-london"},
		{"hotspots", "backtest", "--profile", "violence", "--force", "city-of-london", "--inputs", "2", "--json"},
		{"hotspots", "backtest", "--profile", "violence", "--month", "2020-11"},
	}
	direct := make([]string, len(commands))
	for i, args := range commands {
		out, stderr, code := runIn(t, filepath.Join(dir, "direct"), bin, append(args, "--db", "../copy/s.duckdb")...)
		if code != 0 {
			t.Fatalf("%v directly: exit %d\n%s", args, code, stderr)
		}
		direct[i] = out
	}
	config := filepath.Join(dir, "safercity.yaml")
	if err := os.WriteFile(config, []byte("schedule:\n  index: \"\"\n  feeds: \"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, db, config)
	base := strings.TrimSuffix(srv.url, "/")
	for i, args := range commands {
		out, stderr, code := runIn(t, filepath.Join(dir, "beside"), bin, append(args, "--db", "../orig/s.duckdb")...)
		if code != 0 || !strings.Contains(stderr, "server="+base) {
			t.Errorf("%v beside the server: exit %d, want 0 and a note naming %s\n%s", args, code, base, stderr)
			continue
		}
		if out != direct[i] {
			t.Errorf("%v: beside the server\n%.2000s\ndirectly\n%.2000s", args, out, direct[i])
		}
	}
	sameFiles(t, filepath.Join(dir, "direct"), filepath.Join(dir, "beside"), 10)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sql", "SELECT * FROM read_csv('/etc/passwd')"}, "table function"},
		{[]string{"export", "map", "--profile", "violence", "--force", "city-of-londn", "-o", "x.png"}, `did you mean "city-of-london"?`},
		{[]string{"hotspots", "backtest", "--profile", "violence", "--force", "leicestershir"}, `did you mean "leicestershire"?`},
	} {
		out, stderr, code := runIn(t, filepath.Join(dir, "beside"), bin, append(tc.args, "--db", "../orig/s.duckdb")...)
		if code != 2 || out != "" || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v beside the server: exit %d, %q\n%s\nwant exit 2 saying %s", tc.args, code, out, stderr, tc.want)
		}
	}
}

// runIn runs the command in dir and returns its standard output and error
// and exit code.
func runIn(t *testing.T, dir, bin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return stdout.String(), stderr.String(), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), 0
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// sameFiles checks that two folders hold the same n files, byte for byte.
func sameFiles(t *testing.T, a, b string, n int) {
	t.Helper()
	ents, err := os.ReadDir(a)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != n {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("%d files written directly, want %d: %v", len(ents), n, names)
	}
	for _, e := range ents {
		x, err := os.ReadFile(filepath.Join(a, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(b, e.Name()))
		if err != nil {
			t.Errorf("%s: written directly, not beside the server: %v", e.Name(), err)
			continue
		}
		if !bytes.Equal(x, y) || len(x) == 0 {
			t.Errorf("%s: %d bytes directly, %d beside the server, not the same", e.Name(), len(x), len(y))
		}
	}
}

// TestBesideBehindProxy: with serve.behind_proxy, the loopback is not
// trusted, but the commands beside the database still go through the
// server: they send the local key from the key file, which only the
// server's user can read.
func TestBesideBehindProxy(t *testing.T) {
	bin := safercity(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "s.duckdb")
	repo, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	loaded, stderr, code := runIn(t, dir, bin, "ingest", "police", "--quiet", "--db", db, filepath.Join(repo, "data/police-uk/2020-11"))
	m := regexp.MustCompile(`(?m)^total +(\d+) `).FindStringSubmatch(loaded)
	if code != 0 || m == nil {
		t.Fatalf("ingest: exit %d\n%s%s", code, loaded, stderr)
	}
	config := filepath.Join(dir, "safercity.yaml")
	if err := os.WriteFile(config, []byte("serve:\n  behind_proxy: true\nschedule:\n  index: \"\"\n  feeds: \"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, db, config)
	fi, err := os.Stat(KeyFilePath(db))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v, want readable by its owner alone", fi, err)
	}
	resp, err := http.Get(srv.url + "api/jobs")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a request over the loopback without token behind a proxy: %s, want 401", resp.Status)
	}
	out, stderr, code := runIn(t, dir, bin, "sql", "--db", db, "--format", "csv", "SELECT (SELECT count(*) FROM police_street) + (SELECT count(*) FROM police_outcomes) + (SELECT count(*) FROM police_stop_search) AS n")
	if code != 0 || out != "n\n"+m[1]+"\n" {
		t.Errorf("sql beside the server behind a proxy: exit %d, %q\n%s", code, out, stderr)
	}
}
