package serve

import (
	"testing"
	"time"
)

func TestScheduleWords(t *testing.T) {
	for spec, want := range map[string]string{
		"0 7 * * *":    "every day at 07:00",
		"30 5 * * *":   "every day at 05:30",
		"0 6 2 * *":    "on the 2nd of every month at 06:00",
		"15 * * * *":   "every hour at 15 minutes past",
		"0 22 * * 5,6": "every Friday, Saturday at 22:00",
		"0 8 * * 1-5":  "every Monday to Friday at 08:00",
		"@hourly":      "every hour, on the hour",
		"@monthly":     "on the 1st of every month at 00:00",
		"@every 90m":   "every 90m",
		"*/5 * * * *":  "cron */5 * * * *",
		"0 6 1 1 *":    "cron 0 6 1 1 *",
	} {
		if got := scheduleWords(spec); got != want {
			t.Errorf("scheduleWords(%q) = %q, want %q", spec, got, want)
		}
	}
}

func TestNextWords(t *testing.T) {
	now := time.Date(2026, 6, 1, 5, 0, 0, 0, time.UTC) // 06:00 BST
	for next, want := range map[time.Time]string{
		now.Add(20 * time.Minute):             "in 20 min (Mon 1 Jun 06:20 BST)",
		now.Add(26*time.Hour + 5*time.Minute): "in 26 h 5 min (Tue 2 Jun 08:05 BST)",
		now.Add(200 * time.Hour):              "in 8 days (Tue 9 Jun 14:00 BST)",
	} {
		if got := nextWords(next, now); got != want {
			t.Errorf("nextWords(+%v) = %q, want %q", next.Sub(now), got, want)
		}
	}
}
