package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

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
	m, err := monthFlag(*month)
	if err != nil {
		return err
	}
	req := ingest.APIRequest{Force: *force, Spool: *spool, Month: m}
	name := *force
	if *poly != "" {
		var err error
		if req.AreaName, req.Poly, err = parsePoly(*poly); err != nil {
			return fmt.Errorf("%w: --poly: %v", errUsage, err)
		}
		name = req.AreaName
	}
	if req.Spool == "" {
		req.Spool = filepath.Join(filepath.Dir(f.db), ".safercity-spool", name+"-"+*month)
	}
	st, err := store.Open(ctx, f.db)
	if err != nil {
		return err
	}
	defer st.Close()
	sum, err := ingest.PoliceAPI(ctx, st, c, req, ingest.Options{Log: e.log})
	if sum != nil {
		printSummary(e, sum, *quiet)
	}
	return err
}

// parsePoly reads NAME=lat,lng:lat,lng:...
func parsePoly(s string) (string, []policeapi.LatLng, error) {
	name, list, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return "", nil, errors.New("want NAME=lat,lng:lat,lng with as many lat,lng points as the polygon has, colon-separated")
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
