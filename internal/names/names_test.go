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
func TestClosest(t *testing.T) {
	for _, c := range []struct {
		name       string
		candidates []string
		want       string
		d          int
	}{
		{"Leicstr", []string{"Leeds", "Leicester", "Lincoln"}, "Leicester", 2},
		{"NOTTINGHAM", []string{"Nottingham", "Notts"}, "Nottingham", 0},
		{"Ynys Mon", []string{"Ynys Môn", "Gwynedd"}, "Ynys Môn", 1},
		{"violnce", []string{"nte", "violence", "violent"}, "violence", 1},
		{"x", nil, "", -1},
	} {
		if got, d := Closest(c.name, c.candidates); got != c.want || d != c.d {
			t.Errorf("Closest(%q, %q) = %q, %d; want %q, %d", c.name, c.candidates, got, d, c.want, c.d)
		}
	}
}
