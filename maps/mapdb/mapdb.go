// Package mapdb reads stored hotspot results and boundary layers into
// maps.Map values, ready for the map writers: the grid cells of a profile's
// month, or the areas of a boundary layer with the profile's crime and Gi*
// computed over their centroids. Partner incidents on a map are released
// through the disclosure policy here, the one place (disclose.go).
//
// It also answers which hotspots are stored (profile-months, their forces)
// and lists a map's hottest cells, for the dashboard and the API (runs.go).
package mapdb

import (
	"context"
	"database/sql"
	"fmt"
	stdmaps "maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/safercity/safercity/disclosure"
	"github.com/safercity/safercity/hotspots"
	"github.com/safercity/safercity/hotspots/spatstat"
	"github.com/safercity/safercity/internal/names"
	"github.com/safercity/safercity/maps"
	"github.com/safercity/safercity/store"
	"github.com/safercity/safercity/transform"
	"github.com/safercity/safercity/transform/area"
)

// Options choose what a map shows.
type Options struct {
	Profile string
	Force   string // "" for every force the profile was run for
	Month   time.Time
	// Layer is "cells" (the hotspot grid) or the name of a stored boundary
	// layer, whose areas then carry the profile's crime.
	Layer string
	// Class colours the map by the Gi* bin ("bin", default), by the
	// emerging hot spot category ("trend") or by the Local Moran's I
	// cluster or outlier quadrant significant after FDR ("lisa"), next
	// month's forecast ("forecast"), or, on an LSOA or district layer, the
	// stored area statistics ("rate", "ebrate", "excess", "change").
	Class string
	// Background is the boundary layer drawn under the cells: default "lsoa"
	// when that layer is loaded.
	Background string
	// MinEvents is the disclosure threshold for partner data: a cell or area
	// holding between 1 and MinEvents−1 partner-feed incidents is left off
	// the map (police.uk data, anonymised at source, is never withheld).
	// Default 3.
	MinEvents int
	// DrawOnly says the map will only be drawn (SVG, PNG): cells then carry
	// just grid_ref and count, which a drawing shows, rather than every
	// attribute, which on a national map of half a million cells costs
	// hundreds of megabytes.
	DrawOnly bool
}

// Load builds the map, its partner incidents released through the
// disclosure policy (disclose.go).
func Load(ctx context.Context, st *store.Store, o Options) (*maps.Map, error) {
	if o.Layer == "" {
		o.Layer = "cells"
	}
	if o.Class == "" {
		o.Class = "bin"
	}
	if o.MinEvents == 0 {
		o.MinEvents = 3
	}
	if err := CheckClass(o.Class); err != nil {
		return nil, err
	}
	layers, _, err := transform.Layers(ctx, st)
	if err != nil {
		return nil, err
	}
	for _, name := range []string{o.Layer, o.Background} {
		if err := checkLayer(name, layers); err != nil {
			return nil, err
		}
	}
	if isAreaStat(o.Class) {
		if o.Layer == "cells" {
			return nil, fmt.Errorf("--class %s colours areas, not cells: give --layer lsoa or --layer %s", o.Class, districtLayer)
		}
		m := &maps.Map{Title: strings.TrimSuffix(title(o.Profile), " hot spots") + " by area", Profile: o.Profile, Month: o.Month.Format("2006-01")}
		if err := areaStatMap(ctx, st, m, layers[o.Layer], o); err != nil {
			return nil, err
		}
		addBackground(m, layers, o)
		return m, nil
	}
	cells, size, err := loadCells(ctx, st, o)
	if err != nil {
		return nil, err
	}
	m := &maps.Map{
		Title:   title(o.Profile),
		Profile: o.Profile,
		Month:   o.Month.Format("2006-01"),
		Legend:  maps.GiStarLegend(),
	}
	if o.Layer == "cells" {
		switch o.Class {
		case "trend":
			m.Legend = maps.EmergingHotSpotLegend()
		case "lisa":
			m.Legend = maps.LisaLegend()
		case "forecast":
			m.Legend = maps.ForecastLegend()
			m.Legend.Notes = append(m.Legend.Notes, forecastNote(cells)...)
		}
		cellMap(m, cells, size, o)
	} else if err := areaMap(m, layers[o.Layer], cells, size, o); err != nil {
		return nil, err
	}
	addBackground(m, layers, o)
	disclose(disclosure.Default(), m)
	return m, nil
}

// Classes are the names Options.Class takes, with what each colours by.
var Classes = []struct{ Name, Means string }{
	{"bin", "Gi* confidence"},
	{"trend", "emerging hot spots"},
	{"lisa", "Local Moran clusters and outliers"},
	{"forecast", "next month's forecast crimes"},
	{"rate", "raw crime rate per 1,000 residents (--layer lsoa or lad)"},
	{"ebrate", "Empirical Bayes smoothed rate (--layer lsoa or lad)"},
	{"excess", "excess risk, crimes over expected (--layer lsoa or lad)"},
	{"change", "change against last year's month, beyond Poisson noise or not (--layer lsoa or lad)"},
}

// classMethod names the method behind each class, for the map's subtitle.
var classMethod = map[string]string{
	"bin":      "Getis-Ord Gi* with FDR",
	"trend":    "emerging hot spots (Mann-Kendall trend of Gi*)",
	"lisa":     "Anselin Local Moran's I with FDR",
	"forecast": "Poisson regression forecast of next month",
	"rate":     "crimes per 1,000 residents (ONS mid-year population)",
	"ebrate":   "Empirical Bayes rate (Marshall 1991; spatial where neighbours)",
	"excess":   "excess risk at the force's overall rate",
	"change":   "percent change with the exact Poisson test (Przyborowski & Wilenski 1940)",
}

// CheckClass reports a class name that is not one of Classes, with the
// nearest.
func CheckClass(class string) error {
	var names, help []string
	for _, c := range Classes {
		if c.Name == class {
			return nil
		}
		names = append(names, c.Name)
		help = append(help, fmt.Sprintf("%s (%s)", c.Name, c.Means))
	}
	return fmt.Errorf("class %q (did you mean %q?): want %s", class, nearest(class, names), strings.Join(help, ", "))
}

// forecastNote says, on a forecast map whose cells have none, why.
func forecastNote(cells []cell) []string {
	for _, c := range cells {
		if c.forecast.Valid {
			return nil
		}
	}
	return []string{"No forecast: fewer than 13 months of the force's crime were loaded when the run was made"}
}

// checkLayer reports a layer name that is neither "cells" nor a stored
// boundary layer, with the nearest stored name.
func checkLayer(name string, layers map[string]*area.Layer) error {
	if name == "" || name == "cells" {
		return nil
	}
	if _, ok := layers[name]; ok {
		return nil
	}
	names := slices.Sorted(stdmaps.Keys(layers))
	if len(names) == 0 {
		return fmt.Errorf("no boundary layer %q: none is loaded; load one with safercity ingest boundaries --layer %s", name, name)
	}
	return fmt.Errorf("no boundary layer %q (did you mean %q? loaded: %s); load one with safercity ingest boundaries --layer %s",
		name, nearest(name, names), strings.Join(names, ", "), name)
}

// cellMap fills m with the stored cells, leaving out those whose few
// partner-feed incidents could identify someone.
func cellMap(m *maps.Map, cells []cell, size float64, o Options) {
	m.CellSize = size
	m.Subtitle = fmt.Sprintf("%g m cells, British National Grid; %s", size, classMethod[o.Class])
	withheld := 0
	m.Features = make([]maps.Feature, 0, len(cells))
	for _, c := range cells {
		if c.incidents > 0 && c.incidents < int64(o.MinEvents) {
			withheld++
			continue
		}
		m.Features = append(m.Features, c.feature(size, o))
	}
	if withheld > 0 {
		m.Attribution = append(m.Attribution, fmt.Sprintf("%d cells withheld: fewer than %d partner-feed incidents", withheld, o.MinEvents))
	}
	m.Places = forcePlaces(cells, size)
}

// forcePlaces names each force at the cell nearest the mean of its cells'
// centres (a force's mean can lie in the sea or in another force), on maps
// of more than one force.
func forcePlaces(cells []cell, size float64) []maps.Place {
	type place struct {
		sum, best orb.Point
		n         float64
		found     bool
	}
	byForce := map[string]*place{}
	var forces []string
	centre := func(c cell) orb.Point { return orb.Point{float64(c.x) + size/2, float64(c.y) + size/2} }
	for _, c := range cells {
		pl := byForce[c.force]
		if pl == nil {
			pl = &place{}
			byForce[c.force] = pl
			forces = append(forces, c.force)
		}
		q := centre(c)
		pl.sum, pl.n = orb.Point{pl.sum[0] + q[0], pl.sum[1] + q[1]}, pl.n+1
	}
	if len(forces) < 2 {
		return nil
	}
	for _, c := range cells {
		pl, q := byForce[c.force], centre(c)
		mean := orb.Point{pl.sum[0] / pl.n, pl.sum[1] / pl.n}
		if !pl.found || planar.DistanceSquared(q, mean) < planar.DistanceSquared(pl.best, mean) {
			pl.best, pl.found = q, true
		}
	}
	out := make([]maps.Place, len(forces))
	for i, f := range forces {
		out[i] = maps.Place{Name: forceName(f), At: byForce[f].best}
	}
	return out
}

// forceName writes a force slug as a name: "avon-and-somerset" is "Avon and
// Somerset".
func forceName(slug string) string {
	words := strings.Split(slug, "-")
	for i, w := range words {
		if w != "" && (i == 0 || w != "and" && w != "of") {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}

// areaMap fills m with the areas of layer l that hold at least one analysed
// cell: an area outside the study area has no crime data and takes no part,
// and the legend says how many were left out. The areas' names are printed
// over them.
func areaMap(m *maps.Map, l *area.Layer, cells []cell, size float64, o Options) error {
	m.Subtitle = fmt.Sprintf("%s areas; crime from %g m cells; Gi* over area centroids", o.Layer, size)
	feats, incidents, gaps, err := areaFeatures(l, cells, size, o)
	if err != nil {
		return err
	}
	withheld := 0
	named := maps.BoundaryLayer{Name: layerTitle(o.Layer), Labels: true, Major: true}
	for i, f := range feats {
		if incidents[i] > 0 && incidents[i] < int64(o.MinEvents) {
			withheld++
			continue
		}
		m.Features = append(m.Features, f)
		named.Areas = append(named.Areas, maps.Area{Name: nameOf(f), Geometry: f.Geometry})
	}
	m.Boundaries = append(m.Boundaries, named)
	m.Legend.Notes = append(m.Legend.Notes, fmt.Sprintf("Areas: the %d %s areas with crime data", len(feats), o.Layer))
	if gaps.areas > 0 {
		m.Legend.Notes = append(m.Legend.Notes, fmt.Sprintf("%d %s %s the data does not cover left out", gaps.areas, o.Layer, plural(gaps.areas, "area", "areas")))
		if gaps.leftOutCells > 0 {
			// Kept to a short line of its own: the legend's width follows its longest line.
			m.Legend.Notes = append(m.Legend.Notes, fmt.Sprintf("(%d cells of border crimes in them)", gaps.leftOutCells))
		}
	}
	if gaps.cells > 0 {
		m.Legend.Notes = append(m.Legend.Notes, fmt.Sprintf("%d %s in no %s area left out", gaps.cells, plural(gaps.cells, "cell", "cells"), o.Layer))
	}
	switch o.Class {
	case "trend":
		m.Legend.Notes = append(m.Legend.Notes, "Areas carry no trend: coloured by Gi* bin")
	case "lisa", "forecast":
		m.Legend.Notes = append(m.Legend.Notes, "Areas carry no "+o.Class+": coloured by Gi* bin")
	}
	if withheld > 0 {
		m.Attribution = append(m.Attribution, fmt.Sprintf("%d areas withheld: fewer than %d partner-feed incidents", withheld, o.MinEvents))
	}
	return nil
}

// addBackground draws, under a cell map, the LSOA outlines (or the layer
// --background names) and, when a district layer ("lad") is loaded, the
// district outlines and names; an area map gets only an explicit
// --background, since its own areas are already outlined and named.
func addBackground(m *maps.Map, layers map[string]*area.Layer, o Options) {
	var names []string
	switch {
	case o.Background != "":
		names = append(names, o.Background)
	case o.Layer == "cells":
		if _, ok := layers["lsoa"]; ok {
			names = append(names, "lsoa")
		}
	}
	if _, ok := layers[districtLayer]; ok && o.Layer == "cells" && o.Background != districtLayer {
		names = append(names, districtLayer)
	}
	for _, name := range names {
		b := maps.BoundaryLayer{Name: layerTitle(name), Labels: true, Major: name == districtLayer}
		for _, f := range layers[name].Features() {
			b.Areas = append(b.Areas, maps.Area{Name: f.Name, Geometry: f.Geometry})
		}
		m.Boundaries = append(m.Boundaries, b)
	}
	if len(m.Boundaries) > 0 {
		m.Attribution = append(m.Attribution, "Boundaries: Contains OS data © Crown copyright and database right; Source: Office for National Statistics (OGL v3.0)")
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// districtLayer is the boundary layer of local authority districts, which
// cell maps outline and name for orientation.
const districtLayer = "lad"

// layerTitle names a boundary layer in the legend.
func layerTitle(name string) string {
	switch name {
	case "lsoa":
		return "LSOA boundaries"
	case "msoa":
		return "MSOA boundaries"
	case districtLayer:
		return "District boundaries"
	case "ward":
		return "Ward boundaries"
	}
	return "Boundaries: " + name
}

func nameOf(f maps.Feature) string {
	for _, p := range f.Properties {
		if p.Name == "name" {
			s, _ := p.Value.(string)
			return s
		}
	}
	return ""
}

func title(profile string) string {
	switch profile {
	case "nte":
		return "Night-time economy crime hot spots"
	case "violence":
		return "Violent crime hot spots"
	}
	return strings.ToUpper(profile[:1]) + profile[1:] + " hot spots"
}

// cell is one stored hotspot cell.
type cell struct {
	force             string
	x, y              int64
	ref               string
	crimes, incidents int64
	measure, density  float64
	// Null types rather than pointers: one allocation fewer per value on
	// maps of half a million cells.
	z, p, pf        sql.NullFloat64
	bin             sql.NullInt64
	trend, location sql.NullString
	kdeHot          bool
	// lisa is the Local Moran quadrant when significant at the run's
	// level after FDR, else null; lisaZ and lisaP its z and FDR p.
	lisa         sql.NullString
	lisaZ, lisaP sql.NullFloat64
	forecast     sql.NullFloat64 // next month's expected crimes
}

func loadCells(ctx context.Context, st *store.Store, o Options) ([]cell, float64, error) {
	var size float64
	q := `SELECT max(cell_size) FROM hotspot_runs WHERE profile = ? AND month = ?`
	args := []any{o.Profile, o.Month}
	if o.Force != "" {
		q += ` AND force = ?`
		args = append(args, o.Force)
	}
	var s *float64
	var n int64
	if err := st.DB.QueryRowContext(ctx, q, args...).Scan(&s); err != nil {
		return nil, 0, err
	}
	// Sized once: a national map's cells would otherwise be copied a
	// dozen times as the slice grows.
	if err := st.DB.QueryRowContext(ctx, strings.Replace(q, "max(cell_size) FROM hotspot_runs", "count(*) FROM hotspot_cells", 1), args...).Scan(&n); err != nil {
		return nil, 0, err
	}
	if s == nil {
		return nil, 0, noHotspots(ctx, st, o)
	}
	size = *s
	q = `SELECT c.force, c.cell_x, c.cell_y, coalesce(c.grid_ref, ''), c.crimes, c.incidents, c.measure, c.density, c.z, c.p, c.p_fdr,
		c.bin, c.trend, c.location, c.kde_hot,
		CASE WHEN c.lisa_p_fdr < coalesce(r.alpha, ` + fmt.Sprint(spatstat.DefaultAlpha) + `) THEN c.lisa_quadrant END, c.lisa_z, c.lisa_p_fdr, c.forecast
		FROM hotspot_cells c JOIN hotspot_runs r ON r.profile = c.profile AND r.force = c.force AND r.month = c.month
		WHERE c.profile = ? AND c.month = ?`
	if o.Force != "" {
		q += ` AND c.force = ?`
	}
	rows, err := st.DB.QueryContext(ctx, q+` ORDER BY c.force, c.cell_y, c.cell_x`, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	cells := make([]cell, 0, n)
	for rows.Next() {
		var c cell
		if err := rows.Scan(&c.force, &c.x, &c.y, &c.ref, &c.crimes, &c.incidents, &c.measure, &c.density, &c.z, &c.p, &c.pf, &c.bin, &c.trend, &c.location, &c.kdeHot,
			&c.lisa, &c.lisaZ, &c.lisaP, &c.forecast); err != nil {
			return nil, 0, err
		}
		cells = append(cells, c)
	}
	return cells, size, rows.Err()
}

// noHotspots explains why no hotspots match o: a mistyped profile or force
// gets the nearest stored name, otherwise the command that computes them.
func noHotspots(ctx context.Context, st *store.Store, o Options) error {
	month := o.Month.Format("2006-01")
	var profiles, forces []string
	rows, err := st.DB.QueryContext(ctx, `SELECT DISTINCT profile, force FROM hotspot_runs WHERE month = ? ORDER BY ALL`, o.Month)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var p, f string
		if err := rows.Scan(&p, &f); err != nil {
			return err
		}
		if !slices.Contains(profiles, p) {
			profiles = append(profiles, p)
		}
		if p == o.Profile {
			forces = append(forces, f)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	switch {
	case len(profiles) > 0 && !slices.Contains(profiles, o.Profile):
		return fmt.Errorf("no %s hotspots stored for %s (did you mean %q? stored: %s); or run safercity hotspots --profile %s --month %s",
			o.Profile, month, nearest(o.Profile, profiles), strings.Join(profiles, ", "), o.Profile, month)
	case len(forces) > 0 && o.Force != "":
		return fmt.Errorf("no %s hotspots stored for force %q in %s (did you mean %q? stored: %s); or run safercity hotspots --profile %s --force %s --month %s",
			o.Profile, o.Force, month, nearest(o.Force, forces), strings.Join(forces, ", "), o.Profile, o.Force, month)
	}
	return fmt.Errorf("no %s hotspots stored for %s: run safercity hotspots --profile %s --month %s first",
		o.Profile, month, o.Profile, month)
}

func (c cell) feature(size float64, o Options) maps.Feature {
	x, y := float64(c.x), float64(c.y)
	poly := orb.Polygon{{{x, y}, {x + size, y}, {x + size, y + size}, {x, y + size}, {x, y}}}
	bin := 0
	if c.bin.Valid {
		bin = int(c.bin.Int64)
	}
	trend := "no pattern detected"
	if c.trend.Valid && c.trend.String != "no pattern" && c.trend.String != "" {
		trend = c.trend.String
	}
	lisa := maps.LisaNotSignificant
	if c.lisa.Valid {
		lisa = c.lisa.String
	}
	key := maps.GiStarBinClass(bin)
	switch o.Class {
	case "trend":
		key = trend
	case "lisa":
		key = lisa
	case "forecast":
		key = maps.ForecastClass(orNaN(c.forecast))
	}
	if o.DrawOnly {
		return maps.Feature{Geometry: poly, Class: key,
			Properties: []maps.Property{{Name: "grid_ref", Value: c.ref}, {Name: "count", Value: c.crimes}}}
	}
	return maps.Feature{
		Geometry: poly,
		Class:    key,
		Properties: []maps.Property{
			{Name: "grid_ref", Value: c.ref},
			{Name: "force", Value: c.force},
			{Name: "profile", Value: o.Profile},
			{Name: "month", Value: o.Month.Format("2006-01")},
			{Name: "cell_x", Value: c.x},
			{Name: "cell_y", Value: c.y},
			{Name: "count", Value: c.crimes},
			{Name: "incidents", Value: c.incidents},
			{Name: "measure", Value: c.measure},
			{Name: "density", Value: c.density},
			{Name: "kde_hot", Value: c.kdeHot},
			{Name: "z", Value: orNaN(c.z)},
			{Name: "p", Value: orNaN(c.p)},
			{Name: "p_fdr", Value: orNaN(c.pf)},
			{Name: "bin", Value: bin},
			{Name: "bin_label", Value: maps.GiStarBinLabel(bin)},
			{Name: "trend", Value: trend},
			{Name: "lisa", Value: lisa},
			{Name: "lisa_z", Value: orNaN(c.lisaZ)},
			{Name: "lisa_p_fdr", Value: orNaN(c.lisaP)},
			{Name: "forecast", Value: orNaN(c.forecast)},
			{Name: "location", Value: c.location.String},
		},
	}
}

// areaFeatures sums the cells into the areas of l by the hotspot stage's
// rule (hotspots.AreasOf): only the areas the data covers take part and get
// Gi* over their centroids; the others are left out with the reason.
func areaFeatures(l *area.Layer, cells []cell, size float64, o Options) ([]maps.Feature, []int64, areaGaps, error) {
	in := make([]hotspots.AreaCell, len(cells))
	for i, c := range cells {
		in[i] = hotspots.AreaCell{X: float64(c.x), Y: float64(c.y), Crimes: c.crimes, Incidents: c.incidents, Measure: c.measure}
	}
	res, err := hotspots.AreasOf(l, in, size)
	if err != nil {
		return nil, nil, areaGaps{}, err
	}
	out := make([]maps.Feature, len(res.Areas))
	incidents := make([]int64, len(res.Areas))
	geometry := map[string]orb.Geometry{}
	for _, f := range l.Features() {
		geometry[f.Code] = f.Geometry
	}
	for i, a := range res.Areas {
		incidents[i] = a.Incidents
		out[i] = maps.Feature{
			Geometry: geometry[a.Code],
			Class:    maps.GiStarBinClass(int(a.Bin)),
			Properties: []maps.Property{
				{Name: "code", Value: a.Code},
				{Name: "name", Value: a.Name},
				{Name: "profile", Value: o.Profile},
				{Name: "month", Value: o.Month.Format("2006-01")},
				{Name: "count", Value: a.Crimes},
				{Name: "incidents", Value: a.Incidents},
				{Name: "measure", Value: a.Measure},
				{Name: "z", Value: a.Z},
				{Name: "p", Value: a.P},
				{Name: "p_fdr", Value: a.PFDR},
				{Name: "bin", Value: int(a.Bin)},
				{Name: "bin_label", Value: maps.GiStarBinLabel(int(a.Bin))},
				{Name: "band", Value: res.Band},
			},
		}
	}
	gaps := areaGaps{areas: len(res.LeftOut), cells: res.Outside, leftOutCells: res.LeftOutCells}
	return out, incidents, gaps, nil
}

// areaGaps is what an area map leaves out: areas the data does not cover
// (no cell, or only a few cells of crimes recorded beyond the force's
// area), the cells in those, and cells whose centre lies in no area.
type areaGaps struct {
	areas, cells, leftOutCells int
}

// nearest returns the name in candidates closest to s by edit distance.
func nearest(s string, candidates []string) string {
	n, _ := names.Closest(s, candidates)
	return n
}

func orNaN(v sql.NullFloat64) float64 {
	if !v.Valid {
		return math.NaN()
	}
	return v.Float64
}
