// Package shareddata finds the project's shared folder of real public data and
// reference values (../shared beside the repository), so that tests which need
// more than the bundled sample can use it, or skip with a message when it is
// absent.
package shareddata

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the shared folder: $SAFERCITY_SHARED when set, else the first
// folder named "shared" beside the repository root or one of its parents.
// It returns "" when there is none.
func Dir() string {
	if d := os.Getenv("SAFERCITY_SHARED"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			s := filepath.Join(filepath.Dir(d), "shared")
			if fi, err := os.Stat(s); err == nil && fi.IsDir() {
				return s
			}
			return ""
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// Path joins elem onto the shared folder, or skips the test with a message
// saying what is missing.
func Path(t testing.TB, elem ...string) string {
	t.Helper()
	d := Dir()
	if d == "" {
		t.Skip("skipping: ../shared (real data and reference values) is not beside the repository; set SAFERCITY_SHARED to its path")
	}
	p := filepath.Join(append([]string{d}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("skipping: %s is not in the shared folder: %v", filepath.Join(elem...), err)
	}
	return p
}
