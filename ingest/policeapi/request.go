package policeapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

const (
	// maxGetURL is the longest GET the API accepts; longer ones are answered
	// 400, so they are sent as POST with a form body instead.
	maxGetURL = 4094
	// maxBody bounds one answer read into memory; the largest real ones
	// (10,000 crimes) are about 5 MB.
	maxBody = 256 << 20
	// maxRetryWait is the longest Retry-After the client sleeps through;
	// a longer one ends the fetch, to be run again later.
	maxRetryWait = 5 * time.Minute
	firstBackoff = time.Second
	maxBackoff   = time.Minute
)

// errTooMany is the API's answer to an area holding more than 10,000
// results: HTTP 503 without Retry-After.
var errTooMany = errors.New("the area holds more than 10,000 results")

// request is one API call: a path below the base URL and its parameters.
type request struct {
	path   string
	params url.Values
}

// key identifies the request whatever method carries it.
func (r request) key() string { return r.path + "?" + r.params.Encode() }

// isArea reports whether the request names a custom area, which the API
// refuses with 503 when it holds too much.
func (r request) isArea() bool { return r.params.Has("poly") }

// StatusError is an HTTP status the API kept answering.
type StatusError struct {
	Method     string
	URL        string // shortened when the area makes it long
	StatusCode int
	Attempts   int
	Body       string // the start of the answer
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("%s %s: HTTP %d %s", e.Method, e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Body != "" {
		msg += fmt.Sprintf(" (%q)", e.Body)
	}
	switch {
	case e.StatusCode == http.StatusTooManyRequests:
		return msg + fmt.Sprintf(" after %d attempts: something else is using this address's allowance of 15 requests a second; run again later", e.Attempts)
	case e.StatusCode >= 500:
		return msg + fmt.Sprintf(" after %d attempts: the API is failing; run again later", e.Attempts)
	case e.StatusCode == http.StatusNotFound:
		return msg + ": check the force and neighbourhood ids against the API's forces and neighbourhoods lists"
	case e.StatusCode == http.StatusBadRequest:
		return msg + ": the API refused the parameters; check the force id, the month (YYYY-MM) and the area"
	}
	return msg
}

// get returns the answer to r, from the spool folder when an earlier run
// kept it there, and keeps a new answer there before returning it. An empty
// spool keeps nothing. An area that was too big is remembered too, so that a
// rerun goes straight to its quarters.
func (c *Client) get(ctx context.Context, spool string, r request) ([]byte, error) {
	if spool == "" {
		return c.do(ctx, r)
	}
	answer, tooMany := spoolPaths(spool, r)
	if b, err := os.ReadFile(answer); err == nil {
		return b, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reading the spool: %w", err)
	}
	if _, err := os.Stat(tooMany); err == nil {
		return nil, errTooMany
	}
	b, err := c.do(ctx, r)
	if errors.Is(err, errTooMany) {
		if err := writeAtomic(tooMany, []byte(errTooMany.Error()+"\n")); err != nil {
			return nil, fmt.Errorf("writing the spool: %w", err)
		}
		return nil, errTooMany
	}
	if err != nil {
		return nil, err
	}
	if err := writeAtomic(answer, b); err != nil {
		return nil, fmt.Errorf("writing the spool: %w", err)
	}
	return b, nil
}

// getJSON decodes the answer to r into v.
func (c *Client) getJSON(ctx context.Context, spool string, r request, v any) error {
	b, err := c.get(ctx, spool, r)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: the answer is not in the documented shape: %v", shorten(r.key()), err)
	}
	return nil
}

// spoolPaths names the files that keep the answer to r, and the mark that
// r's area was too big. The name starts with the endpoint so that a person
// can see what a spool holds; the hash tells the parameters apart.
func spoolPaths(dir string, r request) (answer, tooMany string) {
	sum := sha256.Sum256([]byte(r.key()))
	base := filepath.Join(dir, strings.Map(func(r rune) rune {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' {
			return r
		}
		return '_'
	}, r.path)+"-"+hex.EncodeToString(sum[:12]))
	return base + ".json", base + ".too-many"
}

// writeAtomic writes a file so that it is either whole or absent, even if
// the process is killed: a rerun must never take half an answer for a whole
// one.
func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".partial-*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// do sends r, retrying with exponential backoff and jitter on HTTP 429, on
// 5xx and on network errors, and returns the answer's body.
func (c *Client) do(ctx context.Context, r request) ([]byte, error) {
	c.init()
	method, u, form := http.MethodGet, c.baseURL()+"/"+r.path, ""
	if q := r.params.Encode(); len(u)+1+len(q) > maxGetURL {
		method, form = http.MethodPost, q
	} else if q != "" {
		u += "?" + q
	}
	attempts := orDefault(c.MaxAttempts, 5)
	for attempt := 1; ; attempt++ {
		body, status, retryAfter, err := c.send(ctx, method, u, form)
		switch {
		case ctx.Err() != nil:
			return nil, context.Cause(ctx)
		case err != nil:
			err = fmt.Errorf("%s %s: %w", method, shorten(u), err)
		case status == http.StatusOK && json.Valid(body):
			return body, nil
		case status == http.StatusOK:
			err = fmt.Errorf("%s %s: the answer is not JSON (%d bytes, cut short?)", method, shorten(u), len(body))
		case status == http.StatusServiceUnavailable && r.isArea() && retryAfter < 0:
			return nil, errTooMany
		default:
			serr := &StatusError{Method: method, URL: shorten(u), StatusCode: status, Attempts: attempt, Body: shorten(strings.TrimSpace(string(body)))}
			if status != http.StatusTooManyRequests && status < 500 {
				return nil, serr
			}
			err = serr
		}
		if attempt == attempts {
			if _, ok := err.(*StatusError); ok {
				return nil, err
			}
			return nil, fmt.Errorf("%w; gave up after %d attempts: check the network and run again later", err, attempt)
		}
		wait := backoff(attempt)
		if retryAfter >= 0 {
			wait = retryAfter
		}
		if wait > maxRetryWait {
			return nil, fmt.Errorf("%w; the API asks to wait %v before trying again: run again after that", err, retryAfter)
		}
		c.logger().Debug("police.uk request failed; retrying", "err", err, "attempt", attempt, "wait", wait)
		if err := c.clock.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// send makes one attempt. retryAfter is negative when the answer has no
// usable Retry-After header.
func (c *Client) send(ctx context.Context, method, u, form string) (body []byte, status int, retryAfter time.Duration, err error) {
	select {
	case c.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, 0, -1, context.Cause(ctx)
	}
	defer func() { <-c.slots }()
	if err := c.limiter.wait(ctx); err != nil {
		return nil, 0, -1, err
	}
	var rd io.Reader
	if form != "" {
		rd = strings.NewReader(form)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, 0, -1, err
	}
	if form != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "application/json")
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	start := time.Now()
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return nil, 0, -1, err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxBody))
	c.logger().Debug("police.uk request", "method", method, "url", shorten(u), "status", resp.StatusCode,
		"bytes", len(body), "took", time.Since(start).Round(time.Millisecond))
	return body, resp.StatusCode, parseRetryAfter(resp.Header.Get("Retry-After"), c.clock.Now()), err
}

// backoff is the wait before attempt+1: exponential, with jitter so that
// parallel requests that failed together do not come back together.
func backoff(attempt int) time.Duration {
	d := maxBackoff
	if attempt <= 6 { // beyond, the shift passes maxBackoff (and later overflows)
		d = min(firstBackoff<<(attempt-1), maxBackoff)
	}
	return d/2 + rand.N(d/2+1)
}

// parseRetryAfter reads a Retry-After header: seconds, or an HTTP date.
func parseRetryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return -1
	}
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now), 0)
	}
	return -1
}

// shorten keeps messages readable when a URL carries a long area.
func shorten(s string) string {
	const n = 200
	if len(s) <= n {
		return s
	}
	return s[:n] + fmt.Sprintf("…(%d bytes)", len(s))
}
