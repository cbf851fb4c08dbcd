package policeapi

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
)

// The archive's headers, in the archive's order.
var (
	streetHeader = []string{"Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
		"LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context"}
	outcomesHeader = []string{"Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
		"LSOA code", "LSOA name", "Outcome type"}
	stopHeader = []string{"Type", "Date", "Part of a policing operation", "Policing operation", "Latitude", "Longitude",
		"Gender", "Age range", "Self-defined ethnicity", "Officer-defined ethnicity", "Legislation", "Object of search",
		"Outcome", "Outcome linked to object of search", "Removal of more than just outer clothing"}
)

// rowWriter turns the API's records into the archive's rows. The API gives
// no LSOA, so the LSOA columns are left empty; the month, coordinates and
// texts are passed on as the API publishes them, and policeuk checks them
// as it checks a downloaded file.
type rowWriter struct {
	cats       map[string]string // category slug → Crime type
	reportedBy func(locationType string) string
	log        *slog.Logger
}

// streetRows returns the crimes of all pieces as street rows, each crime
// once: a crime on an edge shared by two pieces comes back from both with
// the same id.
func (w rowWriter) streetRows(pieces [][]apiCrime, keep func(apiCrime) bool) [][]string {
	seen := make(map[int64]bool)
	unknown := make(map[string]bool)
	var rows [][]string
	for _, piece := range pieces {
		for _, cr := range piece {
			if seen[cr.ID] || !keep(cr) {
				continue
			}
			seen[cr.ID] = true
			crimeType, ok := w.cats[cr.Category]
			if !ok {
				crimeType = cr.Category
				if !unknown[cr.Category] {
					unknown[cr.Category] = true
					w.log.Warn("police.uk crime category missing from crime-categories; written as its slug", "category", cr.Category)
				}
			}
			outcome := ""
			if cr.OutcomeStatus != nil {
				outcome = cr.OutcomeStatus.Category
			}
			lon, lat, loc := location(cr.Location, "No Location")
			by := w.reportedBy(cr.LocationType)
			rows = append(rows, []string{cr.PersistentID, cr.Month, by, by, lon, lat, loc, "", "", crimeType, outcome, cr.Context})
		}
	}
	sortRows(rows, 0)
	return rows
}

// outcomeRows returns the outcomes of all pieces as outcomes rows.
func (w rowWriter) outcomeRows(pieces [][]apiOutcome, keep func(apiOutcome) bool) [][]string {
	rowPieces := make([][][]string, len(pieces))
	for i, piece := range pieces {
		for _, o := range piece {
			if !keep(o) {
				continue
			}
			lon, lat, loc := location(o.Crime.Location, "No location")
			by := w.reportedBy(o.Crime.LocationType)
			rowPieces[i] = append(rowPieces[i], []string{o.Crime.PersistentID, o.Date, by, by, lon, lat, loc, "", "", o.Category.Name})
		}
	}
	rows := mergePieces(rowPieces)
	sortRows(rows, 0)
	return rows
}

// location returns a record's coordinates and Location text; a record
// without a location gets the text its kind of archive file has.
func location(l *apiLocation, none string) (lon, lat, text string) {
	if l == nil {
		return "", "", none
	}
	return l.Longitude, l.Latitude, l.Street.Name
}

// stopRows returns the searches of all pieces as stop-and-search rows,
// ordered by time.
func stopRows(pieces [][]apiStop) [][]string {
	rowPieces := make([][][]string, len(pieces))
	for i, piece := range pieces {
		for _, s := range piece {
			lat, lon := "", ""
			if s.Location != nil {
				lat, lon = s.Location.Latitude, s.Location.Longitude
			}
			rowPieces[i] = append(rowPieces[i], []string{s.Type, s.Datetime, boolText(s.Operation), s.OperationName, lat, lon,
				s.Gender, s.AgeRange, s.SelfDefinedEthnicity, s.OfficerDefinedEthnicity, s.Legislation, s.ObjectOfSearch,
				stopOutcome(s), boolText(s.OutcomeLinked), boolText(s.Removal)})
		}
	}
	rows := mergePieces(rowPieces)
	sortRows(rows, 1)
	return rows
}

// stopOutcome is the search's Outcome text. Older months give false instead
// of a text when nothing was found; the outcome object's name, when there
// is one, is then the closest the API has.
func stopOutcome(s apiStop) string {
	var text string
	if json.Unmarshal(s.Outcome, &text) == nil && text != "" {
		return text
	}
	if s.OutcomeObject != nil {
		return s.OutcomeObject.Name
	}
	return ""
}

// boolText writes a flag as the archive does: True, False, or empty when
// the force did not say.
func boolText(b *bool) string {
	switch {
	case b == nil:
		return ""
	case *b:
		return "True"
	}
	return "False"
}

// mergePieces joins the rows of records that have no id, fetched piece by
// piece. A record on an edge shared by two pieces comes back from both,
// while identical rows within one piece are distinct records (two people
// searched alike at the same time and place); so each row is kept as many
// times as the piece that has it most often has it.
func mergePieces(pieces [][][]string) [][]string {
	most := make(map[string]int)
	rowOf := make(map[string][]string)
	for _, piece := range pieces {
		count := make(map[string]int)
		for _, row := range piece {
			k := strings.Join(row, "\x00")
			count[k]++
			rowOf[k] = row
		}
		for k, n := range count {
			most[k] = max(most[k], n)
		}
	}
	var rows [][]string
	for k, n := range most {
		for range n {
			rows = append(rows, rowOf[k])
		}
	}
	return rows
}

// sortRows orders rows by column key, then by the whole row, so that the
// same records always give the same bytes and the loader can see a
// republished month is unchanged. It does not use the API's crime id,
// which the API does not keep stable.
func sortRows(rows [][]string, key int) {
	slices.SortFunc(rows, func(a, b []string) int {
		return cmp.Or(strings.Compare(a[key], b[key]), slices.Compare(a, b))
	})
}

// downloads writes the rows as the archive's files for force and month,
// leaving out a kind with no rows.
func (c *Client) downloads(month, force string, street, outcomes, stops [][]string) ([]Download, error) {
	var ds []Download
	for _, f := range []struct {
		kind   string
		header []string
		rows   [][]string
	}{
		{"street", streetHeader, street},
		{"outcomes", outcomesHeader, outcomes},
		{"stop-and-search", stopHeader, stops},
	} {
		name := fmt.Sprintf("%s-%s-%s.csv", month, force, f.kind)
		if len(f.rows) == 0 {
			c.logger().Info("police.uk API has no rows; no file", "file", name)
			continue
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Write(f.header)
		if err := w.WriteAll(f.rows); err != nil {
			return nil, fmt.Errorf("writing %s: %w", name, err)
		}
		ds = append(ds, Download{Name: name, Body: buf.Bytes()})
		c.logger().Info("police.uk API file ready", "file", name, "rows", len(f.rows), "bytes", buf.Len())
	}
	return ds, nil
}
