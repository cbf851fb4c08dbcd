package main

import (
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

// serverFor returns the address of the server recorded beside the database
// at db, when err says the database is locked: reading commands then ask
// the server instead. ok is false when err is another error, or no server
// is recorded (a load holds the database).
func serverFor(db string, err error) (base string, ok bool) {
	if !errors.Is(err, store.ErrLocked) {
		return "", false
	}
	rf, rerr := serve.ReadRunFile(db)
	if rerr != nil { // none recorded, or unreadable: the lock error alone says what to do
		return "", false
	}
	return rf.URL, true
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
func apiGet(ctx context.Context, base, path string, q url.Values, v any) error {
	u, err := url.Parse(strings.TrimSuffix(base, "/") + path)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: server %q: want a URL such as http://127.0.0.1:8080", errUsage, base)
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	if tok := os.Getenv("SAFERCITY_TOKEN"); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := (&http.Client{Timeout: 2 * time.Minute}).Do(req)
	if err != nil {
		return fmt.Errorf("the server at %s does not answer (%w); if it has stopped, delete its record beside the database", base, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(body, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(body)) // not the API's JSON: show what came
		}
		if resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusNotFound {
			return fmt.Errorf("%w: %s", errUsage, e.Error)
		}
		return fmt.Errorf("%s: %s: %s", u.Redacted(), resp.Status, e.Error)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%s: not the answer expected (%v)", u.Redacted(), err)
	}
	return nil
}
