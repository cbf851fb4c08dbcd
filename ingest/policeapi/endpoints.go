package policeapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// The API's records, as documented at https://data.police.uk/docs/ and seen
// in real answers. Coordinates are JSON strings and are passed on as
// published; null text is read as empty.

type apiLocation struct {
	Latitude  string `json:"latitude"`
	Longitude string `json:"longitude"`
	Street    struct {
		ID   int64  `json:"id"`
		Name string `json:"name"` // "On or near …", as the bulk files' Location
	} `json:"street"`
}

type apiCrime struct {
	ID            int64        `json:"id"` // the API's own; not the bulk Crime ID
	PersistentID  string       `json:"persistent_id"`
	Category      string       `json:"category"` // a slug, e.g. "violent-crime"
	Month         string       `json:"month"`
	Location      *apiLocation `json:"location"`      // null for crimes-no-location
	LocationType  string       `json:"location_type"` // "Force", "BTP" or null
	Context       string       `json:"context"`
	OutcomeStatus *struct {
		Category string `json:"category"`
		Date     string `json:"date"`
	} `json:"outcome_status"`
}

type apiOutcome struct {
	Category struct {
		Code string `json:"code"`
		Name string `json:"name"` // the bulk files' Outcome type
	} `json:"category"`
	Date  string   `json:"date"`
	Crime apiCrime `json:"crime"`
}

type apiStop struct {
	Type                    string          `json:"type"`
	Datetime                string          `json:"datetime"`
	Operation               *bool           `json:"operation"`
	OperationName           string          `json:"operation_name"`
	Location                *apiLocation    `json:"location"`
	Gender                  string          `json:"gender"`
	AgeRange                string          `json:"age_range"`
	SelfDefinedEthnicity    string          `json:"self_defined_ethnicity"`
	OfficerDefinedEthnicity string          `json:"officer_defined_ethnicity"`
	Legislation             string          `json:"legislation"`
	ObjectOfSearch          string          `json:"object_of_search"`
	Outcome                 json.RawMessage `json:"outcome"` // text, or false in older months
	OutcomeObject           *struct {
		Name string `json:"name"`
	} `json:"outcome_object"`
	OutcomeLinked *bool `json:"outcome_linked_to_object_of_search"`
	Removal       *bool `json:"removal_of_more_than_outer_clothing"`
}

// Availability is one month of data the API holds.
type Availability struct {
	Month         time.Time // first day of the month, UTC
	StopAndSearch []string  // ids of the forces with stop and search that month
}

// Availability lists the months the API holds, newest first, from its
// crimes-street-dates method.
func (c *Client) Availability(ctx context.Context) ([]Availability, error) {
	return c.availability(ctx, "")
}

func (c *Client) availability(ctx context.Context, spool string) ([]Availability, error) {
	var raw []struct {
		Date          string   `json:"date"`
		StopAndSearch []string `json:"stop-and-search"`
	}
	if err := c.getJSON(ctx, spool, request{path: "crimes-street-dates"}, &raw); err != nil {
		return nil, err
	}
	av := make([]Availability, len(raw))
	for i, r := range raw {
		m, err := time.Parse("2006-01", r.Date)
		if err != nil {
			return nil, fmt.Errorf("crimes-street-dates: month %q: %v", r.Date, err)
		}
		av[i] = Availability{Month: m, StopAndSearch: r.StopAndSearch}
	}
	return av, nil
}

// LastUpdated returns when the API's crime data was last updated, from its
// crime-last-updated method; a later date than the one seen before means
// that months may have been added or republished.
func (c *Client) LastUpdated(ctx context.Context) (time.Time, error) {
	var raw struct {
		Date string `json:"date"`
	}
	if err := c.getJSON(ctx, "", request{path: "crime-last-updated"}, &raw); err != nil {
		return time.Time{}, err
	}
	for _, layout := range []string{time.RFC3339, time.DateOnly, "2006-01"} {
		if t, err := time.Parse(layout, raw.Date); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("crime-last-updated: date %q is not an ISO 8601 date", raw.Date)
}

// Force is a police force as the API names it.
type Force struct {
	ID   string // e.g. "city-of-london", as in the bulk files' names
	Name string // e.g. "City of London Police"
}

// Forces lists the forces the API knows.
func (c *Client) Forces(ctx context.Context) ([]Force, error) { return c.forces(ctx, "") }

func (c *Client) forces(ctx context.Context, spool string) ([]Force, error) {
	var fs []Force
	err := c.getJSON(ctx, spool, request{path: "forces"}, &fs)
	return fs, err
}

// Neighbourhood is one of a force's neighbourhood policing areas.
type Neighbourhood struct {
	ID   string
	Name string
}

// Neighbourhoods lists a force's neighbourhoods.
func (c *Client) Neighbourhoods(ctx context.Context, force string) ([]Neighbourhood, error) {
	return c.neighbourhoods(ctx, "", force)
}

func (c *Client) neighbourhoods(ctx context.Context, spool, force string) ([]Neighbourhood, error) {
	var ns []Neighbourhood
	err := c.getJSON(ctx, spool, request{path: url.PathEscape(force) + "/neighbourhoods"}, &ns)
	return ns, err
}

// Boundary returns the polygon of one of a force's neighbourhoods.
func (c *Client) Boundary(ctx context.Context, force, neighbourhood string) ([]LatLng, error) {
	return c.boundary(ctx, "", force, neighbourhood)
}

func (c *Client) boundary(ctx context.Context, spool, force, neighbourhood string) ([]LatLng, error) {
	r := request{path: url.PathEscape(force) + "/" + url.PathEscape(neighbourhood) + "/boundary"}
	var raw []struct {
		Latitude  string `json:"latitude"`
		Longitude string `json:"longitude"`
	}
	if err := c.getJSON(ctx, spool, r, &raw); err != nil {
		return nil, err
	}
	poly := make([]LatLng, len(raw))
	for i, p := range raw {
		lat, err1 := strconv.ParseFloat(p.Latitude, 64)
		lng, err2 := strconv.ParseFloat(p.Longitude, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%s: point %d (%q, %q) is not a latitude and longitude", r.path, i, p.Latitude, p.Longitude)
		}
		poly[i] = LatLng{lat, lng}
	}
	return poly, nil
}

// categories maps the month's crime category slugs to their names, which are
// the bulk files' Crime type ("violent-crime" → "Violence and sexual
// offences"). They are asked per month because they have changed over the
// years.
func (c *Client) categories(ctx context.Context, spool, month string) (map[string]string, error) {
	var raw []struct {
		URL  string `json:"url"`
		Name string `json:"name"`
	}
	if err := c.getJSON(ctx, spool, request{path: "crime-categories", params: url.Values{"date": {month}}}, &raw); err != nil {
		return nil, err
	}
	m := make(map[string]string, len(raw))
	for _, r := range raw {
		m[r.URL] = r.Name
	}
	return m, nil
}
