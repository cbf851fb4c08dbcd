package disclosure

import (
	"errors"
	"testing"
)

func TestCount(t *testing.T) {
	p := Default()
	for _, tt := range []struct {
		n        int64
		want     int64
		withheld bool
	}{
		{0, 0, false}, {1, 0, true}, {2, 0, true}, {3, 5, false}, {4, 5, false}, {5, 5, false},
		{7, 5, false}, {8, 10, false}, {12, 10, false}, {13, 15, false}, {1002, 1000, false},
	} {
		if c := p.Count(tt.n); c.Value != tt.want || c.Withheld != tt.withheld {
			t.Errorf("Count(%d) = %+v, want %d withheld %v", tt.n, c, tt.want, tt.withheld)
		}
	}
}

func TestThresholdCanOnlyBeRaised(t *testing.T) {
	p := Default()
	for _, n := range []int{0, 1, 2} {
		if _, err := p.WithThreshold(n); !errors.Is(err, ErrBelowPolicy) {
			t.Errorf("WithThreshold(%d): %v, want ErrBelowPolicy", n, err)
		}
	}
	q, err := p.WithThreshold(10)
	if err != nil || q.Count(9).Withheld != true || q.Count(10).Value != 10 {
		t.Errorf("raised to 10: %+v %v", q, err)
	}
	if _, err := q.WithThreshold(5); !errors.Is(err, ErrBelowPolicy) {
		t.Errorf("a raised policy lowered again: %v", err)
	}
}

// TestDifferencingWindows is the attack of issue 18: a window of months
// and the same window without its first month are each released (both
// hold enough events), and their difference should give back the first
// month's 1 or 2 events, which are withheld alone. For every later total
// b the attacker could see, some other first-month count is as consistent
// with the two released figures as the true one.
func TestDifferencingWindows(t *testing.T) {
	p := Default()
	for b := int64(p.Threshold); b <= 500; b++ {
		for _, first := range []int64{1, 2} {
			if !p.Count(first).Withheld {
				t.Fatalf("a first month of %d is published alone", first)
			}
			r1, r2 := p.Count(b+first), p.Count(b)
			if others := consistent(p, r1, r2, first); others == 0 {
				t.Fatalf("windows %d+%d (released %d) and %d (released %d) give back the first month's %d", b, first, r1.Value, b, r2.Value, first)
			}
		}
	}
}

// consistent counts the first-month values other than first that could
// have produced the two released figures.
func consistent(p Policy, r1, r2 Count, first int64) int {
	n := 0
	for j := int64(0); j < int64(p.Threshold); j++ {
		if j == first {
			continue
		}
		for b := int64(p.Threshold); b <= 600; b++ {
			if p.Count(b+j) == r1 && p.Count(b) == r2 {
				n++
				break
			}
		}
	}
	return n
}

// TestIncluding: a cell's measure is police crimes plus partner incidents;
// measure − crimes must give the released count, never the true one.
func TestIncluding(t *testing.T) {
	p := Default()
	if _, ok := p.Including(12, 2); ok {
		t.Error("a measure holding 2 partner incidents was released")
	}
	m, ok := p.Including(10+7, 7)
	if !ok || m-10 != 5 {
		t.Errorf("measure of 10 crimes + 7 incidents released as %v (minus crimes %v), want 15", m, m-10)
	}
}

func TestReport(t *testing.T) {
	r := Default().NewReport("rows")
	for _, n := range []int64{0, 1, 2, 5, 7} {
		r.Release(n)
	}
	if r.Withheld != 2 || r.Rounded != 1 {
		t.Errorf("report %+v: want 2 withheld, 1 rounded", r)
	}
	if got := r.String(); got != "2 rows withheld (1–2 partner events); disclosure policy: partner counts rounded to a multiple of 5" {
		t.Errorf("note %q", got)
	}
}

// TestMonths: a window is the sum of its released months, so a withheld
// month changing from 2 to 1 changes nothing, and the row says how many
// months were withheld; a window with no month released is left out.
func TestMonths(t *testing.T) {
	r := Default().NewReport("rows")
	a, b := r.Months([]int64{2, 7, 1, 0, 13}), r.Months([]int64{1, 7, 2, 0, 13})
	if want := (Window{Value: 20, Months: 2, Withheld: 2}); a != want || b != want {
		t.Errorf("windows %+v and %+v, want both %+v", a, b, want)
	}
	if w := r.Months([]int64{2, 0, 1}); w.Months != 0 || r.Withheld != 1 || r.MonthsWithheld != 6 || r.Rounded != 4 {
		t.Errorf("window %+v, report %+v: want no month released, 1 row and 6 months withheld, 4 rounded", w, r)
	}
}
