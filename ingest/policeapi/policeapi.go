// Package policeapi fetches the newest months of police data from the
// data.police.uk JSON API and writes them as CSV files laid out exactly as
// the bulk archive's, so that package policeuk types, checks and
// quarantines them and the loader stores them in the same partitions as
// downloaded files.
//
// The API serves only about the last 36 months, at most 15 requests a second
// with bursts of 30, and differs from the bulk files in ways a caller should
// know:
//
//   - It gives no LSOA, so the LSOA code and LSOA name columns are empty.
//   - It does not say which force reported a crime that has a location. A
//     force is therefore covered with its neighbourhood boundaries and keeps
//     the crimes located inside them: crimes a force reports outside its own
//     area (the City of London Police's in Camden) are missed, and another
//     force's crimes located inside are included. British Transport Police
//     crimes are told apart by their location type and kept only for "btp".
//   - It gives outcomes only for crimes with a location, so the outcomes file
//     lacks the bulk file's "No location" rows.
//
// A custom area holding more than 10,000 results is refused with HTTP 503
// (without Retry-After; a 503 with one is the API being busy, and is
// retried). Such an area is cut into quarters of its bounding box, the
// polygon is clipped to each, and each quarter is fetched the same way, down
// to Client.MaxSplitDepth cuts; a crime on a shared edge comes back from both
// sides and is kept once. Every answer is kept in a spool folder as soon as
// it arrives, so a fetch that was interrupted resumes where it stopped.
package policeapi

import (
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// DefaultBaseURL is the root of the data.police.uk API.
const DefaultBaseURL = "https://data.police.uk/api"

// The API's documented limits (https://data.police.uk/docs/api-call-limits/).
const (
	requestsPerSecond = 15
	requestBurst      = 30
)

// LatLng is a WGS 84 point, latitude first as in the API.
type LatLng struct{ Lat, Lng float64 }

// Download is one CSV file in the bulk archive's layout.
type Download struct {
	// Name is the archive's file name, e.g. "2019-06-city-of-london-street.csv",
	// "…-outcomes.csv" or "…-stop-and-search.csv".
	Name string
	Body []byte
}

// A Client fetches from the data.police.uk API. Its zero value is ready to
// use; set the fields before its first request. It is safe for concurrent
// use, and every request it sends, from any goroutine, keeps to the API's
// rate limit.
type Client struct {
	// BaseURL is the API's root; empty means DefaultBaseURL.
	BaseURL string
	// HTTPClient sends the requests; nil means one with a two-minute
	// timeout, as some area requests take over a minute to answer.
	HTTPClient *http.Client
	// UserAgent, when set, is sent with every request so that the API's
	// operators can tell who is calling.
	UserAgent string
	// MaxAttempts bounds the tries of one request that fails with HTTP 429,
	// a 5xx status or a network error; 0 means 5.
	MaxAttempts int
	// MaxSplitDepth bounds how many times an area over the API's 10,000
	// results is cut into quarters; 0 means 6 (4,096 pieces at most).
	MaxSplitDepth int
	// Parallel is how many requests may be in flight at once; 0 means 4.
	Parallel int
	// ForceNames gives the "Reported by" and "Falls within" text by force
	// id, for forces whose name in the API's forces list is not the one in
	// their bulk files (the API calls Leicestershire's force "Leicestershire
	// Constabulary", its files "Leicestershire Police"). Other forces get
	// the forces list's name.
	ForceNames map[string]string
	// Logger receives progress: a Debug record per request, Info per fetch
	// and per split. Nil means slog.Default().
	Logger *slog.Logger

	clock    clock // nil means the real clock; tests set a fake one
	initOnce sync.Once
	limiter  *tokenBucket
	slots    chan struct{} // one per request in flight
}

func (c *Client) init() {
	c.initOnce.Do(func() {
		if c.clock == nil {
			c.clock = realClock{}
		}
		c.limiter = newTokenBucket(c.clock, requestsPerSecond, requestBurst)
		c.slots = make(chan struct{}, orDefault(c.Parallel, 4))
	})
}

func (c *Client) baseURL() string {
	if c.BaseURL == "" {
		return DefaultBaseURL
	}
	return c.BaseURL
}

func (c *Client) httpClient() *http.Client {
	if c.HTTPClient == nil {
		return defaultHTTPClient
	}
	return c.HTTPClient
}

var defaultHTTPClient = &http.Client{Timeout: 2 * time.Minute}

func (c *Client) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.Default()
	}
	return c.Logger
}

func orDefault(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}
