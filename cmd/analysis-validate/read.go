package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/safercity/safercity/bng"
	"github.com/safercity/safercity/hotspots/spatstat"
	"github.com/safercity/safercity/internal/names"
)

// A month is one street file's located crimes.
type month struct {
	month     string
	pts       []orb.Point // BNG metres
	locations []string    // "On or near …" with the LSOA code: a street location
}

// readMonths reads the street files, one per month, keeping crimes of
// crimeType (all when empty), and returns the last run of consecutive
// months: the forecast needs an unbroken series. Rows without coordinates
// and months before a gap are logged, not silently dropped.
func readMonths(log *slog.Logger, files []string, crimeType string) ([]month, error) {
	var out []month
	skipped, kept := 0, 0
	types := map[string]bool{} // every crime type seen, for a mistyped --crime-type
	for _, f := range files {
		m, s, err := readStreet(f, crimeType, types)
		if err != nil {
			return nil, err
		}
		skipped += s
		kept += len(m.pts) + s
		if len(out) > 0 && !nextMonth(out[len(out)-1].month, m.month) {
			log.Warn("months before a gap left out: the series must be consecutive",
				"from", out[0].month, "to", out[len(out)-1].month, "next", m.month)
			out = out[:0]
		}
		out = append(out, m)
	}
	if crimeType != "" && kept == 0 {
		seen := slices.Sorted(maps.Keys(types))
		best, _ := names.Closest(crimeType, seen)
		return nil, fmt.Errorf("--crime-type %q matches no crime in %d files (did you mean %q?); the types are: %s",
			crimeType, len(files), best, strings.Join(seen, ", "))
	}
	if skipped > 0 {
		log.Info("crimes without a location left out", "crimes", skipped, "files", len(files))
	}
	return out, nil
}

// nextMonth reports whether b is the month after a; readStreet checked
// that both are YYYY-MM.
func nextMonth(a, b string) bool {
	ta, _ := time.Parse("2006-01", a)
	tb, _ := time.Parse("2006-01", b)
	return ta.AddDate(0, 1, 0).Equal(tb)
}

// readStreet reads one street file, keeping crimes of crimeType (all when
// empty); it adds every crime type it sees to types.
func readStreet(path, crimeType string, types map[string]bool) (month, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return month{}, 0, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		return month{}, 0, fmt.Errorf("%s: reading the header: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimPrefix(h, "\uFEFF")] = i
	}
	for _, need := range []string{"Longitude", "Latitude", "Location", "LSOA code", "Crime type"} {
		if _, ok := col[need]; !ok {
			return month{}, 0, fmt.Errorf("%s: no column %q: is it a police.uk street file?", path, need)
		}
	}
	m := month{month: filepath.Base(filepath.Dir(path))}
	if _, err := time.Parse("2006-01", m.month); err != nil {
		return month{}, 0, fmt.Errorf("%s: the folder %q is not a month (YYYY-MM), as police.uk archives name them", path, m.month)
	}
	skipped := 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return m, skipped, nil
		}
		if err != nil {
			return month{}, 0, fmt.Errorf("%s: %w", path, err)
		}
		types[rec[col["Crime type"]]] = true
		if crimeType != "" && rec[col["Crime type"]] != crimeType {
			continue
		}
		lon, err1 := strconv.ParseFloat(rec[col["Longitude"]], 64)
		lat, err2 := strconv.ParseFloat(rec[col["Latitude"]], 64)
		if err1 != nil || err2 != nil {
			skipped++
			continue
		}
		e, n := bng.ToBNG(lon, lat)
		m.pts = append(m.pts, orb.Point{e, n})
		m.locations = append(m.locations, rec[col["Location"]]+" | "+rec[col["LSOA code"]])
	}
}

// An archive is a force's months on one grid: the box of the middle 98 % of
// all its crimes, as the hotspot stage draws its study area, so a few
// crimes recorded far away do not stretch it.
type archive struct {
	months  []month
	grid    spatstat.Grid
	counts  [][]float64 // per month, per cell
	crimes  int
	outside int
}

func newArchive(months []month, cell float64) (*archive, error) {
	var xs, ys []float64
	for _, m := range months {
		for _, p := range m.pts {
			xs, ys = append(xs, p.X()), append(ys, p.Y())
		}
	}
	if len(xs) == 0 {
		return nil, errors.New("no located crimes")
	}
	slices.Sort(xs)
	slices.Sort(ys)
	at := func(v []float64, q float64) float64 { return v[int(math.Round(q*float64(len(v)-1)))] }
	g, err := spatstat.GridCovering(orb.Bound{Min: orb.Point{at(xs, 0.01), at(ys, 0.01)}, Max: orb.Point{at(xs, 0.99), at(ys, 0.99)}}, cell)
	if err != nil {
		return nil, err
	}
	a := &archive{months: months, grid: g, crimes: len(xs)}
	for _, m := range months {
		c, outside, err := g.Counts(m.pts, nil)
		if err != nil {
			return nil, err
		}
		a.counts = append(a.counts, c)
		a.outside += outside
	}
	return a, nil
}
