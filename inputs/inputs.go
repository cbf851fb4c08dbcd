// Package inputs owns table result_inputs: what each stored downstream
// result (a hotspot profile's month, an index month) was computed from. A
// result's inputs are named parts — the enriched crimes of each month it
// reads (transform's month fingerprint), the partner-feed files it reads,
// its settings — so that a run can recompute exactly the results whose
// inputs changed and say which part changed and how.
package inputs

import (
	"fmt"
	"sort"
	"strings"
)

// Parts are a result's inputs: a fingerprint by input name, such as
// "enriched 2021-02", "feed premises" or "settings".
type Parts map[string]string

// String is the stored form: "name=fingerprint" lines sorted by name.
func (p Parts) String() string {
	var b strings.Builder
	for _, k := range p.names() {
		fmt.Fprintf(&b, "%s=%s\n", k, p[k])
	}
	return b.String()
}

func (p Parts) names() []string {
	names := make([]string, 0, len(p))
	for k := range p {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Parse reads the stored form back.
func Parse(s string) Parts {
	p := Parts{}
	for _, line := range strings.Split(s, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			p[k] = v
		}
	}
	return p
}

// Changes says how now differs from before, one phrase per input that
// changed, was added or is gone, in name order: empty when they agree.
func Changes(before, now Parts) []string {
	var out []string
	for _, k := range now.names() {
		old, ok := before[k]
		switch {
		case !ok:
			out = append(out, k+" new")
		case old != now[k]:
			out = append(out, k+" changed")
		}
	}
	for _, k := range before.names() {
		if _, ok := now[k]; !ok {
			out = append(out, k+" gone")
		}
	}
	return out
}

// Reason is why a result is to be computed, for the job history: "new"
// when nothing is stored, "inputs not recorded" for a result stored without
// a record of its inputs (by an earlier version, or by hand), else the
// inputs that changed; "" when none did.
func Reason(stored, recorded bool, before, now Parts) string {
	switch {
	case !stored:
		return "new"
	case !recorded:
		return "inputs not recorded"
	}
	return strings.Join(Changes(before, now), ", ")
}
