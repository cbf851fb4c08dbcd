package pipeline

import (
	"strings"
	"testing"

	"github.com/safercity/safercity/ingest"
)

// A scheduled load whose file lost every line to quarantine ends with a
// warning naming it, as a refused file does; a clean load has none.
func TestRefusalsNameEmptiedFiles(t *testing.T) {
	clean := &ingest.Summary{Files: []ingest.FileResult{{Path: "a.csv", Status: ingest.StatusLoaded, Loaded: 10}}}
	if err := refusals(clean); err != nil {
		t.Errorf("clean load: %v", err)
	}
	emptied := &ingest.Summary{Files: []ingest.FileResult{
		{Path: "a.csv", Status: ingest.StatusLoaded, Loaded: 10},
		{Path: "2021-01-kent-street.csv", Status: ingest.StatusLoaded, Quarantined: 7},
	}}
	err := refusals(emptied)
	if err == nil || !strings.Contains(err.Error(), "2021-01-kent-street.csv") || !strings.Contains(err.Error(), "every line quarantined") {
		t.Errorf("emptied file: %v, want a warning naming it", err)
	}
}
