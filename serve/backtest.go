package serve

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/safercity/safercity/hotspots"
	"github.com/safercity/safercity/internal/names"
	"github.com/safercity/safercity/transform"
)

// apiBacktest answers with a profile's back-test, byte for byte what
// `safercity hotspots backtest` prints (format text) or its --json
// (format json): every month of the data with enough months before it
// (month all), or one test month.
func (s *Server) apiBacktest(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := format(q, "json", "text")
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	o, err := s.backtestOptions(r.Context(), r)
	if err != nil {
		s.failErr(w, r, backtestError(r.Context(), err))
		return
	}
	res, err := hotspots.Backtest(r.Context(), s.st, o)
	if errors.Is(err, hotspots.ErrNoTestMonth) {
		err = notFound("%v", err)
	}
	if err != nil {
		s.failErr(w, r, backtestError(r.Context(), err))
		return
	}
	if f == "json" {
		writeJSON(w, http.StatusOK, res)
		return
	}
	var b bytes.Buffer
	if err := hotspots.WriteBacktestTable(&b, res); err != nil {
		s.failErr(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(b.Bytes())
}

// backtestError makes a back-test cut off by the request's time limit a
// 503 that says how to make it fit: a national back-test re-runs every
// month's hotspots.
func backtestError(ctx context.Context, err error) error {
	if ctx.Err() == nil {
		return err
	}
	return &badRequest{http.StatusServiceUnavailable, "the back-test ran longer than " + requestTimeout.String() +
		": give one force (force=, --force) or larger cells (cell=, --cell), or stop the server and run `safercity hotspots backtest` on the database"}
}

// backtestOptions reads a back-test request as hotspots backtest reads its
// flags: the profile as the server's configuration defines it, a force the
// store holds, and overrides of the cell size, Gi* band, KDE bandwidth,
// input months and emerging window (0 or absent: the configuration's).
// A test month other than all is the only one computed.
func (s *Server) backtestOptions(ctx context.Context, r *http.Request) (hotspots.Options, error) {
	var only time.Time
	if month := r.PathValue("month"); month != "all" {
		var err error
		if only, err = parseMonth(month); err != nil {
			return hotspots.Options{}, invalid("month %.20q: want all (every month, as hotspots backtest) or YYYY-MM", month)
		}
	}
	if s.profile == nil {
		return hotspots.Options{}, notFound("this server has no hotspot profiles configured")
	}
	o, err := s.profile(r.PathValue("profile"))
	if errors.Is(err, names.ErrUnknown) {
		return o, invalid("%v", err)
	} else if err != nil {
		return o, err
	}
	if o.Profile.Incidents {
		if err := s.rawPartnerData(r, "the back-test of a profile with partner incidents"); err != nil {
			return o, err
		}
	}
	q := r.URL.Query()
	force, err := single(q, "force", "")
	if err != nil {
		return o, err
	}
	if o.Force, err = transform.ResolveForce(ctx, s.st, force); errors.Is(err, names.ErrUnknown) {
		return o, invalid("%v", err)
	} else if err != nil {
		return o, err
	}
	o.Month = only
	return o, backtestOverrides(q, &o)
}

// backtestOverrides applies the request's overrides of the profile's
// settings, bounded so that one request cannot ask for unbounded work.
func backtestOverrides(q map[string][]string, o *hotspots.Options) error {
	for _, p := range []struct {
		key     string
		lo, hi  float64
		dst     *float64
		meaning string
	}{
		{"cell", 10, 5000, &o.CellSize, "cell size in metres"},
		{"band", 10, 50000, &o.Band, "Gi* distance band in metres"},
		{"bandwidth", 10, 50000, &o.Bandwidth, "KDE bandwidth in metres"},
	} {
		v, err := single(q, p.key, "")
		if err != nil || v == "" {
			if err != nil {
				return err
			}
			continue
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || x < p.lo || x > p.hi {
			return invalid("%s %.20q: want the %s, from %g to %g", p.key, v, p.meaning, p.lo, p.hi)
		}
		*p.dst = x
	}
	var err error
	if q["inputs"] != nil {
		if o.Inputs, err = intParam(q, "inputs", 0, 1, 24, "months"); err != nil {
			return err
		}
	}
	if q["window"] != nil {
		o.Window, err = intParam(q, "window", 0, 1, 120, "months")
	}
	return err
}
