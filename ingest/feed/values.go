package feed

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/safercity/safercity/bng"
)

// cell is one typed value of a row.
type cell struct {
	null bool
	s    string
	f    float64
	i    int64 // counts, minutes, years, directions; microseconds for times; days for dates
}

// london is the zone that months and displayed times follow.
var london = mustLoad(DefaultZone)

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("time zone %s: %v (build with time/tzdata)", name, err))
	}
	return loc
}

// typeValue types the text s, which is not empty, as column c; it returns why
// not when it cannot.
func (f *Feed) typeValue(c *column, s string) (cell, string) {
	switch c.typ {
	case count:
		n, err := parseCount(s)
		if err != nil {
			return cell{}, err.Error()
		}
		return cell{i: n}, ""
	case number:
		x, err := parseNumber(s)
		if err != nil {
			return cell{}, err.Error()
		}
		return cell{f: x}, ""
	case closing:
		if strings.EqualFold(s, "closed") {
			return cell{null: true}, ""
		}
		m, ok := closingMinutes(s)
		if !ok {
			return cell{}, "not a closing time (HH:MM; a time before 06:00 is the next morning, e.g. 02:00 is stored as 26:00; or closed)"
		}
		return cell{i: int64(m)}, ""
	case instant:
		t, why := f.parseInstant(s)
		if why != "" {
			return cell{}, why
		}
		return cell{i: t.UnixMicro()}, ""
	case date:
		t, err := time.Parse(f.Time.Layout, s)
		if err != nil {
			return cell{}, notInLayout("period", f.Time.Layout, err)
		}
		if t.Day() != 1 || t.Hour() != 0 || t.Minute() != 0 || t.Second() != 0 {
			return cell{}, "not the first of a month (a period is a month or a year)"
		}
		return cell{i: int64(arrow.Date32FromTime(t))}, ""
	case year:
		y, err := strconv.Atoi(s)
		if err != nil || y < 1800 || y > 2200 {
			return cell{}, "not a year"
		}
		return cell{i: int64(y)}, ""
	case areaType:
		t := strings.ToLower(s)
		if t != "lsoa" && t != "lad" {
			return cell{}, "not an area type (lsoa or lad)"
		}
		return cell{s: t}, ""
	}
	return cell{s: s}, ""
}

var thousands = regexp.MustCompile(`^-?\d{1,3}(,\d{3})+(\.\d+)?$`)

// parseNumber reads a decimal number, allowing thousands separators as
// spreadsheets write them ("1,954").
func parseNumber(s string) (float64, error) {
	if thousands.MatchString(s) {
		s = strings.ReplaceAll(s, ",", "")
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, fmt.Errorf("not a number")
	}
	return x, nil
}

// parseCount reads a whole number of people or things, as integers or as
// the floats ("13.0") that R and pandas exports write.
func parseCount(s string) (int64, error) {
	x, err := parseNumber(s)
	if err != nil || x < 0 || x != math.Trunc(x) || x > 1<<53 {
		return 0, fmt.Errorf("not a whole number of at least 0")
	}
	return int64(x), nil
}

var clockRE = regexp.MustCompile(`^(\d{1,2})[:.]?(\d{2})$`)

// dayStarts is the hour before which a closing time belongs to the night
// before: premises do not close in the small hours of their own day.
const dayStarts = 6

// closingMinutes reads a closing time as minutes after midnight of the
// trading day: "23:30" is 1410 and "02:00", the next morning, is 1560
// (26:00). Times from 24:00 to 29:59 may also be written as such.
func closingMinutes(s string) (int, bool) {
	if strings.EqualFold(s, "midnight") {
		return 24 * 60, true
	}
	m := clockRE.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	h, _ := strconv.Atoi(m[1])
	min, _ := strconv.Atoi(m[2])
	if min > 59 || h > 24+dayStarts-1 {
		return 0, false
	}
	if h < dayStarts {
		h += 24
	}
	return h*60 + min, true
}

// parseInstant reads a timestamp with the feed's layout: as written when the
// layout has an offset, otherwise as a wall-clock time in the feed's zone.
func (f *Feed) parseInstant(s string) (time.Time, string) {
	t, err := time.Parse(f.Time.Layout, s)
	if err != nil {
		return time.Time{}, notInLayout("time", f.Time.Layout, err)
	}
	if f.hasZone {
		return t.UTC(), ""
	}
	u, n := resolveWallClock(t, f.loc)
	if n == 0 {
		return time.Time{}, fmt.Sprintf("does not exist in %s: the clocks went forward over it (if the log is not in local time, declare time.zone)", f.loc)
	}
	return u, ""
}

// notInLayout says why a value is not a time in layout, with Go's reason
// when it names a field out of range ("day out of range").
func notInLayout(what, layout string, err error) string {
	var pe *time.ParseError
	if errors.As(err, &pe) && pe.Message != "" {
		return fmt.Sprintf("not a %s in the layout %q%s", what, layout, pe.Message)
	}
	return fmt.Sprintf("not a %s in the layout %q", what, layout)
}

// resolveWallClock returns the instant at which clocks in loc showed the
// wall-clock time w (its fields read as written, whatever its location) and
// how many instants did: 0 in the hour skipped when clocks go forward, 2 in
// the hour repeated when they go back. Of two it returns the first, the
// summer-time reading.
func resolveWallClock(w time.Time, loc *time.Location) (time.Time, int) {
	wall := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), time.UTC)
	var found []time.Time
	// Offsets in force a day either side cover any transition the wall
	// time could fall in.
	for _, probe := range []time.Time{wall.Add(-24 * time.Hour), wall, wall.Add(24 * time.Hour)} {
		_, off := probe.In(loc).Zone()
		t := wall.Add(-time.Duration(off) * time.Second)
		l := t.In(loc)
		if l.Year() != wall.Year() || l.YearDay() != wall.YearDay() || l.Hour() != wall.Hour() || l.Minute() != wall.Minute() || l.Second() != wall.Second() {
			continue
		}
		dup := false
		for _, g := range found {
			dup = dup || g.Equal(t)
		}
		if !dup {
			found = append(found, t)
		}
	}
	if len(found) == 0 {
		return time.Time{}, 0
	}
	first := found[0]
	for _, t := range found[1:] {
		if t.Before(first) {
			first = t
		}
	}
	return first.UTC(), len(found)
}

// londonMonth is the first day of the Europe/London month of t.
func londonMonth(t time.Time) time.Time {
	l := t.In(london)
	return time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// londonWallClock is t's Europe/London wall-clock time, as a time in UTC, for
// display beside the UTC instant.
func londonWallClock(t time.Time) time.Time {
	l := t.In(london)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), time.UTC)
}

// point reads a coordinate pair in the feed's CRS and returns it in both
// WGS 84 and British National Grid; ok is false when the row has no point.
func (f *Feed) point(xs, ys string) (lonLatEN [4]float64, ok bool, why string) {
	xs, ys = strings.TrimSpace(xs), strings.TrimSpace(ys)
	if xs == "" && ys == "" {
		return lonLatEN, false, ""
	}
	if xs == "" || ys == "" {
		return lonLatEN, false, "only one of the pair is given"
	}
	x, err1 := parseNumber(xs)
	y, err2 := parseNumber(ys)
	if err1 != nil || err2 != nil {
		return lonLatEN, false, "not a pair of numbers"
	}
	switch f.Coordinates.CRS {
	case WGS84:
		if !inUK(x, y) {
			if inUK(y, x) {
				return lonLatEN, false, "outside the UK as longitude, latitude; the columns look swapped"
			}
			return lonLatEN, false, "outside the UK"
		}
	case BNG:
		if x < 0 || x > 700000 || y < 0 || y > 1300000 {
			return lonLatEN, false, "outside the British National Grid (easting 0–700,000, northing 0–1,300,000 m)"
		}
	}
	return bothCRS(f.Coordinates.CRS, x, y), true, ""
}

// bothCRS is where every feed point is converted: it returns the point as
// longitude, latitude (WGS 84) and easting, northing (British National
// Grid), keeping the pair the feed gave exactly as given.
func bothCRS(crs string, x, y float64) [4]float64 {
	if crs == BNG {
		lon, lat := bng.ToWGS84(x, y)
		return [4]float64{lon, lat, x, y}
	}
	e, n := bng.ToBNG(x, y)
	return [4]float64{x, y, e, n}
}

func inUK(lon, lat float64) bool {
	return lon >= -8.7 && lon <= 1.9 && lat >= 49.8 && lat <= 60.95
}
