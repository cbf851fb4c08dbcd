package feed

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// valueType says how a stored field is typed and checked.
type valueType int

const (
	text       valueType = iota // VARCHAR; empty is NULL
	count                       // BIGINT ≥ 0; "1,954" and "13.0" are read
	number                      // DOUBLE; thousands separators are read
	closing                     // INTEGER minutes after midnight of the trading day; "closed" is NULL
	instant                     // TIMESTAMP, UTC, read with the feed's time layout and zone
	localTime                   // TIMESTAMP, the instant's Europe/London wall-clock time
	date                        // DATE, the first of a month
	year                        // INTEGER
	areaType                    // VARCHAR, lsoa or lad
	coordinate                  // DOUBLE, from the coordinates section
	direction                   // TINYINT, +1 or -1, from the indicators section
)

// column is one stored field of a kind.
type column struct {
	name     string
	typ      valueType
	mapped   bool // read from a source column or fixed; otherwise derived
	required bool
}

// kindSpec is what the reader knows of a kind.
type kindSpec struct {
	cols      []column
	located   bool   // has longitude, latitude, easting, northing
	timeField string // the field time.layout reads
	category  string // the field categories map
	partition string // with feed, the column whose value is replaced whole; "" for the whole feed
	schema    *arrow.Schema
}

func (s *kindSpec) column(name string) *column {
	for i := range s.cols {
		if s.cols[i].name == name {
			return &s.cols[i]
		}
	}
	return nil
}

func (s *kindSpec) mappedNames() string {
	var names []string
	for _, c := range s.cols {
		if c.mapped {
			names = append(names, c.name)
		}
	}
	return strings.Join(names, ", ")
}

var points = []column{
	{name: "longitude", typ: coordinate},
	{name: "latitude", typ: coordinate},
	{name: "easting", typ: coordinate},
	{name: "northing", typ: coordinate},
}

var kindSpecs = map[Kind]*kindSpec{
	Premises: {
		cols: concat(
			[]column{
				{name: "premises_id", typ: text, mapped: true, required: true},
				{name: "name", typ: text, mapped: true},
				{name: "address", typ: text, mapped: true},
				{name: "postcode", typ: text, mapped: true},
				{name: "licence_type", typ: text, mapped: true},
			},
			points,
			[]column{
				{name: "close_mon", typ: closing, mapped: true},
				{name: "close_tue", typ: closing, mapped: true},
				{name: "close_wed", typ: closing, mapped: true},
				{name: "close_thu", typ: closing, mapped: true},
				{name: "close_fri", typ: closing, mapped: true},
				{name: "close_sat", typ: closing, mapped: true},
				{name: "close_sun", typ: closing, mapped: true},
			}),
		located:  true,
		category: "licence_type",
	},
	Incidents: {
		cols: concat(
			[]column{
				{name: "month", typ: date},
				{name: "occurred_at", typ: instant, mapped: true, required: true},
				{name: "occurred_local", typ: localTime},
				{name: "incident_id", typ: text, mapped: true},
				{name: "category", typ: text, mapped: true, required: true},
				{name: "subtype", typ: text, mapped: true},
				{name: "lsoa_code", typ: text, mapped: true},
			},
			points,
			[]column{{name: "source", typ: text}}),
		located:   true,
		timeField: "occurred_at",
		category:  "category",
		partition: "month",
	},
	Population: {
		cols: []column{
			{name: "area_code", typ: text, mapped: true, required: true},
			{name: "area_name", typ: text, mapped: true},
			{name: "area_type", typ: areaType, mapped: true, required: true},
			{name: "year", typ: year, mapped: true, required: true},
			{name: "residents", typ: count, mapped: true},
			{name: "workday_population", typ: count, mapped: true},
		},
		partition: "year",
	},
	Indicators: {
		cols: []column{
			{name: "unit", typ: text, mapped: true, required: true},
			{name: "period", typ: date, mapped: true, required: true},
			{name: "indicator", typ: text, mapped: true, required: true},
			{name: "value", typ: number, mapped: true, required: true},
			{name: "pillar", typ: text},
			{name: "direction", typ: direction},
			{name: "source", typ: text},
		},
		timeField: "period",
		category:  "indicator",
		partition: "period",
	},
}

func concat(parts ...[]column) []column {
	var out []column
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// Every stored row starts with these: the source file it came from, its
// line there, and its feed.
var leading = []arrow.Field{
	{Name: "source_id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "line", Type: arrow.PrimitiveTypes.Int64},
	{Name: "feed", Type: arrow.BinaryTypes.String},
}

func init() {
	for _, s := range kindSpecs {
		fields := append([]arrow.Field(nil), leading...)
		for _, c := range s.cols {
			fields = append(fields, arrow.Field{Name: c.name, Type: c.typ.arrowType(), Nullable: !c.required})
		}
		s.schema = arrow.NewSchema(fields, nil)
	}
}

// Schema returns the columns of kind's stored table, in order; the store's
// migration creates the table with exactly these columns.
func Schema(k Kind) *arrow.Schema { return kindSpecs[k].schema }

// PartitionColumn names the column that, with the feed, keys what a load
// replaces whole: incidents by London-time month, population by year,
// indicators by period. It is "" for premises, whose register is one
// snapshot: a load replaces the whole feed.
func PartitionColumn(k Kind) string { return kindSpecs[k].partition }

func (t valueType) arrowType() arrow.DataType {
	switch t {
	case count:
		return arrow.PrimitiveTypes.Int64
	case number, coordinate:
		return arrow.PrimitiveTypes.Float64
	case closing, year:
		return arrow.PrimitiveTypes.Int32
	case instant, localTime:
		return &arrow.TimestampType{Unit: arrow.Microsecond}
	case date:
		return arrow.FixedWidthTypes.Date32
	case direction:
		return arrow.PrimitiveTypes.Int8
	}
	return arrow.BinaryTypes.String
}
