package serve

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunFileKeptApart: the address is readable beside the database as
// before; the local key is in a file its owner alone can read, written
// afresh, never through whatever was at its path (a link another user of
// the folder planted, or an old file of another mode).
func TestRunFileKeptApart(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.duckdb")
	planted := filepath.Join(dir, "planted")
	if err := os.WriteFile(planted, []byte("theirs\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(planted, KeyFilePath(db)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(RunFilePath(db), []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	remove, err := WriteRunFile(db, &net.TCPAddr{IP: net.IPv4zero, Port: 8080}, "the-key")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(planted); string(b) != "theirs\n" {
		t.Errorf("the key was written through the planted link: %q", b)
	}
	for path, mode := range map[string]os.FileMode{KeyFilePath(db): 0o600, RunFilePath(db): 0o644} {
		fi, err := os.Lstat(path)
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != mode {
			t.Errorf("%s: %v %v, want a plain file of mode %v", filepath.Base(path), fi.Mode(), err, mode)
		}
	}
	rf, err := ReadRunFile(db)
	if err != nil || rf.URL != "http://127.0.0.1:8080" || rf.Key != "the-key" {
		t.Errorf("read back %+v, %v", rf, err)
	}
	if b, _ := os.ReadFile(RunFilePath(db)); len(b) == 0 || strings.Contains(string(b), "the-key") {
		t.Errorf("the run file, readable by others, holds the key: %s", b)
	}
	remove()
	for _, path := range []string{KeyFilePath(db), RunFilePath(db)} {
		if _, err := os.Lstat(path); !os.IsNotExist(err) {
			t.Errorf("%s left after the server stopped: %v", filepath.Base(path), err)
		}
	}
}
