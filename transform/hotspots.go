package transform

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/paulmach/orb"

	"github.com/safercity/safercity/bng"
	"github.com/safercity/safercity/hotspots/spatstat"
	"github.com/safercity/safercity/store"
)

// Profile is a named selection of crimes for hotspot analysis.
type Profile struct {
	Name string
	// Groups selects crimes in any of these groups of crimes_enriched:
	// violence, acquisitive, asb, nte, weapons.
	Groups []string
	// CrimeTypes selects crimes of these police.uk types (with Groups: either).
	CrimeTypes []string
	// Measure is "count" (each crime 1) or "harm" (each crime its harm weight).
	Measure string
	// NTEZones restricts the profile to crimes within ZoneRadius metres of a
	// premises licensed past LateAfter minutes after midnight on some day,
	// when the premises feed is loaded.
	NTEZones   bool
	ZoneRadius float64
	LateAfter  int
	// Incidents adds partner-feed incidents (time-stamped, located) that
	// fall in the night window: on NightDays, from NightFrom to NightTo
	// minutes after midnight local time, an event after midnight belonging
	// to the previous evening's night.
	Incidents          bool
	NightDays          []time.Weekday
	NightFrom, NightTo int
}

// nightWindow is the SQL condition on incidents (alias i) for the profile's
// night window.
func (p Profile) nightWindow() string {
	var days []string
	for _, d := range p.NightDays {
		days = append(days, fmt.Sprint(int(d))) // DuckDB's dayofweek: Sunday 0 … Saturday 6
	}
	if len(days) == 0 {
		return "false"
	}
	// Shifting the clock back by NightTo puts the small hours on the
	// evening they follow.
	minute := "(hour(i.occurred_local) * 60 + minute(i.occurred_local))"
	return fmt.Sprintf("(%s >= %d OR %s < %d) AND dayofweek(i.occurred_local - INTERVAL %d MINUTE) IN (%s)",
		minute, p.NightFrom, minute, p.NightTo, p.NightTo, strings.Join(days, ", "))
}

var groupColumns = map[string]bool{"violence": true, "acquisitive": true, "asb": true, "nte": true, "weapons": true}

// where returns the SQL condition on crimes_enriched (alias c) selecting the
// profile; group names are checked against the columns, types are bound.
func (p Profile) where() (string, []any, error) {
	var or []string
	var args []any
	for _, g := range p.Groups {
		if !groupColumns[g] {
			return "", nil, fmt.Errorf("profile %s: unknown group %q (want violence, acquisitive, asb, nte or weapons)", p.Name, g)
		}
		or = append(or, "c."+g)
	}
	if len(p.CrimeTypes) > 0 {
		or = append(or, "c.crime_type IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(p.CrimeTypes)), ", ")+")")
		for _, t := range p.CrimeTypes {
			args = append(args, t)
		}
	}
	if len(or) == 0 {
		return "", nil, fmt.Errorf("profile %s selects nothing: give groups or crime_types", p.Name)
	}
	switch p.Measure {
	case "count", "harm":
	default:
		return "", nil, fmt.Errorf("profile %s: measure %q: want count or harm", p.Name, p.Measure)
	}
	return "(" + strings.Join(or, " OR ") + ")", args, nil
}

// minTrendMonths is the shortest series classified into emerging hot spot
// categories; ArcGIS recommends ten or more time steps.
const minTrendMonths = 6

// HotspotOptions tune one hotspot run. Zero values take the documented
// defaults.
type HotspotOptions struct {
	Profile   Profile
	Month     time.Time
	Force     string  // one force; "" for each force with the profile's crime that month
	CellSize  float64 // metres; default 100
	Band      float64 // Gi* distance band, metres; default spatstat.DefaultBand (incremental spatial autocorrelation)
	Bandwidth float64 // KDE bandwidth, metres; default spatstat.DefaultBandwidth
	Window    int     // months of emerging hot spot analysis; default 12
	Alpha     float64 // significance after FDR; default 0.05
	TopShare  float64 // share of cells in the KDE hotspot set; default 0.05
	Inputs    int     // months before t that back-test hotspot sets are built from; default 3
}

func (o *HotspotOptions) defaults() {
	if o.CellSize == 0 {
		o.CellSize = 100
	}
	if o.Window == 0 {
		o.Window = 12
	}
	if o.Alpha == 0 {
		o.Alpha = spatstat.DefaultAlpha
	}
	if o.TopShare == 0 {
		o.TopShare = 0.05
	}
	if o.Inputs == 0 {
		o.Inputs = 3
	}
}

// HotspotResult is a stored run with what a problem profile shows.
type HotspotResult struct {
	Profile   string         `json:"profile"`
	Force     string         `json:"force"`
	Month     string         `json:"month"`
	Measure   string         `json:"measure"`
	CellSize  float64        `json:"cell_size"`
	Band      float64        `json:"band"`
	Bandwidth float64        `json:"bandwidth"`
	Window    int            `json:"window"`
	Cells     int            `json:"cells"`
	Crimes    int64          `json:"crimes"`
	Incidents int64          `json:"incidents"` // partner incidents in the night windows
	Outside   int64          `json:"outside"`
	Total     float64        `json:"measure_total"`
	HotCells  int            `json:"hot_cells"` // Gi* hot at 95% or more after FDR
	Top       []TopCell      `json:"top"`
	Backtest  []Accuracy     `json:"backtest"`
	Trends    map[string]int `json:"trends"` // emerging categories and their cell counts
	Note      string         `json:"note,omitempty"`
}

// TopCell is one line of a problem profile.
type TopCell struct {
	GridRef   string  `json:"grid_ref"`
	CellX     int64   `json:"cell_x"`
	CellY     int64   `json:"cell_y"`
	Location  string  `json:"location"`
	Crimes    int     `json:"crimes"`
	Incidents int     `json:"incidents"`
	Share     float64 `json:"share"` // of the profile's crime in the month
	Measure   float64 `json:"measure"`
	Z         float64 `json:"z"`
	Bin       int8    `json:"bin"`
	Trend     string  `json:"trend"`
}

// Accuracy is a back-test of one hotspot method for one month.
type Accuracy struct {
	Profile   string  `json:"profile"`
	Force     string  `json:"force"`
	Month     string  `json:"month"`
	Method    string  `json:"method"` // kde | gistar
	Inputs    int     `json:"input_months"`
	Cells     int     `json:"cells"`
	AreaShare float64 `json:"area_share"`
	Hits      float64 `json:"hits"`
	Total     float64 `json:"total"`
	HitRate   float64 `json:"hit_rate"`
	PAI       float64 `json:"pai"`
	RRI       float64 `json:"rri"`
}

// crimePoint is a located crime of the profile.
type crimePoint struct {
	month    int // index into the loaded months
	x, y     float64
	measure  float64
	location string
	partner  bool // a partner-feed incident, not a police.uk crime
}

// Hotspots computes and stores the profile's hotspots for the month: per
// cell the count, measure, KDE density, Gi* z, p, FDR-adjusted p and bin,
// and the emerging hot spot category over the window; plus the back-test of
// hotspot sets built from the months before. Each (profile, force, month) is
// replaced in one transaction.
func Hotspots(ctx context.Context, st *store.Store, o HotspotOptions) ([]HotspotResult, error) {
	o.defaults()
	forces, err := profileForces(ctx, st, o)
	if err != nil {
		return nil, err
	}
	var out []HotspotResult
	for _, force := range forces {
		var r HotspotResult
		err := st.Tx(ctx, func(tx *store.Tx) error {
			var err error
			r, err = hotspotsForce(tx, o, force)
			return err
		})
		// Across all forces, one with none of the profile's crime (none
		// near late premises, say) is passed over, not an error.
		if o.Force == "" && errors.Is(err, errNoProfileCrime) {
			continue
		}
		if err != nil {
			return out, fmt.Errorf("hotspots %s %s %s: %w", o.Profile.Name, force, o.Month.Format("2006-01"), err)
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("hotspots %s %s: %w", o.Profile.Name, o.Month.Format("2006-01"), errNoProfileCrime)
	}
	return out, nil
}

// errNoProfileCrime says a force has none of a profile's located crime in
// the analysed month.
var errNoProfileCrime = errors.New("no located crimes of the profile (for nte with premises loaded: none within the NTE zones)")

func profileForces(ctx context.Context, st *store.Store, o HotspotOptions) ([]string, error) {
	if o.Force != "" {
		return []string{o.Force}, nil
	}
	where, args, err := o.Profile.where()
	if err != nil {
		return nil, err
	}
	forces, err := st.Strings(ctx, `SELECT DISTINCT force FROM crimes_enriched c WHERE located AND month = ? AND `+where+` ORDER BY 1`,
		append([]any{o.Month}, args...)...)
	if err != nil {
		return nil, err
	}
	if len(forces) == 0 {
		return nil, fmt.Errorf("no located %s crimes in %s: run `safercity transform` after loading that month", o.Profile.Name, o.Month.Format("2006-01"))
	}
	return forces, nil
}

// loadPoints reads the profile's located crimes of one force for months
// from..to (inclusive), oldest first.
func loadPoints(tx *store.Tx, p Profile, force string, from, to time.Time) ([]crimePoint, []time.Time, error) {
	where, args, err := p.where()
	if err != nil {
		return nil, nil, err
	}
	zone := ""
	if p.NTEZones {
		if ok, err := hasPremises(tx); err != nil {
			return nil, nil, err
		} else if ok {
			zone = fmt.Sprintf(` AND EXISTS (SELECT 1 FROM premises z WHERE z.easting IS NOT NULL
				AND greatest(z.close_mon, z.close_tue, z.close_wed, z.close_thu, z.close_fri, z.close_sat, z.close_sun) > %d
				AND (z.easting - c.easting) * (z.easting - c.easting) + (z.northing - c.northing) * (z.northing - c.northing) <= %f)`,
				p.LateAfter, p.ZoneRadius*p.ZoneRadius)
		}
	}
	var months []time.Time
	for m := from; !m.After(to); m = m.AddDate(0, 1, 0) {
		months = append(months, m)
	}
	var pts []crimePoint
	q := `SELECT month, easting, northing, harm, coalesce(location, '') FROM crimes_enriched c
		WHERE located AND force = ? AND month BETWEEN ? AND ? AND ` + where + zone
	err = tx.QueryArrow(q, append([]any{force, from, to}, args...), func(rec arrow.Record) error {
		mo := rec.Column(0).(*array.Date32)
		x := rec.Column(1).(*array.Float64)
		y := rec.Column(2).(*array.Float64)
		h := rec.Column(3).(*array.Float64)
		loc := rec.Column(4).(*array.String)
		for i := 0; i < int(rec.NumRows()); i++ {
			t := mo.Value(i).ToTime()
			k := (t.Year()-from.Year())*12 + int(t.Month()-from.Month())
			m := 1.0
			if p.Measure == "harm" {
				m = h.Value(i)
			}
			// The record's memory is reused after the call: copy the text.
			pts = append(pts, crimePoint{month: k, x: x.Value(i), y: y.Value(i), measure: m, location: strings.Clone(loc.Value(i))})
		}
		return nil
	})
	return pts, months, err
}

// loadIncidents reads the partner incidents in the profile's night windows
// that fall in the grid, for months from..to.
func loadIncidents(tx *store.Tx, p Profile, g spatstat.Grid, from, to time.Time) ([]crimePoint, error) {
	var pts []crimePoint
	q := `SELECT i.month, i.easting, i.northing FROM incidents i
		WHERE i.easting IS NOT NULL AND i.month BETWEEN ? AND ? AND ` + p.nightWindow()
	err := tx.QueryArrow(q, []any{from, to}, func(rec arrow.Record) error {
		mo := rec.Column(0).(*array.Date32)
		x := rec.Column(1).(*array.Float64)
		y := rec.Column(2).(*array.Float64)
		for i := 0; i < int(rec.NumRows()); i++ {
			pt := orb.Point{x.Value(i), y.Value(i)}
			if _, ok := g.Cell(pt); !ok {
				continue
			}
			t := mo.Value(i).ToTime()
			k := (t.Year()-from.Year())*12 + int(t.Month()-from.Month())
			pts = append(pts, crimePoint{month: k, x: pt[0], y: pt[1], measure: 1, partner: true})
		}
		return nil
	})
	return pts, err
}

func hasPremises(tx *store.Tx) (bool, error) {
	var n int
	err := tx.QueryRow(`SELECT count(*) FROM information_schema.tables WHERE table_name = 'premises'`).Scan(&n)
	if err != nil || n == 0 {
		return false, err
	}
	err = tx.QueryRow(`SELECT count(*) FROM premises WHERE easting IS NOT NULL`).Scan(&n)
	return n > 0, err
}

// extent is the box holding the middle 98% of the points' eastings and
// northings: a few crimes recorded far away (City of London Police records
// some in Essex and Derbyshire) must not stretch the study area.
func extent(pts []crimePoint) orb.Bound {
	xs := make([]float64, len(pts))
	ys := make([]float64, len(pts))
	for i, p := range pts {
		xs[i], ys[i] = p.x, p.y
	}
	sort.Float64s(xs)
	sort.Float64s(ys)
	q := func(v []float64, f float64) float64 { return v[int(math.Round(f*float64(len(v)-1)))] }
	return orb.Bound{Min: orb.Point{q(xs, 0.01), q(ys, 0.01)}, Max: orb.Point{q(xs, 0.99), q(ys, 0.99)}}
}

// layer is the profile's crime of one month on the grid.
type layer struct {
	counts    []float64 // measure per cell
	crimes    []int32   // police.uk crimes per cell
	incidents []int32   // partner incidents per cell
	pts       []orb.Point
	weights   []float64
	outside   int64
	location  []map[string]int // per cell, only for the test month
}

func onGrid(g spatstat.Grid, pts []crimePoint, month int, withLocations bool) layer {
	l := layer{counts: make([]float64, g.Len()), crimes: make([]int32, g.Len()), incidents: make([]int32, g.Len())}
	if withLocations {
		l.location = make([]map[string]int, g.Len())
	}
	for _, p := range pts {
		if p.month != month {
			continue
		}
		i, ok := g.Cell(orb.Point{p.x, p.y})
		if !ok {
			l.outside++
			continue
		}
		l.counts[i] += p.measure
		if p.partner {
			l.incidents[i]++
		} else {
			l.crimes[i]++
		}
		l.pts = append(l.pts, orb.Point{p.x, p.y})
		l.weights = append(l.weights, p.measure)
		if withLocations && p.location != "" && !p.partner {
			if l.location[i] == nil {
				l.location[i] = map[string]int{}
			}
			l.location[i][p.location]++
		}
	}
	return l
}

func hotspotsForce(tx *store.Tx, o HotspotOptions, force string) (HotspotResult, error) {
	r := HotspotResult{Profile: o.Profile.Name, Force: force, Month: o.Month.Format("2006-01"), Measure: o.Profile.Measure,
		CellSize: o.CellSize, Window: o.Window, Trends: map[string]int{}}
	from := o.Month.AddDate(0, -(o.Window - 1), 0)
	pts, months, err := loadPoints(tx, o.Profile, force, from, o.Month)
	if err != nil {
		return r, err
	}
	t := len(months) - 1
	if len(pts) == 0 {
		return r, errNoProfileCrime
	}
	g, err := spatstat.GridCovering(extent(pts), o.CellSize)
	if err != nil {
		return r, err
	}
	if o.Profile.Incidents {
		inc, err := loadIncidents(tx, o.Profile, g, from, o.Month)
		if err != nil {
			return r, err
		}
		pts = append(pts, inc...)
	}
	r.Cells = g.Len()
	layers := make([]layer, len(months))
	series := make([][]float64, len(months))
	for k := range months {
		layers[k] = onGrid(g, pts, k, k == t)
		series[k] = layers[k].counts
	}
	cur := layers[t]
	r.Outside = cur.outside
	for i := range cur.crimes {
		r.Crimes += int64(cur.crimes[i])
		r.Incidents += int64(cur.incidents[i])
		r.Total += cur.counts[i]
	}
	if r.Crimes == 0 && r.Incidents == 0 {
		return r, errNoProfileCrime
	}

	r.Band = o.Band
	if r.Band == 0 {
		if r.Band, _, err = spatstat.DefaultBand(g, cur.counts); err != nil {
			r.Band = o.CellSize * math.Sqrt2
			r.Note = fmt.Sprintf("default band not found (%v); used the queen neighbourhood", err)
		}
	}
	gi, err := spatstat.GiStarGrid(g, cur.counts, r.Band)
	noVariance := errors.Is(err, spatstat.ErrNoVariance)
	if err != nil && !noVariance {
		return r, err
	}
	r.Bandwidth = o.Bandwidth
	if r.Bandwidth == 0 {
		r.Bandwidth = spatstat.DefaultBandwidth(cur.pts, o.CellSize)
	}
	var w []float64
	if o.Profile.Measure == "harm" {
		w = cur.weights
	}
	density, err := spatstat.KernelDensity(g, cur.pts, w, r.Bandwidth)
	if err != nil {
		return r, err
	}
	kdeHot := make([]bool, g.Len())
	for _, i := range spatstat.TopShare(density, o.TopShare) {
		kdeHot[i] = true
	}
	// The window starts at the force's first month with data: months before
	// it are missing, not empty. Too short a series has no trend to speak of.
	first := 0
	for first < t && len(layers[first].pts) == 0 && layers[first].outside == 0 {
		first++
	}
	var emerging []spatstat.Emerging
	if steps := len(series) - first; steps >= minTrendMonths {
		if emerging, err = spatstat.EmergingHotSpots(g, series[first:], r.Band, o.Alpha); err != nil {
			return r, err
		}
	} else {
		r.Note = strings.TrimPrefix(r.Note+fmt.Sprintf("; %d month(s) of data: emerging hot spots need at least %d", steps, minTrendMonths), "; ")
	}
	r.Window = len(series) - first

	for _, q := range []string{`DELETE FROM hotspot_cells WHERE profile = ? AND force = ? AND month = ?`,
		`DELETE FROM hotspot_runs WHERE profile = ? AND force = ? AND month = ?`,
		`DELETE FROM hotspot_backtest WHERE profile = ? AND force = ? AND month = ?`} {
		if _, err := tx.Exec(q, o.Profile.Name, force, o.Month); err != nil {
			return r, err
		}
	}
	b := array.NewRecordBuilder(memAlloc, hotspotCellsSchema)
	defer b.Release()
	var top []TopCell
	for i := 0; i < g.Len(); i++ {
		var bin int8
		z, p, pf := math.NaN(), math.NaN(), math.NaN()
		if !noVariance {
			bin, z, p, pf = gi.BinFDR[i], gi.Z[i], gi.P[i], gi.PFDR[i]
		}
		if bin >= 2 {
			r.HotCells++
		}
		trend, mk := "", spatstat.MannKendall{Z: math.NaN(), P: math.NaN()}
		if emerging != nil {
			trend, mk = emerging[i].Pattern.String(), emerging[i].Trend
			r.Trends[trend]++
		}
		anyCrime := false
		for k := range series {
			anyCrime = anyCrime || series[k][i] != 0
		}
		if !anyCrime && bin == 0 && !kdeHot[i] && (emerging == nil || emerging[i].Pattern == spatstat.NoPattern) {
			continue
		}
		centre := g.Centre(i)
		cx, cy := int64(centre[0]-o.CellSize/2), int64(centre[1]-o.CellSize/2)
		ref := cellRef(float64(cx), float64(cy), o.CellSize)
		loc := mode(cur.location[i])
		f := b.Fields()
		f[0].(*array.StringBuilder).Append(o.Profile.Name)
		f[1].(*array.StringBuilder).Append(force)
		f[2].(*array.Date32Builder).Append(arrow.Date32FromTime(o.Month))
		f[3].(*array.Int64Builder).Append(cx)
		f[4].(*array.Int64Builder).Append(cy)
		appendString(f[5], ref)
		f[6].(*array.Int32Builder).Append(cur.crimes[i])
		f[7].(*array.Int32Builder).Append(cur.incidents[i])
		f[8].(*array.Float64Builder).Append(cur.counts[i])
		f[9].(*array.Float64Builder).Append(density[i])
		f[10].(*array.BooleanBuilder).Append(kdeHot[i])
		if noVariance {
			f[11].(*array.Int32Builder).Append(0)
			for _, k := range []int{12, 13, 14, 15} {
				f[k].AppendNull()
			}
		} else {
			f[11].(*array.Int32Builder).Append(gi.Neighbours[i])
			appendFloat(f[12], z)
			appendFloat(f[13], p)
			appendFloat(f[14], pf)
			f[15].(*array.Int8Builder).Append(bin)
		}
		appendString(f[16], trend)
		appendFloat(f[17], mk.Z)
		appendFloat(f[18], mk.P)
		appendString(f[19], loc)
		if cur.crimes[i] > 0 || cur.incidents[i] > 0 {
			top = append(top, TopCell{GridRef: ref, CellX: cx, CellY: cy, Location: loc, Crimes: int(cur.crimes[i]), Incidents: int(cur.incidents[i]),
				Share: float64(cur.crimes[i]) / float64(r.Crimes), Measure: cur.counts[i], Z: z, Bin: bin, Trend: trend})
		}
	}
	sort.SliceStable(top, func(i, j int) bool {
		if top[i].Bin != top[j].Bin {
			return top[i].Bin > top[j].Bin
		}
		if top[i].Measure != top[j].Measure {
			return top[i].Measure > top[j].Measure
		}
		return top[i].GridRef < top[j].GridRef
	})
	r.Top = top[:min(10, len(top))]
	if _, err := tx.AppendBuilder("hotspot_cells", b); err != nil {
		return r, err
	}
	r.Backtest = backtest(g, layers, t, o, force)
	for _, a := range r.Backtest {
		if _, err := tx.Exec(`INSERT INTO hotspot_backtest VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.Profile, a.Force, o.Month, a.Method, a.Inputs, a.Cells, a.AreaShare, a.Hits, a.Total, nan(a.HitRate), nan(a.PAI), nan(a.RRI)); err != nil {
			return r, err
		}
	}
	_, err = tx.Exec(`INSERT INTO hotspot_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP)`,
		o.Profile.Name, force, o.Month, o.Profile.Measure, o.CellSize, r.Band, r.Bandwidth, r.Window,
		g.X0, g.Y0, g.NX, g.NY, r.Crimes, r.Incidents, r.Outside, r.Total)
	return r, err
}

// backtest builds the KDE and Gi* hotspot sets from the o.Inputs months
// before month t and measures them against month t (Chainey, Tompson & Uhlig
// 2008: hit rate and PAI; Levine 2008: RRI against the month before t).
func backtest(g spatstat.Grid, layers []layer, t int, o HotspotOptions, force string) []Accuracy {
	if t < o.Inputs {
		return nil
	}
	input := make([]float64, g.Len())
	var pts []orb.Point
	var w []float64
	for k := t - o.Inputs; k < t; k++ {
		for i, v := range layers[k].counts {
			input[i] += v
		}
		pts = append(pts, layers[k].pts...)
		w = append(w, layers[k].weights...)
	}
	if len(pts) == 0 {
		return nil
	}
	if o.Profile.Measure != "harm" {
		w = nil
	}
	sets := map[string][]int{}
	bw := o.Bandwidth
	if bw == 0 {
		bw = spatstat.DefaultBandwidth(pts, o.CellSize)
	}
	if density, err := spatstat.KernelDensity(g, pts, w, bw); err == nil {
		sets["kde"] = spatstat.TopShare(density, o.TopShare)
	}
	band := o.Band
	if band == 0 {
		if b, _, err := spatstat.DefaultBand(g, input); err == nil {
			band = b
		} else {
			band = o.CellSize * math.Sqrt2
		}
	}
	if gi, err := spatstat.GiStarGrid(g, input, band); err == nil {
		var hot []int
		for i, bin := range gi.BinFDR {
			if bin >= 2 {
				hot = append(hot, i)
			}
		}
		sets["gistar"] = hot
	}
	var out []Accuracy
	for _, method := range []string{"kde", "gistar"} {
		set, ok := sets[method]
		if !ok {
			continue
		}
		a, err := spatstat.MeasureAccuracy(set, layers[t].counts, layers[t-1].counts)
		if err != nil {
			continue
		}
		out = append(out, Accuracy{Profile: o.Profile.Name, Force: force, Month: o.Month.Format("2006-01"), Method: method,
			Inputs: o.Inputs, Cells: a.Cells, AreaShare: a.AreaShare, Hits: a.Hits, Total: a.Total,
			HitRate: a.HitRate, PAI: a.PAI, RRI: a.RRI})
	}
	return out
}

// Backtest back-tests the profile for every month of a force's data with
// enough months before it, without storing anything.
func Backtest(ctx context.Context, st *store.Store, o HotspotOptions) ([]Accuracy, error) {
	o.defaults()
	var out []Accuracy
	err := st.Tx(ctx, func(tx *store.Tx) error {
		var from, to time.Time
		where, args, err := o.Profile.where()
		if err != nil {
			return err
		}
		q := `SELECT min(month), max(month) FROM crimes_enriched c WHERE located AND ` + where
		if o.Force != "" {
			q += ` AND force = ?`
			args = append(args, o.Force)
		}
		if err := tx.QueryRow(q, args...).Scan(&from, &to); err != nil {
			return fmt.Errorf("no located %s crimes: run `safercity transform` first", o.Profile.Name)
		}
		forces := []string{o.Force}
		if o.Force == "" {
			rows, err := tx.Query(`SELECT DISTINCT force FROM crimes_enriched c WHERE located AND `+where+` ORDER BY 1`, args...)
			if err != nil {
				return err
			}
			forces = forces[:0]
			for rows.Next() {
				var f string
				rows.Scan(&f)
				forces = append(forces, f)
			}
			rows.Close()
		}
		for _, force := range forces {
			pts, months, err := loadPoints(tx, o.Profile, force, from.UTC(), to.UTC())
			if err != nil {
				return err
			}
			if len(pts) == 0 {
				continue
			}
			g, err := spatstat.GridCovering(extent(pts), o.CellSize)
			if err != nil {
				return err
			}
			layers := make([]layer, len(months))
			for k := range months {
				layers[k] = onGrid(g, pts, k, false)
			}
			for t := o.Inputs; t < len(months); t++ {
				m := o
				m.Month = months[t]
				out = append(out, backtest(g, layers, t, m, force)...)
			}
		}
		return nil
	})
	return out, err
}

var hotspotCellsSchema = arrow.NewSchema([]arrow.Field{
	{Name: "profile", Type: arrow.BinaryTypes.String},
	{Name: "force", Type: arrow.BinaryTypes.String},
	{Name: "month", Type: arrow.FixedWidthTypes.Date32},
	{Name: "cell_x", Type: arrow.PrimitiveTypes.Int64},
	{Name: "cell_y", Type: arrow.PrimitiveTypes.Int64},
	{Name: "grid_ref", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "crimes", Type: arrow.PrimitiveTypes.Int32},
	{Name: "incidents", Type: arrow.PrimitiveTypes.Int32},
	{Name: "measure", Type: arrow.PrimitiveTypes.Float64},
	{Name: "density", Type: arrow.PrimitiveTypes.Float64},
	{Name: "kde_hot", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "neighbours", Type: arrow.PrimitiveTypes.Int32},
	{Name: "z", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "p", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "p_fdr", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "bin", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
	{Name: "trend", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "mk_z", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "mk_p", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "location", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

// cellRef is the OS grid reference of a cell's south-west corner at the
// precision its size allows.
func cellRef(x, y, size float64) string {
	p := 1000
	for int(size)%p != 0 && p > 1 {
		p /= 10
	}
	ref, err := bng.GridRef(x, y, p)
	if err != nil {
		return ""
	}
	return ref
}

func mode(m map[string]int) string {
	best, n := "", 0
	for k, v := range m {
		if v > n || v == n && k < best {
			best, n = k, v
		}
	}
	return best
}

func appendFloat(b array.Builder, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		b.AppendNull()
		return
	}
	b.(*array.Float64Builder).Append(v)
}

func nan(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}
