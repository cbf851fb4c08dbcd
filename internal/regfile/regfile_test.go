package regfile

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// call runs f and fails the test if it has not returned within a minute:
// the failure being tested for is a read that blocks for ever.
func call(t *testing.T, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(time.Minute):
		t.Fatal("still blocked after a minute")
		return nil
	}
}

func TestReadFileRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "safercity.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	zero := filepath.Join(dir, "zero.yaml")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{fifo, zero, dir} {
		_, err := readGuarded(t, p)
		if !errors.Is(err, ErrNotRegular) {
			t.Errorf("ReadFile(%s) = %v, want ErrNotRegular", p, err)
		}
	}
}

func readGuarded(t *testing.T, p string) ([]byte, error) {
	var b []byte
	err := call(t, func() (err error) { b, err = ReadFile(p, 1<<20); return err })
	return b, err
}

func TestReadFileLimit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.yaml")
	if err := os.WriteFile(p, []byte("transform:\n  cell_size: 100\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := ReadFile(p, 1<<10)
	if err != nil || string(b) != "transform:\n  cell_size: 100\n" {
		t.Fatalf("ReadFile = %q, %v", b, err)
	}
	if _, err := ReadFile(p, 10); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("ReadFile over the limit = %v, want ErrTooLarge", err)
	}
}
