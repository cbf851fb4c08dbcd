package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/safercity/safercity/ingest"
	"github.com/safercity/safercity/ingest/policeapi"
	"github.com/safercity/safercity/store"
)

func init() {
	register(&command{
		name: "ingest api",
		args: "--force SLUG --month YYYY-MM | --poly NAME=lat,lng:lat,lng:... --month YYYY-MM",
		summary: "Fetch a force's (or an area's) street crime, outcomes and stop and search for a month from\n" +
			"the police.uk API into the same tables and partitions as the bulk files. Polite: at most\n" +
			"15 requests/s, retries with backoff, splits areas over the 10,000-crime limit, and\n" +
			"resumes an interrupted fetch from its spool folder.",
		run: runIngestAPI,
	})
}

func runIngestAPI(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, lookup("ingest api"))
	f.dbFlag()
	force := f.String("force", "", "force `slug`, e.g. city-of-london")
	poly := f.String("poly", "", "an area instead of a force: `NAME=lat,lng:lat,lng:...` (the name is its partition's force slug)")
	month := f.String("month", "", "`YYYY-MM` to fetch (default: the latest month the API has)")
	apiURL := f.String("api-url", policeapi.DefaultBaseURL, "base `URL` of the police.uk API")
	spool := f.String("spool", "", "`folder` keeping fetched responses so an interrupted fetch resumes (default: a folder beside the database)")
	quiet := f.Bool("quiet", false, "only the totals")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if (*force == "") == (*poly == "") {
		return fmt.Errorf("%w: give --force or --poly", errUsage)
	}
	c := &policeapi.Client{BaseURL: *apiURL, Logger: e.log}
	var m time.Time
	if *month == "" {
		last, err := c.LastUpdated(ctx)
		if err != nil {
			return err
		}
		m = time.Date(last.Year(), last.Month(), 1, 0, 0, 0, 0, time.UTC)
	} else {
		var err error
		if m, err = time.Parse("2006-01", *month); err != nil {
			return fmt.Errorf("%w: --month %q is not YYYY-MM", errUsage, *month)
		}
	}
	st, err := store.Open(ctx, f.db)
	if err != nil {
		return err
	}
	defer st.Close()
	// The API names forces differently from the bulk files ("Leicestershire
	// Constabulary" vs "Leicestershire Police"): use the stored names.
	c.ForceNames = map[string]string{}
	rows, err := st.DB.QueryContext(ctx, `SELECT force, any_value(falls_within) FROM police_street WHERE falls_within IS NOT NULL GROUP BY force`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var slug, name string
		if rows.Scan(&slug, &name) == nil {
			c.ForceNames[slug] = name
		}
	}
	rows.Close()
	dir := *spool
	var downloads []policeapi.Download
	if *force != "" {
		if dir == "" {
			dir = filepath.Join(filepath.Dir(f.db), ".safercity-spool", *force+"-"+m.Format("2006-01"))
		}
		downloads, err = c.FetchForceMonth(ctx, *force, m, dir)
	} else {
		name, pts, perr := parsePoly(*poly)
		if perr != nil {
			return fmt.Errorf("%w: --poly: %v", errUsage, perr)
		}
		if dir == "" {
			dir = filepath.Join(filepath.Dir(f.db), ".safercity-spool", name+"-"+m.Format("2006-01"))
		}
		downloads, err = c.FetchArea(ctx, name, pts, m, dir)
	}
	if err != nil {
		return err
	}
	var sources []ingest.Source
	for _, d := range downloads {
		body := d.Body
		sources = append(sources, ingest.Source{Path: "api:" + strings.TrimSuffix(*apiURL, "/") + "/" + d.Name,
			Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }})
	}
	sum, err := ingest.PoliceSources(ctx, st, sources, ingest.Options{Log: e.log})
	if sum != nil {
		printSummary(e, sum, *quiet)
	}
	if err != nil {
		return err
	}
	// Stored: the spool has done its job, and a later fetch must see
	// republished data.
	return os.RemoveAll(dir)
}

// parsePoly reads NAME=lat,lng:lat,lng:...
func parsePoly(s string) (string, []policeapi.LatLng, error) {
	name, list, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return "", nil, fmt.Errorf("want NAME=lat,lng:lat,lng:...")
	}
	var pts []policeapi.LatLng
	for _, p := range strings.Split(list, ":") {
		la, ln, ok := strings.Cut(p, ",")
		lat, err1 := strconv.ParseFloat(strings.TrimSpace(la), 64)
		lng, err2 := strconv.ParseFloat(strings.TrimSpace(ln), 64)
		if !ok || err1 != nil || err2 != nil {
			return "", nil, fmt.Errorf("point %q is not lat,lng", p)
		}
		pts = append(pts, policeapi.LatLng{Lat: lat, Lng: lng})
	}
	if len(pts) < 3 {
		return "", nil, fmt.Errorf("a polygon needs at least 3 points")
	}
	return name, pts, nil
}
