package hotspots

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/safercity/safercity/hotspots/spatstat"
)

// TestJSONUndefinedNumbers: an RRI with nothing to recapture, a PAI of an
// empty set and a z of a month without variance are written as null, with
// the reason beside them, and read back as NaN.
func TestJSONUndefinedNumbers(t *testing.T) {
	test := []float64{3, 0, 1, 0}
	previous := []float64{0, 2, 0, 0}
	hit, err := spatstat.MeasureAccuracy([]int{0}, test, previous) // no crime there the month before
	if err != nil {
		t.Fatal(err)
	}
	empty, err := spatstat.MeasureAccuracy(nil, test, previous)
	if err != nil {
		t.Fatal(err)
	}
	r := Result{Top: []TopCell{{Z: Float(math.NaN())}}}
	for _, a := range []spatstat.Accuracy{hit, empty} {
		r.Backtest = append(r.Backtest, Accuracy{HitRate: Float(a.HitRate), PAI: Float(a.PAI), RRI: Float(a.RRI), Undefined: undefined(a)})
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatalf("JSON: %v", err)
	}
	s := string(b)
	for _, want := range []string{`"z":null`, `"rri":null`, `"pai":null`, `nothing to recapture`, `the hot set is empty`, `"pai":3`} {
		if !strings.Contains(s, want) {
			t.Errorf("JSON lacks %s: %s", want, s)
		}
	}
	var back Result
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(float64(back.Backtest[0].RRI)) || float64(back.Backtest[0].PAI) != 3 {
		t.Errorf("read back %+v", back.Backtest[0])
	}
}
