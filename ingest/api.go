package ingest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/safercity/safercity/ingest/policeapi"
	"github.com/safercity/safercity/store"
)

// APIRequest says what to fetch from the police.uk API: a force, or an
// analyst's area (Poly, named by AreaName, which becomes its partition's
// force slug), for one month; the zero Month means the latest the API has.
type APIRequest struct {
	Force    string
	AreaName string
	Poly     []policeapi.LatLng
	Month    time.Time
	// Spool keeps fetched responses so that an interrupted fetch resumes;
	// it is removed once the files are stored.
	Spool string
}

// PoliceAPI fetches a month from the police.uk API with c and stores it in
// the same tables and partitions as the bulk files.
func PoliceAPI(ctx context.Context, st *store.Store, c *policeapi.Client, req APIRequest, opt Options) (*Summary, error) {
	m := req.Month
	if m.IsZero() {
		last, err := c.LastUpdated(ctx)
		if err != nil {
			return nil, err
		}
		m = time.Date(last.Year(), last.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	// The API names forces differently from the bulk files ("Leicestershire
	// Constabulary" against "Leicestershire Police"): use the stored names.
	if c.ForceNames == nil {
		c.ForceNames = map[string]string{}
	}
	rows, err := st.DB.QueryContext(ctx, `SELECT force, any_value(falls_within) FROM police_street WHERE falls_within IS NOT NULL GROUP BY force`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var slug, name string
		if rows.Scan(&slug, &name) == nil {
			if _, set := c.ForceNames[slug]; !set {
				c.ForceNames[slug] = name
			}
		}
	}
	rows.Close()
	var downloads []policeapi.Download
	switch {
	case req.Force != "":
		downloads, err = c.FetchForceMonth(ctx, req.Force, m, req.Spool)
	case len(req.Poly) > 0:
		downloads, err = c.FetchArea(ctx, req.AreaName, req.Poly, m, req.Spool)
	default:
		return nil, fmt.Errorf("police.uk API: give a force or an area")
	}
	if err != nil {
		return nil, err
	}
	base := strings.TrimSuffix(c.BaseURL, "/")
	if base == "" {
		base = policeapi.DefaultBaseURL
	}
	var sources []Source
	for _, d := range downloads {
		body := d.Body
		sources = append(sources, Source{Path: "api:" + base + "/" + d.Name,
			Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }})
	}
	sum, err := PoliceSources(ctx, st, sources, opt)
	if err != nil {
		return sum, err
	}
	// Stored: the spool has done its job, and a later fetch must see
	// republished data.
	return sum, os.RemoveAll(req.Spool)
}
