// Package serve is SaferCity's HTTP side: routing, the JSON API and the
// dashboard — the monthly index with its RAG grid, hotspot maps, the
// analysts' named queries and the job history — that works offline, over a
// store and a scheduler.Runner (package scheduler runs the jobs).
//
// The API and the dashboard only read the store; the one thing a request
// can change is to queue a configured job. Requests from other machines
// need a bearer token.
package serve

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	_ "time/tzdata" // Europe/London must work on machines without zoneinfo
	"unicode/utf8"

	"github.com/safercity/safercity/hotspots"
	"github.com/safercity/safercity/scheduler"
	"github.com/safercity/safercity/store"
)

// ServerOptions configure a Server.
type ServerOptions struct {
	// Tokens are the bearer tokens accepted from requests that do not come
	// from this machine; with none, only this machine is served.
	Tokens []string
	// Hosts are the host names (without port) this server answers to in
	// the Host header, besides localhost and IP addresses; a request naming
	// any other host is refused, so that a web page whose name rebinds to
	// this machine's address cannot use the server.
	Hosts []string
	// Profile returns the hotspot options of a profile as the
	// configuration defines it, for the back-test route; an unknown name's
	// error wraps names.ErrUnknown. Nil: the route says no profiles are
	// configured.
	Profile func(name string) (hotspots.Options, error)
	// BehindProxy says a reverse proxy on this machine relays requests to
	// the server, so that a request over the loopback may come from
	// anywhere: every request then needs a token (the proxy, having
	// authenticated its user, adds it), or the server's local key, which
	// only the commands beside the database read (LocalKey).
	BehindProxy bool
	Log         *slog.Logger // nil for slog.Default()
}

// A Server is the HTTP API and dashboard over a store and a runner.
type Server struct {
	st      *store.Store
	runner  *scheduler.Runner
	profile func(string) (hotspots.Options, error)
	tokens  [][]byte
	hosts   map[string]bool
	// localKey is the secret of the key file beside the database: a
	// request carrying it comes from whoever can read that file, on this
	// machine.
	localKey    []byte
	behindProxy bool
	log         *slog.Logger
	pages       map[string]*template.Template
	handler     http.Handler
}

// Limits on what a request may send.
const (
	maxBody        = 16 << 10 // no route reads more than an empty form
	maxQuery       = 4 << 10
	maxParams      = 32
	maxValue       = 512
	maxHeader      = 32 << 10
	requestTimeout = time.Minute // a query or map that takes longer is cut off
)

// NewServer returns the API and dashboard for st and r.
func NewServer(st *store.Store, r *scheduler.Runner, o ServerOptions) *Server {
	s := &Server{st: st, runner: r, profile: o.Profile, log: o.Log, pages: parsePages(), behindProxy: o.BehindProxy}
	s.localKey = []byte(rand.Text())
	if s.log == nil {
		s.log = slog.Default()
	}
	for _, t := range o.Tokens {
		s.tokens = append(s.tokens, []byte(t))
	}
	s.hosts = map[string]bool{"localhost": true}
	for _, h := range o.Hosts {
		s.hosts[strings.ToLower(strings.TrimSuffix(h, "."))] = true
	}
	mux := http.NewServeMux()
	rt := &router{s: s, mux: mux, methods: map[string][]string{}}
	s.routeAPI(rt)
	s.routePages(rt)
	rt.finish()
	// A page on another site must not make a browser on this machine queue
	// jobs (the loopback needs no token).
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusForbidden, "a request from another site's page may not change anything here: use this dashboard's own buttons, or call the API from a script")
	}))
	s.handler = s.checkHost(s.limit(s.authorize(cop.Handler(mux))))
	return s
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	// No script runs on these pages, and nothing is fetched from elsewhere.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
	defer cancel()
	s.handler.ServeHTTP(w, r.WithContext(ctx))
}

// limit refuses oversized or malformed requests before they reach a handler.
func (s *Server) limit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > maxBody {
			s.fail(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body of %d bytes: at most %d are accepted", r.ContentLength, maxBody))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		if len(r.URL.RawQuery) > maxQuery {
			s.fail(w, r, http.StatusRequestURITooLong, fmt.Sprintf("query string of %d bytes: at most %d are accepted", len(r.URL.RawQuery), maxQuery))
			return
		}
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			s.fail(w, r, http.StatusBadRequest, "malformed query string: "+err.Error())
			return
		}
		if len(q) > maxParams {
			s.fail(w, r, http.StatusBadRequest, fmt.Sprintf("%d parameters: at most %d are accepted", len(q), maxParams))
			return
		}
		for k, vs := range q {
			for _, v := range vs {
				if len(v) > maxValue || !utf8.ValidString(k) || !utf8.ValidString(v) {
					s.fail(w, r, http.StatusBadRequest, fmt.Sprintf("parameter %.40q: values must be UTF-8 text of at most %d bytes", k, maxValue))
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// checkHost refuses, with 421 Misdirected Request, a request whose Host
// names a host this server was not configured for. DNS rebinding needs a
// name the attacker controls, so IP addresses and localhost are always
// accepted and every other name must be listed in serve.hosts.
func (s *Server) checkHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.allowedHost(r.Host) {
			next.ServeHTTP(w, r)
			return
		}
		s.log.Warn("request for another host refused", "remote", r.RemoteAddr, "host", r.Host, "path", r.URL.Path)
		s.fail(w, r, http.StatusMisdirectedRequest, fmt.Sprintf("this server does not answer for the host %.80q: add the name to serve.hosts in the configuration, or use the address it listens on", r.Host))
	})
}

func (s *Server) allowedHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if host == "" {
		return false
	}
	return s.hosts[host] || net.ParseIP(host) != nil
}

// LocalKey is the secret that makes a request count as from this machine
// whatever its address: WriteRunFile records it beside the database for
// the commands that go through the server.
func (s *Server) LocalKey() string { return string(s.localKey) }

// LocalKeyHeader is the request header that carries LocalKey.
const LocalKeyHeader = "X-Safercity-Key"

// hasLocalKey reports whether a request carries the local key and came
// straight to the server: the commands beside the database never go
// through a proxy, and a key relayed by one may have been read on the way.
func (s *Server) hasLocalKey(r *http.Request) bool {
	k := r.Header.Get(LocalKeyHeader)
	return k != "" && !relayed(r) && subtle.ConstantTimeCompare([]byte(k), s.localKey) == 1
}

// local reports whether a request needs no token: it carries the local
// key, or comes over the loopback, not relayed, to a server not behind a
// proxy.
func (s *Server) local(r *http.Request) bool {
	return s.hasLocalKey(r) || (!s.behindProxy && fromLoopback(r))
}

// authorize lets requests from this machine through and asks every other
// one for a bearer token. A request relayed by a proxy on this machine
// (it says so with one of the relayHeaders) counts as from elsewhere, as
// does every request without the local key when the server is behind a
// proxy (serve.behind_proxy).
func (s *Server) authorize(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.local(r) || s.validToken(r) {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="safercity"`)
		msg := "requests from other machines need a bearer token (Authorization: Bearer TOKEN) from serve.tokens in the configuration"
		if len(s.tokens) == 0 {
			msg = "this server has no serve.tokens configured, so it answers only requests from its own machine"
		}
		s.log.Warn("request refused", "remote", r.RemoteAddr, "path", r.URL.Path)
		s.fail(w, r, http.StatusUnauthorized, msg)
	})
}

// relayHeaders are the headers by which proxies say they relay a request:
// the standard one and those of nginx, Apache, Caddy, Traefik, HAProxy and
// the HTTP/1.1 Via. (A proxy that adds none cannot be told from a client
// on this machine: serve.behind_proxy is for it.)
var relayHeaders = []string{"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-Ip", "Via"}

func relayed(r *http.Request) bool {
	for _, h := range relayHeaders {
		if r.Header.Get(h) != "" {
			return true
		}
	}
	return false
}

func fromLoopback(r *http.Request) bool {
	if relayed(r) {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *Server) validToken(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return false
	}
	valid := 0
	for _, t := range s.tokens {
		valid |= subtle.ConstantTimeCompare([]byte(tok), t)
	}
	return valid == 1
}

// fail answers with an error: JSON for the API, a page for the dashboard.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if isAPI(r) {
		writeJSON(w, status, map[string]string{"error": msg})
		return
	}
	s.render(w, r, status, "message", page{Title: http.StatusText(status), Data: msg})
}

func isAPI(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || r.URL.Path == "/healthz"
}

// Serve answers requests on ln with s and runs r's jobs until ctx is done.
// Then it stops taking requests and jobs, lets the requests in flight
// finish, and gives the running job grace to finish before cancelling it
// (see Runner.Shutdown).
func Serve(ctx context.Context, ln net.Listener, s *Server, r *scheduler.Runner, grace time.Duration) error {
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      requestTimeout + 30*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    maxHeader,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	if err := r.Start(ctx); err != nil {
		hs.Close()
		return err
	}
	var err error
	select {
	case <-ctx.Done():
	case err = <-served:
		err = fmt.Errorf("http: %w", err)
	}
	name, since := r.Running()
	if name != "" {
		s.log.Info("stopping: no new jobs; waiting for the running one, then cancelling it",
			"job", name, "running_for", time.Since(since).Round(time.Second), "grace", grace)
	} else {
		s.log.Info("stopping")
	}
	hctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if herr := hs.Shutdown(hctx); herr != nil && !errors.Is(herr, http.ErrServerClosed) {
		s.log.Warn("http shutdown", "error", herr)
	}
	rctx, cancel := context.WithTimeoutCause(context.Background(), grace, errors.New("the shutdown grace period ran out"))
	defer cancel()
	switch rerr := r.Shutdown(rctx); {
	case errors.Is(rerr, scheduler.ErrStuck):
		err = errors.Join(err, rerr)
	case rerr != nil:
		s.log.Info("the running job was cancelled", "reason", context.Cause(rctx))
	}
	return err
}
