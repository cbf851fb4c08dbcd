package hotspots

import (
	"errors"
	"fmt"
	"math"

	"github.com/safercity/safercity/analysis/knox"
)

// knoxOptions are the stored Knox test's bands and simulation: 0–400 m by
// 100 m and 0–28 days by 7, 999 permutations, as the Near Repeat
// Calculator's defaults and Johnson et al. (2007)'s near-repeat range.
// The work is bounded (a few seconds of CPU: a million pairs within 400 m
// at 999 permutations), so that a large force's incident feed cannot hold
// up the scheduled hotspots job: beyond it fewer permutations run, and
// beyond 99 of them the test is not run, each with a note.
var knoxOptions = knox.Options{
	Distances:    []float64{0, 100, 200, 300, 400},
	Days:         []float64{0, 7, 14, 21, 28},
	Permutations: 999,
	MaxWork:      1_000_000_000,
}

// NearRepeat is the Knox test of the partner incidents of a run's window.
type NearRepeat struct {
	From         string     `json:"window_from"`
	Events       int        `json:"events"`
	Pairs        int        `json:"pairs"`
	Permutations int        `json:"permutations"`
	Seed         uint64     `json:"seed"`
	Cells        []KnoxCell `json:"cells"`
}

// KnoxCell is one distance × time band of the Knox table.
type KnoxCell struct {
	DistanceFrom float64 `json:"distance_from"`
	DistanceTo   float64 `json:"distance_to"`
	DaysFrom     float64 `json:"days_from"`
	DaysTo       float64 `json:"days_to"`
	Observed     int     `json:"observed"`
	Expected     float64 `json:"expected"` // mean of the permutations
	Marginal     Float   `json:"marginal"` // exact, from the table's margins; null when disclosed
	Ratio        Float   `json:"knox_ratio"`
	P            Float   `json:"p"`
	// PClass is P as released with partner counts: "<0.001", "<0.01",
	// "<0.05" or "≥0.05", P itself then null (see Disclose).
	PClass string `json:"p_class,omitempty"`
	// Withheld marks a band whose pairs (1–2) the disclosure policy
	// withholds when the table is shown: its count, ratio and p are blank.
	Withheld bool `json:"withheld,omitempty"`
}

// Significant reports whether the cell's p value, or the class it is
// released as, is below 0.05.
func (c KnoxCell) Significant() bool {
	return c.P < 0.05 || (c.PClass != "" && c.PClass != notSignificant)
}

// tooFewToPair is the note of a Knox test not run, or not shown, for too
// few incidents. It gives no count, so that none, one and two (which the
// disclosure policy withholds) read alike.
func tooFewToPair(from, month string) string {
	return fmt.Sprintf("near repeats: too few partner incidents of the profile with a time and place in the study area over %s…%s to pair; police.uk crimes are monthly and snapped to map points, so they cannot be tested", from, month)
}

// knoxEvent is a partner incident with its time in days.
type knoxEvent struct{ x, y, day float64 }

// addNearRepeat runs the Knox test into r, or notes why not.
func (r *Result) addNearRepeat(s *study, events []knoxEvent, o Options) error {
	nr, note, err := nearRepeat(s, events, o)
	if note != "" {
		r.Notes = append(r.Notes, note)
	}
	r.NearRepeat = nr
	return err
}

// nearRepeat runs the Knox test on the incidents in the study area; with
// fewer than two it returns nil and the reason.
func nearRepeat(s *study, events []knoxEvent, o Options) (*NearRepeat, string, error) {
	var ev []knox.Event
	for _, e := range events {
		if _, ok := s.cell(e.x, e.y); ok {
			ev = append(ev, knox.Event{X: e.x, Y: e.y, Day: e.day})
		}
	}
	from := o.windowFrom()
	if len(ev) < 2 {
		return nil, tooFewToPair(from.Format("2006-01"), o.Month.Format("2006-01")), nil
	}
	ko := knoxOptions
	ko.Seed = uint64(o.Month.Year()*100 + int(o.Month.Month())) // reproducible, and the same for every profile of a month
	r, err := knox.Test(ev, ko)
	if errors.Is(err, knox.ErrTooManyPairs) {
		return nil, fmt.Sprintf("near repeats not tested: %v, more than the stage's budget of %d pair recounts allows; run safercity analysis knox on the incidents as a CSV", err, ko.MaxWork), nil
	}
	if err != nil {
		return nil, "", err
	}
	nr := &NearRepeat{From: from.Format("2006-01"), Events: r.Events, Pairs: r.Pairs, Permutations: r.Permutations, Seed: ko.Seed}
	note := ""
	if r.Permutations < ko.Permutations {
		note = fmt.Sprintf("near repeats: %d permutations instead of %d, to bound the work on this many incidents (the smallest p is %.2g)",
			r.Permutations, ko.Permutations, 1/float64(r.Permutations+1))
	}
	for d, row := range r.Cells {
		for t, c := range row {
			ratio := c.Ratio
			if math.IsInf(ratio, 0) {
				ratio = math.NaN() // pairs where no permutation put any: no ratio
			}
			nr.Cells = append(nr.Cells, KnoxCell{DistanceFrom: ko.Distances[d], DistanceTo: ko.Distances[d+1],
				DaysFrom: ko.Days[t], DaysTo: ko.Days[t+1], Observed: c.Observed, Expected: c.Expected, Marginal: Float(c.Marginal),
				Ratio: Float(ratio), P: Float(c.P)})
		}
	}
	return nr, note, nil
}
