// Package names checks a name a user typed — a unit, force, LSOA, group,
// profile or layer — against the names that exist, and suggests the
// nearest one, so that a typo is never taken for "no data" or "all".
package names

import (
	"errors"
	"fmt"
	"strings"
)

// ErrUnknown is wrapped by every error for a name that does not exist.
var ErrUnknown = errors.New("unknown name")

// UnknownError is a name that does not exist, with the nearest that does.
type UnknownError struct {
	Kind    string // "unit", "force", …
	Given   string
	Nearest string // "" when nothing is close
	Known   []string
}

func (e *UnknownError) Error() string {
	msg := fmt.Sprintf("no %s %q", e.Kind, e.Given) + suggestion(e.Nearest)
	switch n := len(e.Known); {
	case n == 0:
		return msg + fmt.Sprintf(" (the store holds no %s names yet: load and transform data first)", e.Kind)
	case n <= 12:
		return msg + fmt.Sprintf(" (the %d known: %s)", n, strings.Join(e.Known, ", "))
	}
	return msg + fmt.Sprintf(" (%d are known)", len(e.Known))
}

func (e *UnknownError) Unwrap() error { return ErrUnknown }

// Check returns nil when given is one of known (exactly, or ignoring case
// and surrounding space when that is unambiguous — see Resolve), else an
// *UnknownError.
func Check(kind, given string, known []string) error {
	_, err := Resolve(kind, given, known)
	return err
}

// Resolve returns the known name given stands for: itself, or the one
// known name equal to it ignoring case and surrounding space.
func Resolve(kind, given string, known []string) (string, error) {
	var folded []string
	for _, k := range known {
		if k == given {
			return k, nil
		}
		if strings.EqualFold(k, strings.TrimSpace(given)) {
			folded = append(folded, k)
		}
	}
	if len(folded) == 1 {
		return folded[0], nil
	}
	return "", &UnknownError{Kind: kind, Given: given, Nearest: Nearest(given, known), Known: known}
}

// DidYouMean is `: did you mean "X"?` for the known name nearest to given
// (Nearest), or "" when none is close: the tail of an error for a value
// that is none of a fixed list.
func DidYouMean(given string, known []string) string {
	return suggestion(Nearest(given, known))
}

func suggestion(nearest string) string {
	if nearest == "" {
		return ""
	}
	return fmt.Sprintf(": did you mean %q?", nearest)
}

// Nearest returns the known name closest to given in edit distance
// (ignoring case), or "" when none is within a third of its length —
// a suggestion must look like what was meant.
func Nearest(given string, known []string) string {
	g := strings.ToLower(strings.TrimSpace(given))
	best, bestD := "", -1
	for _, k := range known {
		kl := strings.ToLower(k)
		d := distance(g, kl)
		if strings.HasPrefix(kl, g) && len(g) >= 3 {
			d = min(d, 1) // a prefix, e.g. "leic" for "leicestershire"
		}
		if bestD < 0 || d < bestD {
			best, bestD = k, d
		}
	}
	if bestD < 0 || bestD > max(2, len([]rune(g))/3) {
		return ""
	}
	return best
}

// distance is the Levenshtein distance between a and b, in runes.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// Closest returns the candidate with the smallest edit distance to name,
// ignoring case (the first of equals), and that distance; "" and -1 when
// there are no candidates. Callers that judge closeness themselves use it;
// Nearest applies the usual "looks like what was meant" bound.
func Closest(name string, candidates []string) (string, int) {
	best, bestD := "", -1
	for _, c := range candidates {
		if d := distance(strings.ToLower(name), strings.ToLower(c)); bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	return best, bestD
}
