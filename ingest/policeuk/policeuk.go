// Package policeuk reads the crime files published by data.police.uk —
// street-level crimes, outcomes and stop and search — into typed columnar
// batches, setting aside every row that cannot be loaded with its line, raw
// text and reason.
//
// It knows the files as they really are: CRLF, LF or bare CR line endings,
// an optional UTF-8 byte order mark, empty Crime IDs on anti-social
// behaviour rows, "No Location" rows without coordinates, the 2011 layout
// with British National Grid eastings and northings, columns that come and
// go between years, and files re-saved by spreadsheets. It knows nothing of
// where the batches are stored.
package policeuk

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"
	"time"
)

// Kind is one of the three kinds of file in a data.police.uk download.
type Kind string

// The kinds of file, as they appear at the end of the file names.
const (
	Street        Kind = "street"
	Outcomes      Kind = "outcomes"
	StopAndSearch Kind = "stop-and-search"
)

// Kinds lists every kind, in the order their tables are described.
var Kinds = []Kind{Street, Outcomes, StopAndSearch}

// Partition names the unit that police.uk publishes and republishes: one
// force's file of one kind for one month. Loading a partition again replaces
// it.
type Partition struct {
	Kind  Kind
	Force string    // slug from the file name, e.g. "city-of-london"
	Month time.Time // first day of the month, UTC
}

func (p Partition) String() string {
	return fmt.Sprintf("%s %s %s", p.Force, p.Month.Format("2006-01"), p.Kind)
}

var fileNameRE = regexp.MustCompile(`(\d{4})-(\d{2})-([a-z0-9][a-z0-9-]*?)-(street|outcomes|stop-and-search)\.csv$`)

// ParsePartition reads the partition from a file name laid out as in the
// police.uk archive, YYYY-MM-<force>-<kind>.csv, with any prefix before it
// (people often save them as police-uk-YYYY-MM-...).
func ParsePartition(name string) (Partition, error) {
	m := fileNameRE.FindStringSubmatch(strings.ToLower(path.Base(name)))
	if m == nil {
		return Partition{}, errors.New("file name is not YYYY-MM-<force>-street.csv, -outcomes.csv or -stop-and-search.csv as in the police.uk archive")
	}
	month, err := time.Parse("2006-01", m[1]+"-"+m[2])
	if err != nil {
		return Partition{}, fmt.Errorf("month in the file name: %v", err)
	}
	return Partition{Kind: Kind(m[4]), Force: m[3], Month: month}, nil
}
