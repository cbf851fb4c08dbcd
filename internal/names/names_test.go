package names

import "testing"

func TestNearest(t *testing.T) {
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
		if got, d := Nearest(c.name, c.candidates); got != c.want || d != c.d {
			t.Errorf("Nearest(%q, %q) = %q, %d; want %q, %d", c.name, c.candidates, got, d, c.want, c.d)
		}
	}
}
