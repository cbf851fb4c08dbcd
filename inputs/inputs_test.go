package inputs

import (
	"reflect"
	"testing"
	"time"
)

func TestChangesNameEachInput(t *testing.T) {
	before := Parts{"enriched 2021-01": "s:1,2", "enriched 2021-02": "s:3", "feed premises": "7", "settings": "ab"}
	now := Parts{"enriched 2021-01": "s:1,2", "enriched 2021-02": "s:9", "enriched 2021-03": "s:10", "settings": "ab"}
	want := []string{"enriched 2021-02 changed", "enriched 2021-03 new", "feed premises gone"}
	if got := Changes(before, now); !reflect.DeepEqual(got, want) {
		t.Errorf("Changes = %q, want %q", got, want)
	}
	if got := Changes(now, Parse(now.String())); len(got) != 0 {
		t.Errorf("stored form does not read back: %q", got)
	}
}

func TestPlanRecomputesOnlyChanged(t *testing.T) {
	m := func(s string) time.Time { v, _ := time.Parse("2006-01", s); return v }
	r := func(s string) Result { return Result{Stage: "index", Month: m(s)} }
	now := map[Result]Parts{
		r("2021-03"): {"enriched 2021-03": "b"},
		r("2021-01"): {"enriched 2021-01": "a"},
		r("2021-02"): {"enriched 2021-02": "x"},
		r("2021-04"): {"enriched 2021-04": "c"},
	}
	recorded := map[Result]Parts{
		r("2021-01"): {"enriched 2021-01": "a"},
		r("2021-03"): {"enriched 2021-03": "old"},
	}
	stored := map[Result]bool{r("2021-01"): true, r("2021-02"): true, r("2021-03"): true}
	tasks, err := Plan([]Result{r("2021-04"), r("2021-03"), r("2021-02"), r("2021-01")}, stored, recorded,
		func(x Result) (Parts, error) { return now[x], nil })
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, k := range tasks {
		got = append(got, k.String()+": "+k.Reason)
	}
	want := []string{"2021-02: inputs not recorded", "2021-03: enriched 2021-03 changed", "2021-04: new"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Plan = %q, want %q", got, want)
	}
}
