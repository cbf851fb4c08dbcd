package policeuk

import (
	"github.com/apache/arrow-go/v18/arrow"
)

// colType says how a published text field is typed and checked.
type colType int

const (
	text      colType = iota // VARCHAR; empty is NULL
	monthText                // must equal the file's month; stored as the partition's DATE
	longitude                // DOUBLE, WGS 84, NULL when absent
	latitude
	easting // DOUBLE, British National Grid metres (2011 files)
	northing
	timestamp // ISO 8601 with offset, stored as UTC TIMESTAMP
	boolean   // True/False; empty is NULL
)

// column maps one published header to one stored column.
type column struct {
	header string // as published, compared case-insensitively
	name   string // stored column name
	typ    colType
	needed bool // a file without this header is not of this kind
}

// layouts lists, per kind, every column police.uk has published over the
// years. A file may lack some (the 2011 street files have no Crime ID and
// no LSOA); the stored column is then NULL.
var layouts = map[Kind][]column{
	Street: {
		{header: "Crime ID", name: "crime_id"},
		{header: "Month", name: "month_published", typ: monthText, needed: true},
		{header: "Reported by", name: "reported_by"},
		{header: "Falls within", name: "falls_within"},
		{header: "Longitude", name: "longitude", typ: longitude},
		{header: "Latitude", name: "latitude", typ: latitude},
		{header: "Easting", name: "easting", typ: easting},
		{header: "Northing", name: "northing", typ: northing},
		{header: "Location", name: "location"},
		{header: "LSOA code", name: "lsoa_code"},
		{header: "LSOA name", name: "lsoa_name"},
		{header: "Crime type", name: "crime_type", needed: true},
		{header: "Last outcome category", name: "last_outcome"},
		{header: "Context", name: "context"},
	},
	Outcomes: {
		{header: "Crime ID", name: "crime_id"},
		{header: "Month", name: "month_published", typ: monthText, needed: true},
		{header: "Reported by", name: "reported_by"},
		{header: "Falls within", name: "falls_within"},
		{header: "Longitude", name: "longitude", typ: longitude},
		{header: "Latitude", name: "latitude", typ: latitude},
		{header: "Location", name: "location"},
		{header: "LSOA code", name: "lsoa_code"},
		{header: "LSOA name", name: "lsoa_name"},
		{header: "Outcome type", name: "outcome_type", needed: true},
	},
	StopAndSearch: {
		{header: "Type", name: "search_type", needed: true},
		{header: "Date", name: "datetime", typ: timestamp, needed: true},
		{header: "Part of a policing operation", name: "part_of_operation", typ: boolean},
		{header: "Policing operation", name: "policing_operation"},
		{header: "Latitude", name: "latitude", typ: latitude},
		{header: "Longitude", name: "longitude", typ: longitude},
		{header: "Gender", name: "gender"},
		{header: "Age range", name: "age_range"},
		{header: "Self-defined ethnicity", name: "self_defined_ethnicity"},
		{header: "Officer-defined ethnicity", name: "officer_defined_ethnicity"},
		{header: "Legislation", name: "legislation"},
		{header: "Object of search", name: "object_of_search"},
		{header: "Outcome", name: "outcome"},
		{header: "Outcome linked to object of search", name: "outcome_linked", typ: boolean},
		{header: "Removal of more than just outer clothing", name: "removal_of_clothing", typ: boolean},
	},
}

// Every stored row starts with these: the source file it came from, its line
// there, and its partition.
var leading = []arrow.Field{
	{Name: "source_id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "line", Type: arrow.PrimitiveTypes.Int64},
	{Name: "force", Type: arrow.BinaryTypes.String},
	{Name: "month", Type: arrow.FixedWidthTypes.Date32},
}

var schemas = func() map[Kind]*arrow.Schema {
	m := make(map[Kind]*arrow.Schema)
	for kind, cols := range layouts {
		fields := append([]arrow.Field(nil), leading...)
		for _, c := range cols {
			if c.typ == monthText {
				continue // stored as the partition's month
			}
			fields = append(fields, arrow.Field{Name: c.name, Type: c.typ.arrowType(), Nullable: true})
		}
		m[kind] = arrow.NewSchema(fields, nil)
	}
	return m
}()

// Schema returns the columns of the stored table for kind, in order; the
// store's migrations create tables with exactly these columns.
func Schema(kind Kind) *arrow.Schema { return schemas[kind] }

func (t colType) arrowType() arrow.DataType {
	switch t {
	case longitude, latitude, easting, northing:
		return arrow.PrimitiveTypes.Float64
	case timestamp:
		return &arrow.TimestampType{Unit: arrow.Microsecond} // UTC, as published
	case boolean:
		return arrow.FixedWidthTypes.Boolean
	}
	return arrow.BinaryTypes.String
}
