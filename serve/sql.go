package serve

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/safercity/safercity/queries"
	"github.com/safercity/safercity/store"
)

// Row limits of GET/POST /api/sql (SQLMaxRows at most): the result is held in memory before it
// is sent, as the CLI's sql holds it, so an answer also stops at
// SQLMaxCells values (rows times columns; about 150 bytes each held with
// the encoded answer, so some 300 MB: 5 million took the server to 770 MB,
// a million rows unbounded to 2.8 GB), and says it was cut.
const (
	sqlDefaultRows = 10000
	SQLMaxRows     = 1000000
	SQLMaxCells    = 2000000
)

// Headers of an SQL answer: how many rows it has and, when the limit cut
// it, that there were more.
const (
	HeaderRows      = "X-Safercity-Rows"
	HeaderRowLimit  = "X-Safercity-Row-Limit"
	HeaderTruncated = "X-Safercity-Truncated"
)

// sqlContentTypes are the formats of /api/sql, as `safercity sql --format`
// writes them: table, csv, json, arrow (an Arrow IPC file) and xlsx.
var sqlContentTypes = map[string]string{
	"json":  "application/json; charset=utf-8",
	"csv":   "text/csv; charset=utf-8",
	"table": "text/plain; charset=utf-8",
	"arrow": "application/vnd.apache.arrow.file",
	"xlsx":  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

// apiSQL runs one read-only statement, given as ?q= (GET) or as the
// request body (POST, for statements longer than a query value may be),
// for a caller on the server's machine: like `safercity sql` on the file,
// it shows partner tables raw.
// The answer is byte for byte what `safercity sql --format F` prints.
func (s *Server) apiSQL(w http.ResponseWriter, r *http.Request) {
	if err := s.rawPartnerData(r, "SQL"); err != nil {
		s.failErr(w, r, err)
		return
	}
	q := r.URL.Query()
	f, err := format(q, "json", "csv", "table", "arrow", "xlsx")
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	limit, err := limitParam(q, sqlDefaultRows, SQLMaxRows)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	stmt, err := sqlStatement(r)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	res, more, err := queries.Statement(r.Context(), s.st, stmt, limit, SQLMaxCells)
	if err != nil {
		s.failErr(w, r, sqlError(r.Context(), err))
		return
	}
	var b bytes.Buffer
	if err := res.Write(&b, f); err != nil {
		s.failErr(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", sqlContentTypes[f])
	h.Set(HeaderRows, strconv.Itoa(len(res.Rows)))
	if more {
		limit = min(limit, len(res.Rows)) // SQLMaxCells may have cut it first
		h.Set(HeaderTruncated, "true")
		s.log.Warn("SQL answer cut at the row limit", "rows", len(res.Rows), "remote", r.RemoteAddr)
	}
	h.Set(HeaderRowLimit, strconv.Itoa(limit))
	w.Write(b.Bytes())
}

// sqlStatement is the statement of a request: ?q= or the POST body.
func sqlStatement(r *http.Request) (string, error) {
	stmt, err := single(r.URL.Query(), "q", "")
	if err != nil {
		return "", err
	}
	if r.Method == http.MethodPost {
		if stmt != "" {
			return "", invalid("give the statement once: as the body of a POST, or as q= of a GET")
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return "", &badRequest{http.StatusRequestEntityTooLarge, "statement: at most " + strconv.Itoa(maxBody) + " bytes are accepted"}
		}
		stmt = string(body)
	}
	if stmt = strings.TrimSpace(stmt); stmt == "" {
		return "", invalid("q: give one SELECT statement, e.g. q=SELECT count(*) FROM crimes_enriched (or POST it as the body)")
	}
	return stmt, nil
}

// sqlError makes a statement's refusal or failure a 400 that says why:
// the mistake is the caller's, and DuckDB's message names it.
func sqlError(ctx context.Context, err error) error {
	switch {
	case ctx.Err() != nil:
		return &badRequest{http.StatusServiceUnavailable, "the statement ran longer than " + requestTimeout.String() + ": narrow it (WHERE, LIMIT) or run `safercity sql` on a copy of the database"}
	case errors.Is(err, store.ErrNotReadOnly), errors.Is(err, store.ErrOutsideStore), errors.Is(err, store.ErrStatement):
		return invalid("q: %v", err)
	}
	return err
}

// fromThisMachine reports whether a request comes from the machine the
// server runs on: over the loopback, or from one of its own addresses to
// itself (a server listening on a LAN address, asked by a command beside
// it), and not relayed by a proxy.
func fromThisMachine(r *http.Request) bool {
	if fromLoopback(r) {
		return true
	}
	if relayed(r) {
		return false
	}
	local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return false
	}
	lhost, _, err1 := net.SplitHostPort(local.String())
	rhost, _, err2 := net.SplitHostPort(r.RemoteAddr)
	return err1 == nil && err2 == nil && lhost == rhost
}

// rawPartnerData refuses a request from another machine for an answer
// that is not disclosure-controlled: it may hold partner records as the
// database file holds them, which only whoever holds the file may see.
func (s *Server) rawPartnerData(r *http.Request, what string) error {
	if s.hasLocalKey(r) || (!s.behindProxy && fromThisMachine(r)) {
		return nil
	}
	return &badRequest{http.StatusForbidden, what + " is not released through disclosure control (it can show partner records as the database holds them), so it answers only requests from the server's own machine: run the command there"}
}
