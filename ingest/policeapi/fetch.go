package policeapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"regexp"
	"slices"
	"time"
)

// slugRE is what a force id or area name must be to name an archive file
// that policeuk.ParsePartition reads back.
var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// FetchForceMonth fetches one force's street crimes, outcomes and stop and
// search for the month holding month, and returns them as the archive's
// files for that force and month. The force's area is the union of its
// neighbourhood boundaries (see the package comment for what that misses);
// its crimes without a location come from crimes-no-location. Stop and
// search comes from stops-force joined with stops-no-location (a search the
// two both give is written once), only when crimes-street-dates lists the
// force for the month. A kind with no rows gives no file, so that a gap in
// the API never replaces stored rows with nothing.
//
// Every answer is kept in the folder spool (created if need be; "" keeps
// nothing) as it arrives; run again with the same spool after an
// interruption and only what is missing is fetched. FetchForceMonth returns
// only when every piece has been fetched. A spool holds the API as it was
// when the fetch ran: remove it once the files are stored, or a later fetch
// will not see months the API has republished since.
func (c *Client) FetchForceMonth(ctx context.Context, force string, month time.Time, spool string) ([]Download, error) {
	if !slugRE.MatchString(force) {
		return nil, fmt.Errorf("policeapi: force %q is not an id such as \"city-of-london\" (see Forces)", force)
	}
	m := monthText(month)
	ds, err := c.fetchForceMonth(ctx, force, m, spool)
	if err != nil {
		return nil, fmt.Errorf("policeapi: fetching %s %s: %w%s", force, m, err, resumeHint(spool))
	}
	return ds, nil
}

func (c *Client) fetchForceMonth(ctx context.Context, force, month, spool string) ([]Download, error) {
	c.logger().Info("fetching from the police.uk API", "force", force, "month", month, "spool", spool)
	ls, err := c.listMonth(ctx, spool, month, force)
	if err != nil {
		return nil, err
	}
	name := c.forceName(ls.forces, force)
	if name == "" {
		return nil, fmt.Errorf("the API has no force %q (see Forces)", force)
	}
	cats, err := c.categories(ctx, spool, month)
	if err != nil {
		return nil, err
	}
	hoods, err := c.neighbourhoods(ctx, spool, force)
	if err != nil {
		return nil, err
	}
	if len(hoods) == 0 {
		return nil, fmt.Errorf("the API lists no neighbourhoods for %s, so its area is unknown", force)
	}
	ans, err := c.fetchForceAnswers(ctx, spool, force, month, hoods, ls.stops)
	if err != nil {
		return nil, err
	}
	crimes, outs, stopPieces, err := ans.decode()
	if err != nil {
		return nil, err
	}
	// The API marks British Transport Police crimes in a force's area by
	// location type; they belong to the btp files, not the force's.
	locType := "Force"
	if force == "btp" {
		locType = "BTP"
	}
	w := rowWriter{cats: cats, reportedBy: func(string) string { return name }, log: c.logger()}
	return c.downloads(month, force,
		w.streetRows(crimes, func(cr apiCrime) bool { return cr.Location == nil || cr.LocationType == locType }),
		w.outcomeRows(outs, func(o apiOutcome) bool { return o.Crime.LocationType == locType }),
		stopRows(stopPieces))
}

// fetchForceAnswers fetches, all at once, the street crimes and outcomes in
// each of the force's neighbourhoods, its crimes with no location and, when
// stops, its stop and search.
func (c *Client) fetchForceAnswers(ctx context.Context, spool, force, month string, hoods []Neighbourhood, stops bool) (*apiAnswers, error) {
	var street, outcomes pieceAnswers
	var noLocation, stopsAll, stopsNoLocation []byte
	g := newFanout(ctx)
	for _, h := range hoods {
		g.spawn(func(ctx context.Context) error {
			poly, err := c.boundary(ctx, spool, force, h.ID)
			if err != nil {
				return err
			}
			if len(poly) < 3 {
				c.logger().Warn("police.uk neighbourhood has no boundary; its crimes are not fetched", "force", force, "neighbourhood", h.ID, "name", h.Name)
				return nil
			}
			c.spawnArea(g, spool, "crimes-street/all-crime", month, poly, 0, street.keep)
			c.spawnArea(g, spool, "outcomes-at-location", month, poly, 0, outcomes.keep)
			return nil
		})
	}
	byForce := url.Values{"force": {force}, "date": {month}}
	c.spawnGet(g, spool, request{path: "crimes-no-location", params: url.Values{"category": {"all-crime"}, "force": {force}, "date": {month}}}, &noLocation)
	if stops {
		c.spawnGet(g, spool, request{path: "stops-force", params: byForce}, &stopsAll)
		c.spawnGet(g, spool, request{path: "stops-no-location", params: byForce}, &stopsNoLocation)
	}
	if err := g.wait(); err != nil {
		return nil, err
	}
	ans := &apiAnswers{street: append(street.answers, noLocation), outcomes: outcomes.answers}
	if stops {
		ans.stops = [][]byte{stopsAll, stopsNoLocation}
	}
	return ans, nil
}

// monthListing is what the API says before a month's crimes are fetched.
type monthListing struct {
	stops  bool // crimes-street-dates lists stop and search for the month
	forces []Force
}

// listMonth makes the spool and reads the API's listings of months and
// forces; see stopsListed for force.
func (c *Client) listMonth(ctx context.Context, spool, month, force string) (*monthListing, error) {
	if err := makeSpool(spool); err != nil {
		return nil, err
	}
	stops, err := c.stopsListed(ctx, spool, month, force)
	if err != nil {
		return nil, err
	}
	forces, err := c.forces(ctx, spool)
	if err != nil {
		return nil, err
	}
	return &monthListing{stops: stops, forces: forces}, nil
}

// apiAnswers are a fetch's answers as they came, one JSON array a piece.
type apiAnswers struct {
	street, outcomes, stops [][]byte
}

func (a *apiAnswers) decode() (crimes [][]apiCrime, outs [][]apiOutcome, stops [][]apiStop, err error) {
	if crimes, err = decodePieces[apiCrime](a.street); err != nil {
		return nil, nil, nil, err
	}
	if outs, err = decodePieces[apiOutcome](a.outcomes); err != nil {
		return nil, nil, nil, err
	}
	if stops, err = decodePieces[apiStop](a.stops); err != nil {
		return nil, nil, nil, err
	}
	return crimes, outs, stops, nil
}

// FetchArea fetches the street crimes, outcomes and stop and search located
// inside poly in month, and returns them as archive files named as if name
// were a force, so that they are stored as partitions of their own. Crimes
// without a location cannot be placed in an area and are not included.
// Reported by and Falls within are empty, as the API does not say which
// force reported a crime, but for crimes it marks as British Transport
// Police's. The spool works as for FetchForceMonth.
func (c *Client) FetchArea(ctx context.Context, name string, poly []LatLng, month time.Time, spool string) ([]Download, error) {
	if !slugRE.MatchString(name) {
		return nil, fmt.Errorf("policeapi: area name %q must be lower-case letters, digits and hyphens, like a force id, to name its files", name)
	}
	if err := checkPoly(poly); err != nil {
		return nil, fmt.Errorf("policeapi: area %s: %w", name, err)
	}
	m := monthText(month)
	ds, err := c.fetchAreaMonth(ctx, name, poly, m, spool)
	if err != nil {
		return nil, fmt.Errorf("policeapi: fetching area %s %s: %w%s", name, m, err, resumeHint(spool))
	}
	return ds, nil
}

func (c *Client) fetchAreaMonth(ctx context.Context, name string, poly []LatLng, month, spool string) ([]Download, error) {
	c.logger().Info("fetching an area from the police.uk API", "area", name, "month", month, "points", len(poly), "spool", spool)
	ls, err := c.listMonth(ctx, spool, month, "")
	if err != nil {
		return nil, err
	}
	cats, err := c.categories(ctx, spool, month)
	if err != nil {
		return nil, err
	}
	var street, outcomes, stopAnswers pieceAnswers
	g := newFanout(ctx)
	c.spawnArea(g, spool, "crimes-street/all-crime", month, poly, 0, street.keep)
	c.spawnArea(g, spool, "outcomes-at-location", month, poly, 0, outcomes.keep)
	if ls.stops {
		c.spawnArea(g, spool, "stops-street", month, poly, 0, stopAnswers.keep)
	}
	if err := g.wait(); err != nil {
		return nil, err
	}
	ans := apiAnswers{street: street.answers, outcomes: outcomes.answers, stops: stopAnswers.answers}
	crimes, outs, stopPieces, err := ans.decode()
	if err != nil {
		return nil, err
	}
	btp := c.forceName(ls.forces, "btp")
	w := rowWriter{cats: cats, log: c.logger(), reportedBy: func(locType string) string {
		if locType == "BTP" {
			return btp
		}
		return ""
	}}
	return c.downloads(month, name,
		w.streetRows(crimes, func(apiCrime) bool { return true }),
		w.outcomeRows(outs, func(apiOutcome) bool { return true }),
		stopRows(stopPieces))
}

// monthText is the API's and the archive's YYYY-MM for the month holding t.
func monthText(t time.Time) string { return t.Format("2006-01") }

func resumeHint(spool string) string {
	if spool == "" {
		return ""
	}
	return fmt.Sprintf(" (the answers so far are kept in %s: run again with the same spool to resume)", spool)
}

func makeSpool(spool string) error {
	if spool == "" {
		return nil
	}
	if err := os.MkdirAll(spool, 0o755); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	return nil
}

// stopsListed reports whether crimes-street-dates lists stop and search for
// force in month (for any force when force is ""), and fails when the API
// does not hold the month at all.
func (c *Client) stopsListed(ctx context.Context, spool, month, force string) (bool, error) {
	av, err := c.availability(ctx, spool)
	if err != nil {
		return false, err
	}
	if len(av) == 0 {
		return false, errors.New("crimes-street-dates lists no months")
	}
	for _, a := range av {
		if monthText(a.Month) == month {
			return force == "" && len(a.StopAndSearch) > 0 || slices.Contains(a.StopAndSearch, force), nil
		}
	}
	newest, oldest := av[0].Month, av[0].Month
	for _, a := range av {
		newest, oldest = later(newest, a.Month), earlier(oldest, a.Month)
	}
	return false, fmt.Errorf("the API holds %s to %s, not %s: take older months from the bulk archive; newer ones are not published yet",
		monthText(oldest), monthText(newest), month)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// forceName is the Reported by text for force: Client.ForceNames', else
// the forces list's; "" when neither knows the force.
func (c *Client) forceName(forces []Force, force string) string {
	if n := c.ForceNames[force]; n != "" {
		return n
	}
	for _, f := range forces {
		if f.ID == force {
			return f.Name
		}
	}
	return ""
}

// spawnGet fetches r as a task of g into *answer.
func (c *Client) spawnGet(g *fanout, spool string, r request, answer *[]byte) {
	g.spawn(func(ctx context.Context) error {
		b, err := c.get(ctx, spool, r)
		*answer = b
		return err
	})
}

// decodePieces decodes each answer, a JSON array of T.
func decodePieces[T any](answers [][]byte) ([][]T, error) {
	pieces := make([][]T, len(answers))
	for i, b := range answers {
		if err := json.Unmarshal(b, &pieces[i]); err != nil {
			return nil, fmt.Errorf("an answer is not in the documented shape: %v", err)
		}
	}
	return pieces, nil
}

func checkPoly(poly []LatLng) error {
	if len(poly) < 3 {
		return fmt.Errorf("a polygon needs at least 3 points, not %d", len(poly))
	}
	for i, p := range poly {
		if math.IsNaN(p.Lat) || math.IsNaN(p.Lng) || p.Lat < -90 || p.Lat > 90 || p.Lng < -180 || p.Lng > 180 {
			return fmt.Errorf("point %d (%g, %g) is not a latitude and longitude", i, p.Lat, p.Lng)
		}
	}
	if area(poly) <= minPieceArea {
		return errors.New("the polygon encloses no area")
	}
	return nil
}
