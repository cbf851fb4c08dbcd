// Package names finds the name a user most likely meant when they typed one
// that is not known: the candidate nearest by edit distance, for the "did
// you mean" of errors on mistyped districts, units, layers, profiles,
// forces and columns.
package names

import (
	"math"
	"strings"
)

// Nearest returns the candidate with the smallest edit distance to name,
// ignoring case (the first of equals), and that distance; "" and -1 when
// there are no candidates.
func Nearest(name string, candidates []string) (string, int) {
	if len(candidates) == 0 {
		return "", -1
	}
	best, bestD := "", math.MaxInt
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(name), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best, bestD
}

// editDistance is the Levenshtein distance between a and b, in runes so
// that "Ynys Môn" is one edit from "Ynys Mon".
func editDistance(a, b string) int {
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
