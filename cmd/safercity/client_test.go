package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestAPICallRefusesAnOverlongAnswer: an answer longer than apiCall reads
// is an error, not a body cut short that the command would write as whole.
func TestAPICallRefusesAnOverlongAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x", 101)))
	}))
	defer srv.Close()
	defer func(n int64) { maxAnswer = n }(maxAnswer)
	maxAnswer = 101
	if body, _, err := apiCall(context.Background(), http.MethodGet, remote{url: srv.URL}, "/api/sql", nil, nil); err != nil || len(body) != 101 {
		t.Fatalf("an answer of exactly the limit: %d bytes, %v", len(body), err)
	}
	maxAnswer = 100
	if body, _, err := apiCall(context.Background(), http.MethodGet, remote{url: srv.URL}, "/api/sql", nil, nil); err == nil {
		t.Fatalf("an answer over the limit came back as %d bytes, want an error", len(body))
	} else if !strings.Contains(err.Error(), "narrow the request") {
		t.Errorf("error %q does not say what to do", err)
	}
}
