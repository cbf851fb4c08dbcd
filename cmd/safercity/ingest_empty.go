package main

import (
	"fmt"
	"strings"

	"github.com/safercity/safercity/ingest"
)

// allQuarantined fails a load in which a file had every one of its lines
// quarantined.
func allQuarantined(sum *ingest.Summary) error {
	paths := sum.Emptied()
	if len(paths) == 0 {
		return nil
	}
	return fmt.Errorf("%d file(s) had every line quarantined, so nothing of them was loaded: %s; the reasons are in the quarantine table (safercity query quarantine_summary); the other files were loaded",
		len(paths), strings.Join(paths, ", "))
}
