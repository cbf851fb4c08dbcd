package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/safercity/safercity/serve"
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

// TestLocalKeyGoesStraight: a request with the server's local key is not
// sent on after a redirect, where another host would read the key, nor
// through a proxy of the environment.
func TestLocalKeyGoesStraight(t *testing.T) {
	var seen atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(serve.LocalKeyHeader) != "" {
			seen.Add(1)
		}
	}))
	defer other.Close()
	redirecting := httptest.NewServer(http.RedirectHandler(other.URL+"/api/jobs", http.StatusFound))
	defer redirecting.Close()
	if _, _, err := apiCall(context.Background(), http.MethodGet, remote{url: redirecting.URL, key: "k"}, "/api/jobs", nil, nil); err == nil || !strings.Contains(err.Error(), "redirect") {
		t.Errorf("a redirect with the key: %v, want refused", err)
	}
	if seen.Load() != 0 {
		t.Error("the key went to the host redirected to")
	}
	if tr, ok := clientFor(remote{url: redirecting.URL, key: "k"}).Transport.(*http.Transport); !ok || tr.Proxy != nil {
		t.Error("a request with the key may go through HTTP_PROXY")
	}
	// Without the key (a token holder elsewhere), redirects and proxies
	// are the environment's to decide.
	if _, _, err := apiCall(context.Background(), http.MethodGet, remote{url: redirecting.URL}, "/api/jobs", nil, nil); err != nil {
		t.Errorf("a redirect without the key: %v", err)
	}
}
