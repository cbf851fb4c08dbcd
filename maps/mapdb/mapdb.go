// Package mapdb reads stored hotspot results and boundary layers into
// maps.Map values, ready for the map writers: the grid cells of a profile's
// month, or the areas of a boundary layer with the profile's crime and Gi*
// computed over their centroids.
package mapdb

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/safercity/safercity/hotspots/spatstat"
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
	// Class colours the map by the Gi* bin ("bin", default) or by the
	// emerging hot spot category ("trend").
	Class string
	// Background is the boundary layer drawn under the cells: default "lsoa"
	// when that layer is loaded.
	Background string
	// MinEvents is the disclosure threshold for partner data: a cell or area
	// holding between 1 and MinEvents−1 partner-feed incidents is left off
	// the map (police.uk data, anonymised at source, is never withheld).
	// Default 3.
	MinEvents int
}

// Load builds the map.
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
	if o.Class != "bin" && o.Class != "trend" {
		return nil, fmt.Errorf("class %q: want bin or trend", o.Class)
	}
	cells, size, err := loadCells(ctx, st, o)
	if err != nil {
		return nil, err
	}
	m := &maps.Map{
		Title:   title(o.Profile),
		Profile: o.Profile,
		Month:   o.Month.Format("2006-01"),
	}
	if o.Class == "bin" {
		m.Legend = maps.GiStarLegend()
	} else {
		m.Legend = maps.EmergingHotSpotLegend()
	}
	layers, _, err := transform.Layers(ctx, st)
	if err != nil {
		return nil, err
	}
	bg := o.Background
	if bg == "" {
		if _, ok := layers["lsoa"]; ok {
			bg = "lsoa"
		}
	}
	if bg != "" {
		l, ok := layers[bg]
		if !ok {
			return nil, fmt.Errorf("no boundary layer %q: load one with safercity ingest boundaries --layer %s", bg, bg)
		}
		b := maps.BoundaryLayer{Name: bg, Labels: len(l.Features()) <= 40}
		for _, f := range l.Features() {
			b.Areas = append(b.Areas, maps.Area{Name: f.Name, Geometry: f.Geometry})
		}
		m.Boundaries = append(m.Boundaries, b)
		m.Attribution = append(m.Attribution, "Boundaries: Contains OS data © Crown copyright and database right; Source: Office for National Statistics (OGL v3.0)")
	}
	withheld := 0
	if o.Layer == "cells" {
		m.Subtitle = fmt.Sprintf("%g m cells, British National Grid; Getis-Ord Gi* with FDR", size)
		for _, c := range cells {
			if c.incidents > 0 && c.incidents < int64(o.MinEvents) {
				withheld++
				continue
			}
			m.Features = append(m.Features, c.feature(size, o.Class))
		}
		if withheld > 0 {
			m.Attribution = append(m.Attribution, fmt.Sprintf("%d cells withheld: fewer than %d partner-feed incidents", withheld, o.MinEvents))
		}
		return m, nil
	}
	l, ok := layers[o.Layer]
	if !ok {
		return nil, fmt.Errorf("no boundary layer %q: load one with safercity ingest boundaries --layer %s", o.Layer, o.Layer)
	}
	m.Subtitle = fmt.Sprintf("%s areas; crime from %g m cells; Gi* over area centroids", o.Layer, size)
	feats, incidents := areaFeatures(l, cells, size)
	for i, f := range feats {
		if incidents[i] > 0 && incidents[i] < int64(o.MinEvents) {
			withheld++
			continue
		}
		m.Features = append(m.Features, f)
	}
	if withheld > 0 {
		m.Attribution = append(m.Attribution, fmt.Sprintf("%d areas withheld: fewer than %d partner-feed incidents", withheld, o.MinEvents))
	}
	if o.Class == "trend" {
		m.Legend = maps.GiStarLegend() // areas carry no trend
	}
	return m, nil
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
	z, p, pf          *float64
	bin               *int64
	trend, location   *string
	kdeHot            bool
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
	if err := st.DB.QueryRowContext(ctx, q, args...).Scan(&s); err != nil {
		return nil, 0, err
	}
	if s == nil {
		return nil, 0, fmt.Errorf("no %s hotspots stored for %s: run safercity hotspots --profile %s --month %s first",
			o.Profile, o.Month.Format("2006-01"), o.Profile, o.Month.Format("2006-01"))
	}
	size = *s
	q = `SELECT force, cell_x, cell_y, coalesce(grid_ref, ''), crimes, incidents, measure, density, z, p, p_fdr, bin, trend, location, kde_hot
		FROM hotspot_cells WHERE profile = ? AND month = ?`
	if o.Force != "" {
		q += ` AND force = ?`
	}
	rows, err := st.DB.QueryContext(ctx, q+` ORDER BY force, cell_y, cell_x`, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var cells []cell
	for rows.Next() {
		var c cell
		if err := rows.Scan(&c.force, &c.x, &c.y, &c.ref, &c.crimes, &c.incidents, &c.measure, &c.density, &c.z, &c.p, &c.pf, &c.bin, &c.trend, &c.location, &c.kdeHot); err != nil {
			return nil, 0, err
		}
		cells = append(cells, c)
	}
	return cells, size, rows.Err()
}

func (c cell) feature(size float64, class string) maps.Feature {
	x, y := float64(c.x), float64(c.y)
	poly := orb.Polygon{{{x, y}, {x + size, y}, {x + size, y + size}, {x, y + size}, {x, y}}}
	bin := 0
	if c.bin != nil {
		bin = int(*c.bin)
	}
	trend := "no pattern detected"
	if c.trend != nil && *c.trend != "no pattern" && *c.trend != "" {
		trend = *c.trend
	}
	key := maps.GiStarBinClass(bin)
	if class == "trend" {
		key = trend
	}
	return maps.Feature{
		Geometry: poly,
		Class:    key,
		Properties: []maps.Property{
			{Name: "grid_ref", Value: c.ref},
			{Name: "force", Value: c.force},
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
			{Name: "trend", Value: trend},
			{Name: "location", Value: orEmpty(c.location)},
		},
	}
}

// areaFeatures sums the cells into the areas holding their centres and runs
// Gi* over the areas' centroids, with the smallest band that gives every
// area a neighbour (ArcGIS's default distance band).
func areaFeatures(l *area.Layer, cells []cell, size float64) ([]maps.Feature, []int64) {
	fs := l.Features()
	crimes := make([]float64, len(fs))
	incidents := make([]int64, len(fs))
	measure := make([]float64, len(fs))
	index := map[string]int{}
	for i, f := range fs {
		index[f.Code] = i
	}
	for _, c := range cells {
		f, ok := l.Locate(orb.Point{float64(c.x) + size/2, float64(c.y) + size/2})
		if !ok {
			continue
		}
		i := index[f.Code]
		crimes[i] += float64(c.crimes)
		incidents[i] += c.incidents
		measure[i] += c.measure
	}
	centroids := make([]orb.Point, len(fs))
	for i, f := range fs {
		centroids[i], _ = planar.CentroidArea(f.Geometry)
	}
	band := 0.0
	for i := range centroids {
		nearest := math.Inf(1)
		for j := range centroids {
			if i != j {
				nearest = math.Min(nearest, planar.Distance(centroids[i], centroids[j]))
			}
		}
		if !math.IsInf(nearest, 1) {
			band = math.Max(band, nearest)
		}
	}
	var gi spatstat.GiStar
	var giErr error
	if len(fs) > 2 && band > 0 {
		gi, giErr = spatstat.GiStarPoints(centroids, measure, band)
	} else {
		giErr = spatstat.ErrNoVariance
	}
	out := make([]maps.Feature, len(fs))
	for i, f := range fs {
		bin, z, p, pf := 0, math.NaN(), math.NaN(), math.NaN()
		if giErr == nil {
			bin, z, p, pf = int(gi.BinFDR[i]), gi.Z[i], gi.P[i], gi.PFDR[i]
		}
		out[i] = maps.Feature{
			Geometry: f.Geometry,
			Class:    maps.GiStarBinClass(bin),
			Properties: []maps.Property{
				{Name: "code", Value: f.Code},
				{Name: "name", Value: f.Name},
				{Name: "count", Value: int64(crimes[i])},
				{Name: "incidents", Value: incidents[i]},
				{Name: "measure", Value: measure[i]},
				{Name: "z", Value: z},
				{Name: "p", Value: p},
				{Name: "p_fdr", Value: pf},
				{Name: "bin", Value: bin},
				{Name: "band", Value: band},
			},
		}
	}
	return out, incidents
}

func orNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

func orEmpty(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
