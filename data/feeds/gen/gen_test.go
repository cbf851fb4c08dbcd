package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestFeedsUpToDate regenerates the sample feeds into a temporary folder and
// compares every file with the committed data/feeds: a change to the
// generator without `go generate ./...` fails here.
func TestFeedsUpToDate(t *testing.T) {
	const committed = "../../feeds"
	shared := filepath.Join("..", "..", "..", "..", "shared")
	if d := os.Getenv("SAFERCITY_SHARED"); d != "" {
		shared = d
	}
	out := t.TempDir()
	generate(out, "../../police-uk", shared)
	_, sharedErr := os.Stat(filepath.Join(shared, "data/partner/population"))
	n := 0
	err := filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(out, path) // path is below out by construction
		want, err := os.ReadFile(filepath.Join(committed, rel))
		if err != nil {
			t.Errorf("%s is generated but not committed: run `go generate ./...`", rel)
			return nil
		}
		got, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, want) {
			t.Errorf("data/feeds/%s is stale: run `go generate ./...` and commit the result", rel)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 8 {
		t.Fatalf("compared only %d generated files", n)
	}
	if sharedErr != nil {
		t.Logf("ONS population subset not checked: %v (needs ../shared)", sharedErr)
	}
}
