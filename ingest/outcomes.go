package ingest

import (
	"fmt"
	"slices"

	"github.com/safercity/safercity/ingest/policeuk"
)

// outcomeColumns are, per kind, the columns that say what came of a crime
// or a search (an outcomes file cannot lack its Outcome type: it is
// needed). A republished copy without them — a trimmed file, an export
// that dropped them — is poorer than a stored partition that has them.
var outcomeColumns = map[policeuk.Kind][]struct{ header, column string }{
	policeuk.Street:        {{"Last outcome category", "last_outcome"}},
	policeuk.StopAndSearch: {{"Outcome", "outcome"}, {"Outcome linked to object of search", "outcome_linked"}},
}

// lostOutcomes names the outcome columns p's file lacks that the stored
// partition old has values in.
func (w *writer) lostOutcomes(p *parsed, old stored) ([]string, error) {
	var lost []string
	for _, c := range outcomeColumns[p.part.Kind] {
		if !slices.Contains(p.file.Missing, c.header) {
			continue
		}
		var has bool
		q := fmt.Sprintf(`SELECT EXISTS (SELECT 1 FROM %s WHERE source_id = ? AND %s IS NOT NULL)`, tables[p.part.Kind], c.column)
		if err := w.tx.QueryRow(q, old.id).Scan(&has); err != nil {
			return nil, err
		}
		if has {
			lost = append(lost, c.header)
		}
	}
	return lost, nil
}
