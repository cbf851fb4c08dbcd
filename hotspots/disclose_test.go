package hotspots

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/safercity/safercity/disclosure"
)

// TestHotspotIncidentsCannotBeDerived is issue 18's attack (c): the nte
// profile printed "<3" incidents beside crimes and measure, so incidents
// = measure − crimes. After the policy, measure − crimes is a released
// (rounded) count for every cell shown, and a cell with a few incidents
// is not shown at all.
func TestHotspotIncidentsCannotBeDerived(t *testing.T) {
	res := []Result{{Profile: "nte", Crimes: 40, Incidents: 11, Total: 51, Top: []TopCell{
		{GridRef: "TQ3281", Crimes: 9, Incidents: 2, Measure: 11},
		{GridRef: "TQ3280", Crimes: 6, Incidents: 7, Measure: 13},
		{GridRef: "TQ3180", Crimes: 5, Incidents: 0, Measure: 5},
		{GridRef: "TQ3181", Crimes: 1, Incidents: 2, Measure: 3},
	}}, {Profile: "violence", Crimes: 8, Total: 8, Top: []TopCell{{GridRef: "TQ3281", Crimes: 8, Measure: 8}}}}
	Disclose(disclosure.Default(), res)
	nte := res[0]
	var refs []string
	for _, c := range nte.Top {
		refs = append(refs, c.GridRef)
		if d := int(c.Measure) - c.Crimes; d != c.Incidents || d%5 != 0 {
			t.Errorf("%s: measure %v − crimes %d = %d beside incidents %d: not the released count", c.GridRef, c.Measure, c.Crimes, d, c.Incidents)
		}
	}
	if strings.Join(refs, " ") != "TQ3280 TQ3180" {
		t.Errorf("cells shown %v, want TQ3280 TQ3180 (the two with 2 incidents withheld)", refs)
	}
	if nte.Incidents != 10 || nte.Total != 50 || !strings.Contains(strings.Join(nte.Notes, "; "), "2 top cells withheld") {
		t.Errorf("profile total %d incidents, measure %v, note %q", nte.Incidents, nte.Total, nte.Notes)
	}
	if b, _ := json.Marshal(res[1]); !strings.Contains(string(b), `"crimes":8`) || len(res[1].Notes) != 0 {
		t.Errorf("police data only was changed: %s", b)
	}
}
