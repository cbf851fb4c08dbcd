package names

import (
	"errors"
	"strings"
	"testing"
)

var units = []string{"City of London", "Leicestershire", "Westminster", "Leicester", "Camden"}

func TestNearest(t *testing.T) {
	for given, want := range map[string]string{
		"Leicstr":        "Leicester",
		"Leicestershir":  "Leicestershire",
		"city of londn":  "City of London",
		"westminster":    "Westminster",
		"Camdn":          "Camden",
		"Kent":           "",
		"zzzzzzzzzzzzzz": "",
	} {
		if got := Nearest(given, units); got != want {
			t.Errorf("Nearest(%q) = %q, want %q", given, got, want)
		}
	}
}

func TestCheck(t *testing.T) {
	if err := Check("unit", "Camden", units); err != nil {
		t.Error(err)
	}
	if got, err := Resolve("unit", " camden ", units); err != nil || got != "Camden" {
		t.Errorf("Resolve(camden) = %q, %v", got, err)
	}
	err := Check("unit", "Leicstr", units)
	var ue *UnknownError
	if !errors.Is(err, ErrUnknown) || !errors.As(err, &ue) || ue.Nearest != "Leicester" {
		t.Fatalf("Check(Leicstr) = %v", err)
	}
	if !strings.Contains(err.Error(), `did you mean "Leicester"?`) || !strings.Contains(err.Error(), "Westminster") {
		t.Errorf("message %q", err)
	}
	if err := Check("unit", "x", nil); err == nil || !strings.Contains(err.Error(), "load and transform") {
		t.Errorf("empty store: %v", err)
	}
}
