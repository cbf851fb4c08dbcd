package spatstat

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// giStarColumns are the columns GiStarCSV appends.
var giStarColumns = []string{"neighbours", "z", "p", "p_fdr", "bin"}

// GiStarCSV runs GiStarPoints on a CSV table for analysts' own data. The
// input needs a header row with columns x, y (planar metres) and value,
// matched without regard to case or surrounding space; other columns are
// passed through unchanged. The output repeats each input row and appends
// neighbours, z, p, p_fdr (Benjamini–Hochberg) and bin, where bin is the
// ArcGIS Gi_Bin with its FDR correction (GiStar.BinFDR): with one test per
// row, uncorrected bins would flag about one row in ten by chance alone.
// Errors name the input line.
func GiStarCSV(r io.Reader, w io.Writer, band float64) error {
	return GiStarCSVColumns(r, w, band, CSVColumns{})
}

// CSVColumns names the columns GiStarCSVColumns reads; empty names mean x,
// y and value.
type CSVColumns struct{ X, Y, Value string }

// GiStarCSVColumns is GiStarCSV with the coordinate and value columns named
// by cols (matched case-insensitively), such as centre_easting,
// centre_northing and count.
func GiStarCSVColumns(r io.Reader, w io.Writer, band float64, cols CSVColumns) error {
	t, err := ReadPointsCSV(r, cols, giStarColumns)
	if err != nil {
		return err
	}
	gs, err := GiStarPoints(t.Points, t.Values, band)
	if err != nil {
		return err
	}
	return t.WriteCSV(w, giStarColumns, func(i int) []string {
		return []string{
			strconv.Itoa(int(gs.Neighbours[i])),
			formatFloat(gs.Z[i]),
			formatFloat(gs.P[i]),
			formatFloat(gs.PFDR[i]),
			strconv.Itoa(int(gs.BinFDR[i])),
		}
	})
}

// A PointsTable is an analyst's CSV table of points with one value each, as
// read by ReadPointsCSV: every input row is kept so that it can be written
// back with result columns appended.
type PointsTable struct {
	Header  []string
	Records [][]string // the data rows, in input order
	Points  []orb.Point
	Values  []float64
}

// ReadPointsCSV reads a CSV table with a header row naming the coordinate
// and value columns cols (empty names mean x, y and value; matched without
// regard to case or surrounding space). added lists the columns the caller
// will append, refused in the input because the output would be ambiguous.
// Errors name the input line.
func ReadPointsCSV(r io.Reader, cols CSVColumns, added []string) (PointsTable, error) {
	want := map[string]string{"x": cols.X, "y": cols.Y, "value": cols.Value}
	for role, name := range want {
		if name == "" {
			want[role] = role
		} else {
			want[role] = strings.ToLower(name)
		}
	}
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err == io.EOF {
		return PointsTable{}, errors.New("spatstat: CSV input is empty; it needs a header with columns x, y and value")
	}
	if err != nil {
		return PointsTable{}, fmt.Errorf("spatstat: reading CSV header: %w", err)
	}
	idx, err := pointColumns(header, want, added)
	if err != nil {
		return PointsTable{}, err
	}
	t := PointsTable{Header: header}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return t, nil
		}
		if err != nil {
			return PointsTable{}, fmt.Errorf("spatstat: reading CSV: %w", err)
		}
		line, _ := cr.FieldPos(0)
		var f [3]float64
		for k, name := range []string{"x", "y", "value"} {
			s := strings.TrimSpace(rec[idx[name]])
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || !finite(v) {
				return PointsTable{}, fmt.Errorf("spatstat: CSV line %d: column %s is %q, not a finite number", line, name, s)
			}
			f[k] = v
		}
		t.Records = append(t.Records, rec)
		t.Points = append(t.Points, orb.Point{f[0], f[1]})
		t.Values = append(t.Values, f[2])
	}
}

// pointColumns returns the index of the x, y and value columns of header.
func pointColumns(header []string, want map[string]string, added []string) (map[string]int, error) {
	idx := map[string]int{"x": -1, "y": -1, "value": -1}
	for i, name := range header {
		name = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(name, "\uFEFF")))
		for role, col := range want {
			if col != name {
				continue
			}
			if idx[role] >= 0 {
				return nil, fmt.Errorf("spatstat: CSV header has column %q twice", name)
			}
			idx[role] = i
		}
		if slices.Contains(added, name) {
			return nil, fmt.Errorf("spatstat: CSV input already has a column %q, which would be ambiguous in the output", name)
		}
	}
	for _, role := range []string{"x", "y", "value"} {
		if idx[role] < 0 {
			return nil, fmt.Errorf("spatstat: CSV header %q has no column %q (name the %s column with --%s)", strings.Join(header, ","), want[role], role, role)
		}
	}
	return idx, nil
}

// WriteCSV writes the table back with the columns added appended, their
// values for row i given by row(i).
func (t PointsTable) WriteCSV(w io.Writer, added []string, row func(i int) []string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(append(slices.Clip(t.Header), added...)); err != nil {
		return fmt.Errorf("spatstat: writing CSV: %w", err)
	}
	for i, rec := range t.Records {
		if err := cw.Write(append(slices.Clip(rec), row(i)...)); err != nil {
			return fmt.Errorf("spatstat: writing CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("spatstat: writing CSV: %w", err)
	}
	return nil
}

// formatFloat writes the shortest decimal that reads back as f, so the CSV
// loses no precision.
func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
