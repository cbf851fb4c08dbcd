// Package poll waits in tests for something another goroutine or process
// does: a job to finish, a server to answer.
package poll

import (
	"testing"
	"time"
)

// Until polls cond every 10 ms until it holds, failing the test after
// timeout with what it was waiting for.
func Until(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
