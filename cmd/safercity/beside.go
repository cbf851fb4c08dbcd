package main

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/safercity/safercity/serve"
)

// The commands here run beside a `safercity serve` that holds the
// database: they send their request to its API and write what it answers,
// which is byte for byte what they write when they open the database.

// sqlServer runs `safercity sql` through the server at base.
func sqlServer(ctx context.Context, e *env, base, stmt, format string) error {
	e.log.Info("the database is held by a running server: the statement goes through it", "server", base)
	q := url.Values{"format": {format}, "limit": {strconv.Itoa(serve.SQLMaxRows)}}
	body, h, err := apiCall(ctx, http.MethodPost, base, "/api/sql", q, []byte(stmt))
	if err != nil {
		return err
	}
	if h.Get(serve.HeaderTruncated) != "" {
		e.log.Warn("the server returns at most this many rows: the rest are left out; narrow the statement or add a LIMIT", "rows", h.Get(serve.HeaderRows))
	}
	_, err = e.stdout.Write(body)
	return err
}
