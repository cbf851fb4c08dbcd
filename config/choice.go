package config

import (
	"fmt"
	"strings"

	"github.com/safercity/safercity/internal/names"
)

// notOneOf is the error for a setting whose value is none of its choices:
// the nearest choice when one is close, and all of them.
func notOneOf(key, got string, choices ...string) error {
	return fmt.Errorf("configuration: %s %q%s: want %s", key, got, names.DidYouMean(got, choices), orList(choices))
}

// orList writes choices as "a, b or c".
func orList(choices []string) string {
	if len(choices) < 2 {
		return strings.Join(choices, "")
	}
	return strings.Join(choices[:len(choices)-1], ", ") + " or " + choices[len(choices)-1]
}
