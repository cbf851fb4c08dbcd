package hotspots

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/safercity/safercity/internal/shareddata"
	"github.com/safercity/safercity/internal/storetest"
)

// sharedYear returns the street files of every force in ../shared for the
// twelve months to 2021-03, linked into one folder.
func sharedYear(b *testing.B) string {
	src := shareddata.Path(b, "data", "police-uk")
	dir := b.TempDir()
	for m := march2021.AddDate(0, -11, 0); !m.After(march2021); m = m.AddDate(0, 1, 0) {
		files, _ := filepath.Glob(filepath.Join(src, m.Format("2006-01"), "*-street.csv"))
		for _, f := range files {
			if err := os.Symlink(f, filepath.Join(dir, filepath.Base(f))); err != nil {
				b.Fatal(err)
			}
		}
	}
	return dir
}

// BenchmarkAllForcesCommand times the command a user runs on every force of
// 2021-03 in ../shared (16 forces, the twelve months to 2021-03 loaded and
// transformed beforehand, 59,586 violent crimes in 2021-03): `safercity hotspots --profile violence --month
// 2021-03`, as a separate process, with its peak resident memory. Targets:
// 2 s and 512 MiB. make bench sets SAFERCITY_BIN.
func BenchmarkAllForcesCommand(b *testing.B) {
	bin := os.Getenv("SAFERCITY_BIN")
	if bin == "" {
		b.Skip("set SAFERCITY_BIN to a built safercity binary (make bench does)")
	}
	// The database is made by the binary too: a child's peak RSS counts the
	// parent's pages until it execs, so this process stays small.
	db := filepath.Join(b.TempDir(), "bench.duckdb")
	command(b, bin, "ingest", "police", "--db", db, "--quiet", sharedYear(b))
	command(b, bin, "transform", "--db", db, "--quiet")
	var peak int64
	var cpu time.Duration
	for b.Loop() {
		ru := command(b, bin, "hotspots", "--db", db, "--profile", "violence", "--month", "2021-03")
		peak = max(peak, ru.Maxrss)
		cpu += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	b.ReportMetric(float64(peak)/1024, "peak_MiB")
	// CPU time does not depend on how busy the machine is; the wall time
	// (ns/op) does.
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu_s/op")
}

// command runs the binary and returns its resource usage (peak resident
// memory in KiB, CPU time).
func command(b *testing.B, bin string, args ...string) *syscall.Rusage {
	cmd := exec.Command(bin, args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%s %v: %v: %s", bin, args, err, out)
	}
	return cmd.ProcessState.SysUsage().(*syscall.Rusage)
}

// cpuTime returns the CPU time this process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkForceScale runs violence for 2021-03 on one sparse county force
// and one dense city force: the work follows the crimes and the study
// area's cells, not the box around them (box_cells).
func BenchmarkForceScale(b *testing.B) {
	st, _ := storetest.Transformed(b, sharedYear(b))
	for _, force := range []string{"norfolk", "merseyside", "city-of-london"} {
		b.Run(force, func(b *testing.B) {
			o := Options{Profile: violence(), Month: march2021, Force: force}
			var r Result
			for b.Loop() {
				res, err := Run(context.Background(), st, o)
				if err != nil {
					b.Fatal(err)
				}
				r = res[0]
			}
			var nx, ny int64
			if err := st.DB.QueryRow(`SELECT nx, ny FROM hotspot_runs WHERE force = ? AND month = ?`, force, march2021).Scan(&nx, &ny); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(r.Crimes), "crimes")
			b.ReportMetric(float64(r.Cells), "cells")
			b.ReportMetric(float64(nx*ny), "box_cells")
		})
	}
}

// BenchmarkNationalMonth runs every built-in profile's Gi*, KDE, emerging
// hot spots and back-test for 2021-03 over a national-scale month: the
// shared forces scaled by ../shared/tools/scale-police-street into
// SAFERCITY_BENCH_NATIONAL (make bench builds it: about 500,000 crimes in
// 2021-03 over 48 forces). Target: 15 s for all profiles.
func BenchmarkNationalMonth(b *testing.B) {
	dir := os.Getenv("SAFERCITY_BENCH_NATIONAL")
	if dir == "" {
		b.Skip("set SAFERCITY_BENCH_NATIONAL to a folder of scaled street files (make bench does)")
	}
	st, _ := storetest.Transformed(b, dir)
	crimes := count(b, st, `SELECT count(*) FROM crimes_enriched WHERE located AND month = ?`, march2021)
	forces := count(b, st, `SELECT count(DISTINCT force) FROM crimes_enriched WHERE located AND month = ?`, march2021)
	profiles := []Profile{violence(),
		{Name: "nte", Groups: []string{"nte"}, Measure: "count"},
		{Name: "acquisitive", Groups: []string{"acquisitive"}, Measure: "count"},
		{Name: "asb", Groups: []string{"asb"}, Measure: "count"},
		{Name: "harm", Groups: []string{"violence", "acquisitive", "nte", "weapons"}, Measure: "harm"}}
	var cells int64
	for b.Loop() {
		start, cpu := time.Now(), cpuTime(b)
		shared := NewShared() // as the scheduled job runs its profiles
		for _, p := range profiles {
			if _, err := Run(context.Background(), st, Options{Profile: p, Month: march2021, Shared: shared}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(time.Since(start).Seconds(), "s_all_profiles")
		b.ReportMetric((cpuTime(b) - cpu).Seconds(), "cpu_s_all_profiles") // DuckDB's threads included
	}
	cells = count(b, st, `SELECT sum(cells) FROM hotspot_runs WHERE profile = 'violence' AND month = ?`, march2021)
	b.ReportMetric(float64(crimes), "crimes")
	b.ReportMetric(float64(forces), "forces")
	b.ReportMetric(float64(cells), "study_cells")
}
