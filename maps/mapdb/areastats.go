package mapdb

import (
	"context"
	"database/sql"
	"fmt"
	"math"

	"github.com/safercity/safercity/maps"
	"github.com/safercity/safercity/store"
	"github.com/safercity/safercity/transform/area"
)

// statLayers are the boundary layers whose areas the hotspot stage rates,
// and the area_rates layer each is stored as.
var statLayers = map[string]string{"lsoa": "lsoa", districtLayer: "district"}

// isAreaStat tells the classes drawn from the stored area statistics.
func isAreaStat(class string) bool {
	switch class {
	case "rate", "ebrate", "excess", "change":
		return true
	}
	return false
}

// areaStat is one stored area's rates, and its change against the same
// month last year (or, when that was refused, the three months before).
type areaStat struct {
	code, name, force, reason   string
	crimes                      int64
	population, raw, eb, sEB, x sql.NullFloat64
	forecast                    sql.NullFloat64
	comparison                  sql.NullString
	before, after               sql.NullInt64
	change, percent, pFDR       sql.NullFloat64
	beyond                      sql.NullBool
}

// areaStatMap fills m with the areas of layer l coloured by a stored area
// statistic; stored areas without a boundary in l are counted in the
// legend, and areas of l without statistics (beyond the forces run) are
// not drawn.
func areaStatMap(ctx context.Context, st *store.Store, m *maps.Map, l *area.Layer, o Options) error {
	layer, ok := statLayers[o.Layer]
	if !ok {
		return fmt.Errorf("--class %s: rates and change are stored for LSOAs and districts: use --layer lsoa or --layer %s, not %q", o.Class, districtLayer, o.Layer)
	}
	stats, err := loadAreaStats(ctx, st, o, layer)
	if err != nil {
		return err
	}
	if len(stats) == 0 {
		return fmt.Errorf("no %s area statistics stored for %s%s: run safercity hotspots --profile %s --month %s (with a population feed loaded for rates)",
			o.Profile, o.Month.Format("2006-01"), forceSuffix(o.Force), o.Profile, o.Month.Format("2006-01"))
	}
	key := classifier(m, o.Class, stats)
	byCode := map[string]*areaStat{}
	for i := range stats {
		byCode[stats[i].code] = &stats[i]
	}
	named := maps.BoundaryLayer{Name: layerTitle(o.Layer), Labels: true, Major: true}
	drawn := 0
	for _, f := range l.Features() {
		s := byCode[f.Code]
		if s == nil {
			continue
		}
		drawn++
		delete(byCode, f.Code)
		m.Features = append(m.Features, maps.Feature{Geometry: f.Geometry, Class: key(s), Properties: s.properties(o)})
		named.Areas = append(named.Areas, maps.Area{Name: f.Name, Geometry: f.Geometry})
	}
	m.Boundaries = append(m.Boundaries, named)
	m.Subtitle = fmt.Sprintf("%s areas of the forces run; %s", o.Layer, classMethod[o.Class])
	m.Legend.Notes = append(m.Legend.Notes, fmt.Sprintf("Areas: the %d %s areas of the forces' districts", drawn, o.Layer))
	if n := len(byCode); n > 0 {
		m.Legend.Notes = append(m.Legend.Notes, fmt.Sprintf("%d stored %s without a boundary in layer %s left out", n, plural(n, "area", "areas"), o.Layer))
	}
	return nil
}

func forceSuffix(force string) string {
	if force == "" {
		return ""
	}
	return " force " + force
}

// classifier sets m's legend for the class and returns each area's key.
func classifier(m *maps.Map, class string, stats []areaStat) func(*areaStat) string {
	switch class {
	case "excess":
		m.Legend = maps.ExcessLegend()
		return func(s *areaStat) string { return maps.ExcessClass(orNaN(s.x)) }
	case "change":
		m.Legend = maps.ChangeLegend("Change in crime (exact Poisson test, FDR)")
		m.Legend.Notes = append(m.Legend.Notes, "Against the same month last year (the 3 months before where a year's month is missing)")
		return func(s *areaStat) string {
			if !s.comparison.Valid {
				return maps.NoRate
			}
			return maps.ChangeClass(s.change.Float64, s.beyond.Bool)
		}
	}
	value := func(s *areaStat) float64 { return orNaN(s.raw) }
	title := "Crime rate per 1,000 residents (raw)"
	if class == "ebrate" {
		value = func(s *areaStat) float64 { return ebOf(s) }
		title = "Crime rate per 1,000 residents (Empirical Bayes)"
	}
	values := make([]float64, len(stats))
	for i := range stats {
		values[i] = value(&stats[i])
	}
	legend, key := maps.RateLegend(title, values)
	m.Legend = legend
	return func(s *areaStat) string { return key(value(s)) }
}

// ebOf is the spatial EB rate, else the global one where the area has no
// neighbour.
func ebOf(s *areaStat) float64 {
	if s.sEB.Valid {
		return s.sEB.Float64
	}
	return orNaN(s.eb)
}

func (s *areaStat) properties(o Options) []maps.Property {
	return []maps.Property{
		{Name: "code", Value: s.code},
		{Name: "name", Value: s.name},
		{Name: "force", Value: s.force},
		{Name: "profile", Value: o.Profile},
		{Name: "month", Value: o.Month.Format("2006-01")},
		{Name: "count", Value: s.crimes},
		{Name: "population", Value: orNaN(s.population)},
		{Name: "raw_rate", Value: orNaN(s.raw)},
		{Name: "eb_rate", Value: orNaN(s.eb)},
		{Name: "spatial_eb_rate", Value: orNaN(s.sEB)},
		{Name: "excess_risk", Value: orNaN(s.x)},
		{Name: "reason", Value: s.reason},
		{Name: "forecast", Value: orNaN(s.forecast)},
		{Name: "comparison", Value: s.comparison.String},
		{Name: "before", Value: intOrNaN(s.before)},
		{Name: "after", Value: intOrNaN(s.after)},
		{Name: "change", Value: orNaN(s.change)},
		{Name: "percent_change", Value: orNaN(s.percent)},
		{Name: "p_fdr", Value: orNaN(s.pFDR)},
		{Name: "beyond_noise", Value: s.beyond.Valid && s.beyond.Bool},
	}
}

func intOrNaN(v sql.NullInt64) float64 {
	if !v.Valid {
		return math.NaN()
	}
	return float64(v.Int64)
}

// loadAreaStats reads the stored rates of a layer with each area's change:
// against the same month last year, else the three months before.
func loadAreaStats(ctx context.Context, st *store.Store, o Options, layer string) ([]areaStat, error) {
	q := `SELECT r.code, coalesce(r.name, ''), r.force, coalesce(r.reason, ''), r.crimes, r.population, r.raw_rate, r.eb_rate, r.spatial_eb_rate, r.excess_risk, r.forecast,
		c.comparison, c.before, c.after, c.change, c.percent_change, c.p_fdr, c.beyond_noise
		FROM area_rates r
		LEFT JOIN (SELECT * FROM area_changes QUALIFY row_number() OVER (PARTITION BY profile, force, month, layer, code
		           ORDER BY comparison = 'year' DESC) = 1) c
		  ON c.profile = r.profile AND c.force = r.force AND c.month = r.month AND c.layer = r.layer AND c.code = r.code
		WHERE r.profile = ? AND r.month = ? AND r.layer = ? AND (? = '' OR r.force = ?) ORDER BY r.force, r.code`
	rows, err := st.DB.QueryContext(ctx, q, o.Profile, o.Month, layer, o.Force, o.Force)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []areaStat
	for rows.Next() {
		var s areaStat
		if err := rows.Scan(&s.code, &s.name, &s.force, &s.reason, &s.crimes, &s.population, &s.raw, &s.eb, &s.sEB, &s.x, &s.forecast,
			&s.comparison, &s.before, &s.after, &s.change, &s.percent, &s.pFDR, &s.beyond); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
