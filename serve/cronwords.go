package serve

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/safercity/safercity/scheduler"
)

// scheduleWords says a cron spec (Europe/London) in words for the jobs
// page: "every day at 07:00", "on the 2nd of every month at 06:00". A spec
// too intricate for a sentence is shown as itself, marked as cron.
func scheduleWords(spec string) string {
	switch spec {
	case "":
		return ""
	case "@yearly", "@annually":
		return "every year on 1 January at 00:00"
	case "@monthly":
		return "on the 1st of every month at 00:00"
	case "@weekly":
		return "every Sunday at 00:00"
	case "@daily", "@midnight":
		return "every day at 00:00"
	case "@hourly":
		return "every hour, on the hour"
	}
	if d, ok := strings.CutPrefix(spec, "@every "); ok {
		return "every " + d
	}
	f := strings.Fields(spec)
	if len(f) != 5 {
		return "cron " + spec
	}
	minute, errM := strconv.Atoi(f[0])
	if errM != nil || minute < 0 || minute > 59 || f[3] != "*" {
		return "cron " + spec
	}
	if f[1] == "*" && f[2] == "*" && f[4] == "*" {
		return fmt.Sprintf("every hour at %d minutes past", minute)
	}
	hour, err := strconv.Atoi(f[1])
	if err != nil || hour < 0 || hour > 23 {
		return "cron " + spec
	}
	at := fmt.Sprintf("%02d:%02d", hour, minute)
	switch dom, dow := f[2], f[4]; {
	case dom == "*" && dow == "*":
		return "every day at " + at
	case dow == "*":
		if d, err := strconv.Atoi(dom); err == nil && d >= 1 && d <= 31 {
			return fmt.Sprintf("on the %s of every month at %s", ordinal(d), at)
		}
	case dom == "*":
		if days, ok := weekdays(dow); ok {
			return "every " + days + " at " + at
		}
	}
	return "cron " + spec
}

// weekdays reads a cron day-of-week field of numbers, lists and ranges
// (0 or 7 is Sunday).
func weekdays(field string) (string, bool) {
	var parts []string
	for _, p := range strings.Split(field, ",") {
		lo, hi, isRange := strings.Cut(p, "-")
		a, err1 := strconv.Atoi(lo)
		b, err2 := a, error(nil)
		if isRange {
			b, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil || a < 0 || b > 7 || a > b {
			return "", false
		}
		name := func(d int) string { return time.Weekday(d % 7).String() }
		if isRange {
			parts = append(parts, name(a)+" to "+name(b))
		} else {
			parts = append(parts, name(a))
		}
	}
	return strings.Join(parts, ", "), true
}

func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix
}

// nextWords says when a run is due, from now: "in 3 h 5 min (Tue 8 Dec
// 07:00 GMT)", in Europe/London time.
func nextWords(next, now time.Time) string {
	d := next.Sub(now).Round(time.Minute)
	var rel string
	switch {
	case d < time.Minute:
		rel = "in under a minute"
	case d < time.Hour:
		rel = fmt.Sprintf("in %d min", int(d.Minutes()))
	case d < 48*time.Hour:
		rel = fmt.Sprintf("in %d h %d min", int(d.Hours()), int(d.Minutes())%60)
	default:
		rel = fmt.Sprintf("in %d days", int(d.Hours()/24))
	}
	return rel + " (" + next.In(scheduler.London).Format("Mon 2 Jan 15:04 MST") + ")"
}
