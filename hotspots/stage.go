package hotspots

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/safercity/safercity/store"
	"github.com/safercity/safercity/transform"
)

// Run computes and stores the profile's hotspots for the month, per force:
// on the force's study area, per cell the count, measure, KDE density, Gi*
// z, p, FDR-adjusted p and bin, and the emerging hot spot category over the
// window; plus the back-test of hotspot sets built from the months before.
// The month's runs of the profile (of o.Force, or of every force) are
// replaced in one transaction: readers see the old runs or the new ones.
func Run(ctx context.Context, st *store.Store, o Options) ([]Result, error) {
	o.defaults()
	forces, err := profileForces(ctx, st, o)
	if err != nil {
		return nil, err
	}
	bounds, err := boundaries(ctx, st, o)
	if err != nil {
		return nil, err
	}
	var out []Result
	err = st.Tx(ctx, func(tx *store.Tx) error {
		out, err = runForces(tx, o, forces, bounds)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("hotspots %s %s: %w", o.Profile.Name, o.Month.Format("2006-01"), errNoProfileCrime)
	}
	return out, nil
}

// runForces reads every force's crime and footprint in one scan each, then
// computes and stores each force's run.
func runForces(tx *store.Tx, o Options, forces []string, bounds map[string]*boundary) ([]Result, error) {
	from := o.windowFrom()
	ffrom := o.Month.AddDate(0, -(forecastMonths - 1), 0)
	first := from // one scan for the window's months and the forecast's
	if ffrom.Before(first) {
		first = ffrom
	}
	cond, err := profileCondition(tx, o.Profile) // one condition for both scans
	if err != nil {
		return nil, err
	}
	all, err := loadPoints(tx, o.Profile, cond, o.Force, first, o.Month, o.Month)
	if err != nil {
		return nil, err
	}
	pts, fpts := pointsSince(all, first, from), pointsSince(all, first, ffrom)
	studies, err := o.Shared.studies(tx, o.Force, from, o.Month, o.CellSize, bounds)
	if err != nil {
		return nil, err
	}
	var rs runShared
	if rs.counts, err = loadAreaCounts(tx, cond, o.Force, o.Month); err != nil {
		return nil, err
	}
	if rs.pop, err = loadPopulation(tx, o.Month); err != nil {
		return nil, err
	}
	if rs.incidents, err = hasIncidents(tx); err != nil {
		return nil, err
	}
	if rs.incidents && !o.Profile.Incidents {
		if rs.knoxTypes, err = profileCrimeTypes(tx, o.Profile, from, o.Month); err != nil {
			return nil, err
		}
	}
	if err := clearRuns(tx, o); err != nil {
		return nil, err
	}
	w := newCellWriter()
	defer w.release()
	aw := newAreaWriter()
	defer aw.release()
	var out []Result
	// One force computes while the one before it is stored: the store is
	// used by one goroutine only, and the maths of one force overlaps the
	// serial parts of the other.
	var prev *forceRun
	finish := func(fr *forceRun) error {
		<-fr.done
		// Across all forces, one with none of the profile's crime (none
		// near late premises, say) is passed over, not an error.
		if o.Force == "" && errors.Is(fr.err, errNoProfileCrime) {
			return nil
		}
		err := fr.err
		if err == nil {
			err = aw.add(o, fr.out.result)
		}
		if err == nil {
			err = persist(tx, w, o, fr.out.result, fr.s.span(), fr.out.cells)
		}
		if err != nil {
			return fmt.Errorf("hotspots %s %s %s: %w", o.Profile.Name, fr.force, o.Month.Format("2006-01"), err)
		}
		out = append(out, fr.out.result)
		return nil
	}
	for _, force := range forces {
		fr := startForce(tx, o, force, pts[force], studies[force], fpts[force], &rs)
		if prev != nil {
			if err := finish(prev); err != nil {
				<-fr.done
				return nil, err
			}
		}
		prev = fr
	}
	if prev != nil {
		if err := finish(prev); err != nil {
			return nil, err
		}
	}
	if err := aw.flush(tx); err != nil {
		return nil, err
	}
	return out, w.flush(tx)
}

// boundary is a configured boundary study area.
type boundary struct {
	layer string
	cells []cellKey
}

// boundaries returns the configured boundary study areas by force.
func boundaries(ctx context.Context, st *store.Store, o Options) (map[string]*boundary, error) {
	if len(o.Boundaries) == 0 {
		return nil, nil
	}
	layers, _, err := transform.Layers(ctx, st)
	if err != nil {
		return nil, err
	}
	out := map[string]*boundary{}
	for force, name := range o.Boundaries {
		l, ok := layers[name]
		if !ok {
			var have []string
			for n := range layers {
				have = append(have, n)
			}
			sort.Strings(have)
			return nil, fmt.Errorf("hotspots.boundaries: force %s names boundary layer %q, which is not loaded (loaded: %s); load it with `safercity ingest boundaries --layer %s`",
				force, name, strings.Join(have, ", "), name)
		}
		out[force] = &boundary{layer: name, cells: boundaryCells(l, o.CellSize)}
	}
	return out, nil
}

// runShared is what the runs of every force read once: the profile's
// crimes per LSOA and month, the residents, whether any partner incident
// is loaded and, for a profile that does not count incidents, the crime
// types whose incidents its Knox test takes.
type runShared struct {
	counts    map[string]*forceAreaCounts
	pop       population
	incidents bool
	knoxTypes []string
}

// forceRun is one force's run, computed in its own goroutine.
type forceRun struct {
	force string
	s     *study
	out   output
	err   error
	done  chan struct{}
}

// startForce reads what one force's run needs beyond its points, study
// area and forecast points (partner incidents, and when any is loaded those
// of the Knox test), then computes the run and its area statistics in a
// goroutine; done is closed when out or err is set.
func startForce(tx *store.Tx, o Options, force string, pts []crimePoint, s *study, fpts []crimePoint, rs *runShared) *forceRun {
	fr := &forceRun{force: force, s: s, done: make(chan struct{})}
	fail := func(err error) *forceRun {
		fr.err = err
		close(fr.done)
		return fr
	}
	if len(pts) == 0 || s == nil {
		return fail(errNoProfileCrime)
	}
	from := o.windowFrom()
	withheld := 0
	if o.Profile.Incidents {
		inc, n, err := loadIncidents(tx, o.Profile, s.box(), from, o.Month, o.CellSize)
		withheld = n
		if err != nil {
			return fail(err)
		}
		pts = append(pts[:len(pts):len(pts)], inArea(s, inc)...)
	}
	var knoxEvents []knoxEvent
	if rs.incidents {
		var err error
		if knoxEvents, err = loadKnoxEvents(tx, o.Profile, rs.knoxTypes, s.box(), from, o.Month); err != nil {
			return fail(err)
		}
	}
	go func() {
		defer close(fr.done)
		t := monthIndex(o.Month, from)
		layers := make([]layer, t+1)
		for k := range layers {
			layers[k] = onArea(s, pts, k, k == t)
		}
		fr.out, fr.err = compute(s, layers, o, force)
		if fr.err == nil {
			fr.out.result.Concentration, fr.err = measureConcentration(s, layers[t], pts, t)
		}
		if fr.err == nil {
			fr.err = fr.out.addForecast(s, fpts, layers, o, rs.counts[force].consecutive())
		}
		if fr.err == nil {
			fr.err = fr.out.result.addNearRepeat(s, knoxEvents, o)
		}
		if fr.err == nil {
			fr.err = fr.out.result.addAreaStats(o, rs.counts[force], rs.pop)
		}
		if fr.err == nil && withheld > 0 {
			fr.out.result.Notes = append(fr.out.result.Notes, fmt.Sprintf("disclosure policy: %d cell-months of partner incidents in the study area's box over the window withheld (1–2 events) before any statistic; they add nothing to measure, Gi*, KDE or the stored incidents", withheld))
		}
	}()
	return fr
}

// Shared holds what runs of several profiles over the same months can
// reuse: each force's study area and its knn band, which depend on the
// force's crime of every category, not on the profile. Keep one only while
// the data does not change (one scheduled job, one benchmark); nil shares
// nothing.
type Shared struct {
	cache map[studyKey]map[string]*study
}

type studyKey struct {
	force    string // "" for every force
	from, to time.Time
	cellSize float64
}

// NewShared returns an empty Shared.
func NewShared() *Shared { return &Shared{cache: map[studyKey]map[string]*study{}} }

// studies returns the study area of each force (one, or every force when
// force is "") over months from..to: the boundary's cells when one is
// configured, else the footprint.
func (sh *Shared) studies(tx *store.Tx, force string, from, to time.Time, cellSize float64, bounds map[string]*boundary) (map[string]*study, error) {
	key := studyKey{force, from, to, cellSize}
	if sh != nil && sh.cache[key] != nil {
		return sh.cache[key], nil
	}
	fps, err := loadFootprints(tx, force, from, to, cellSize)
	if err != nil {
		return nil, err
	}
	streets, err := loadStreetPlaces(tx, force, from, to)
	if err != nil {
		return nil, err
	}
	out := map[string]*study{}
	for f, fp := range fps {
		var s study
		if b := bounds[f]; b != nil {
			s, err = newStudy("boundary:"+b.layer, b.cells, cellSize)
		} else {
			s, err = newStudy("footprint", footprintCells(fp, 0, monthIndex(to, from)), cellSize)
		}
		if err != nil {
			return nil, fmt.Errorf("force %s: %w", f, err)
		}
		s.streets = streets[f]
		out[f] = &s
	}
	if sh != nil {
		sh.cache[key] = out
	}
	return out, nil
}

// studyArea returns the study area of a back-test over months lo..hi of in:
// the boundary's cells when one is configured, else the footprint.
func studyArea(in input, b *boundary, lo, hi int, cellSize float64) (study, error) {
	if b != nil {
		return newStudy("boundary:"+b.layer, b.cells, cellSize)
	}
	return newStudy("footprint", footprintCells(in.footprint, lo, hi), cellSize)
}

// Backtest back-tests the profile for every month of a force's data with
// enough months before it (o.Month alone, when set), on the study area a
// run of that month would have, without storing anything. Partner
// incidents count as in Run.
func Backtest(ctx context.Context, st *store.Store, o Options) ([]Accuracy, error) {
	o.defaults()
	bounds, err := boundaries(ctx, st, o)
	if err != nil {
		return nil, err
	}
	var out []Accuracy
	err = st.Tx(ctx, func(tx *store.Tx) error {
		from, to, forces, err := dataRange(tx, o.Profile, o.Force)
		if err != nil {
			return err
		}
		for _, force := range forces {
			acc, err := backtestForce(tx, o, force, bounds[force], from, to)
			if err != nil {
				return fmt.Errorf("back-test %s %s: %w", o.Profile.Name, force, err)
			}
			out = append(out, acc...)
		}
		return nil
	})
	if err == nil && len(out) == 0 && !o.Month.IsZero() {
		return nil, fmt.Errorf("no back-test of %s for %s: %w (here the %d months before it); without a month, every month that has them is tested",
			o.Profile.Name, o.Month.Format("2006-01"), ErrNoTestMonth, o.Inputs)
	}
	return out, err
}

// ErrNoTestMonth is returned by Backtest when the one test month asked for
// cannot be tested.
var ErrNoTestMonth = errors.New("a test month needs the months before it in the data, and crime in its window")

func backtestForce(tx *store.Tx, o Options, force string, b *boundary, from, to time.Time) ([]Accuracy, error) {
	in, err := readInput(tx, o.Profile, force, from, to, o.CellSize)
	if err != nil || len(in.points) == 0 {
		return nil, err
	}
	if o.Profile.Incidents {
		whole, err := studyArea(in, b, 0, len(in.months)-1, o.CellSize)
		if err != nil {
			return nil, err
		}
		inc, _, err := loadIncidents(tx, o.Profile, whole.box(), from, to, o.CellSize) // the runs report what is withheld
		if err != nil {
			return nil, err
		}
		in.points = append(in.points, inc...)
	}
	var out []Accuracy
	for t := o.Inputs; t < len(in.months); t++ {
		if !o.Month.IsZero() && !in.months[t].Equal(o.Month) {
			continue
		}
		lo := max(0, t-(o.Window-1))
		s, err := studyArea(in, b, lo, t, o.CellSize)
		if err != nil {
			continue // no crime of any kind in the window: nothing to test
		}
		layers := make([]layer, t+1)
		for k := t - o.Inputs; k <= t; k++ {
			layers[k] = onArea(&s, onlyInArea(&s, in.points, k), k, false)
		}
		m := o
		m.Month = in.months[t]
		out = append(out, backtest(&s, layers, t, m, force, 0)...)
	}
	return out, nil
}

// onlyInArea returns the points of month k, keeping partner incidents only
// where they fall in the study area, as Run does.
func onlyInArea(s *study, pts []crimePoint, k int) []crimePoint {
	var out []crimePoint
	for _, p := range pts {
		if p.month != k {
			continue
		}
		if p.partner {
			if _, ok := s.cell(p.x, p.y); !ok {
				continue
			}
		}
		out = append(out, p)
	}
	return out
}
