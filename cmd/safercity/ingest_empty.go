package main

import (
	"fmt"
	"strings"

	"github.com/safercity/safercity/ingest"
)

// allQuarantined fails a load in which a file had every one of its lines
// quarantined: its partition now holds nothing, which is not a successful
// load of it however the other files went.
func allQuarantined(sum *ingest.Summary) error {
	var paths []string
	for _, f := range sum.Files {
		if (f.Status == ingest.StatusLoaded || f.Status == ingest.StatusReplaced) && f.Loaded == 0 && f.Quarantined > 0 {
			paths = append(paths, f.Path)
		}
	}
	if len(paths) == 0 {
		return nil
	}
	return fmt.Errorf("%d file(s) had every line quarantined, so nothing of them was loaded: %s; the reasons are in the quarantine table (safercity query quarantine_summary); the other files were loaded",
		len(paths), strings.Join(paths, ", "))
}
