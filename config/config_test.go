package main

import (
	"errors"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/safercity/safercity/internal/regfile"
)

// A --config naming a FIFO is refused at once: open(2) on it blocked every
// command, past SIGTERM, until killed (the other special files are tested
// in internal/regfile).
func TestLoadConfigRefusesFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "safercity.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	done := make(chan error, 1)
	go func() { _, err := loadConfig(fifo); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, regfile.ErrNotRegular) {
			t.Errorf("loadConfig(FIFO) = %v, want a not-a-regular-file error", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("loadConfig(FIFO) still blocked after a minute")
	}
}
