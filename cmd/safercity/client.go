package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/safercity/safercity/serve"
	"github.com/safercity/safercity/store"
)

// A remote is a server the commands ask: its URL, and the local key when
// it is the one recorded beside the database (which lets the command
// through as on the server's machine, behind a proxy too).
type remote struct {
	url, key string
}

func (r remote) String() string { return r.url }

// serverFor returns the server recorded beside the database at db, when
// err says the database is locked: reading commands then ask the server
// instead. ok is false when err is another error, or no server is
// recorded (a load holds the database).
func serverFor(db string, err error) (base remote, ok bool) {
	if !errors.Is(err, store.ErrLocked) {
		return remote{}, false
	}
	rf, rerr := serve.ReadRunFile(db)
	if rerr != nil { // none recorded, or unreadable: the lock error alone says what to do
		return remote{}, false
	}
	return remote{url: rf.URL, key: rf.Key}, true
}

// serverAt is the server at url, with the local key when it is the one
// recorded beside the database at db (and only then: the key must not go
// to any other address).
func serverAt(db, url string) remote {
	r := remote{url: url}
	if rf, err := serve.ReadRunFile(db); err == nil && strings.TrimSuffix(rf.URL, "/") == strings.TrimSuffix(url, "/") {
		r.key = rf.Key
	}
	return r
}

// lockedHint adds to an error that the database is locked where the server
// holding it answers, if one is recorded.
func lockedHint(db string, err error) error {
	if base, ok := serverFor(db, err); ok {
		return fmt.Errorf("%w\nThe server on this database answers at %s (e.g. safercity jobs --server %s)", err, base, base)
	}
	return err
}

// apiGet reads path from the server at base into v (JSON), with the
// token of SAFERCITY_TOKEN; an error answer becomes an error with its
// message.
func apiGet(ctx context.Context, base remote, path string, q url.Values, v any) error {
	body, _, err := apiCall(ctx, http.MethodGet, base, path, q, nil)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%s%s: not the answer expected (%v)", base, path, err)
	}
	return nil
}

// clientFor is the HTTP client for a server. One sent the local key goes
// straight to it: never through a proxy of the environment (HTTP_PROXY),
// nor after a redirect, where the key could be read on the way.
func clientFor(base remote) *http.Client {
	c := &http.Client{Timeout: 2 * time.Minute}
	if base.key != "" {
		c.Transport = &http.Transport{Proxy: nil}
		c.CheckRedirect = func(*http.Request, []*http.Request) error {
			return errors.New("the server answered with a redirect: the commands beside the database do not follow one")
		}
	}
	return c
}

// maxAnswer bounds the body of an answer that apiCall reads.
var maxAnswer int64 = 1 << 30

// apiCall sends a request to path of the server at base, with its local
// key or the token of SAFERCITY_TOKEN and body (nil for none), and returns the answer's
// body and headers; an error answer becomes an error with its message (a
// usage error for 400 and 404: the request asked for something wrong).
func apiCall(ctx context.Context, method string, base remote, path string, q url.Values, body []byte) ([]byte, http.Header, error) {
	u, err := url.Parse(strings.TrimSuffix(base.url, "/") + path)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, nil, fmt.Errorf("%w: server %q: want a URL such as http://127.0.0.1:8080", errUsage, base)
	}
	u.RawQuery = q.Encode()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	}
	if base.key != "" {
		req.Header.Set(serve.LocalKeyHeader, base.key)
	}
	if tok := os.Getenv("SAFERCITY_TOKEN"); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := clientFor(base).Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("the server at %s does not answer (%w); if it has stopped, delete its record beside the database", base, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return nil, nil, err
	}
	if int64(len(out)) > maxAnswer {
		// Cut, it would read as a whole answer: a CSV or table short of
		// rows, a map or workbook that does not open.
		return nil, nil, fmt.Errorf("%s: the answer is over %d MiB, more than is read from a server: narrow the request (a LIMIT or WHERE, one force), or stop the server and run the command on the database", u.Redacted(), maxAnswer>>20)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(out, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(out)) // not the API's JSON: show what came
		}
		if resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusNotFound {
			return nil, nil, fmt.Errorf("%w: %s", errUsage, e.Error)
		}
		return nil, nil, fmt.Errorf("%s: %s: %s", u.Redacted(), resp.Status, e.Error)
	}
	return out, resp.Header, nil
}
