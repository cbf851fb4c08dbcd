package spatstat

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/safercity/safercity/internal/shareddata"
)

func TestGiStarCSV(t *testing.T) {
	var in strings.Builder
	in.WriteString("id,X,y,Value,note\n")
	for i, p := range esdaPoints {
		fmt.Fprintf(&in, "p%d,%v,%v,%v,\"a, b\"\n", i, p.X(), p.Y(), esdaValues[i])
	}
	var out bytes.Buffer
	if err := GiStarCSV(strings.NewReader(in.String()), &out, 15); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(recs[0], ","), "id,X,y,Value,note,neighbours,z,p,p_fdr,bin"; got != want {
		t.Fatalf("header %q, want %q", got, want)
	}
	want, err := GiStarPoints(esdaPoints, esdaValues, 15)
	if err != nil {
		t.Fatal(err)
	}
	for i, rec := range recs[1:] {
		if rec[0] != fmt.Sprintf("p%d", i) || rec[4] != "a, b" {
			t.Errorf("row %d: input columns not kept: %q", i, rec)
		}
		z, _ := strconv.ParseFloat(rec[6], 64)
		p, _ := strconv.ParseFloat(rec[7], 64)
		pfdr, _ := strconv.ParseFloat(rec[8], 64)
		if rec[5] != strconv.Itoa(int(want.Neighbours[i])) || z != want.Z[i] || p != want.P[i] ||
			pfdr != want.PFDR[i] || rec[9] != strconv.Itoa(int(want.BinFDR[i])) {
			t.Errorf("row %d: %q, want %d %v %v %v %d", i, rec[5:], want.Neighbours[i], want.Z[i], want.P[i], want.PFDR[i], want.BinFDR[i])
		}
		if math.Abs(z-esdaGiStar[i]) > 1e-8 {
			t.Errorf("row %d: z = %v, esda %v", i, z, esdaGiStar[i])
		}
	}
}

// TestGiStarCSVMatchesSpdep feeds the spdep reference grids to GiStarCSV as
// points, so the CSV path is held to the same reference as the grid one.
func TestGiStarCSVMatchesSpdep(t *testing.T) {
	for _, tc := range []struct {
		output string
		band   float64
	}{
		{"gi_violence_100m_band250.csv", 250},
		{"gi_nte_2019_150m_band400.csv", 400},
	} {
		col, want := readTable(t, shareddata.Path(t, "testdata", "gistar", tc.output))
		var in strings.Builder
		in.WriteString("x,y,value\n")
		for _, r := range want {
			fmt.Fprintf(&in, "%v,%v,%v\n", r[col["centre_easting"]], r[col["centre_northing"]], r[col["count"]])
		}
		var out bytes.Buffer
		if err := GiStarCSV(strings.NewReader(in.String()), &out, tc.band); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&out).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for k, r := range want {
			rec := recs[k+1]
			z, _ := strconv.ParseFloat(rec[4], 64)
			p, _ := strconv.ParseFloat(rec[5], 64)
			pfdr, _ := strconv.ParseFloat(rec[6], 64)
			if rec[3] != strconv.Itoa(int(r[col["neighbours"]])) || math.Abs(z-r[col["gi_star_z"]]) > 1e-9 ||
				math.Abs(p-r[col["p_value"]]) > 1e-11 || math.Abs(pfdr-r[col["p_bh"]]) > 1e-11 {
				t.Errorf("%s line %d: %q, spdep %v %v %v %v", tc.output, k+2, rec[3:],
					r[col["neighbours"]], r[col["gi_star_z"]], r[col["p_value"]], r[col["p_bh"]])
			}
		}
	}
}

func TestGiStarCSVErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty", "", "empty"},
		{"no value column", "x,y,count\n1,2,3\n", `no column "value"`},
		{"duplicate column", "x,y,value,X\n1,2,3,4\n", `column "x" twice`},
		{"output column in input", "x,y,value,z\n1,2,3,4\n", `already has a column "z"`},
		{"bad number", "x,y,value\n1,2,3\n4,5,6\n7,oops,9\n", `line 4: column y is "oops"`},
		{"infinite value", "x,y,value\n1,2,3\n4,5,Inf\n", "line 3: column value"},
		{"ragged row", "x,y,value\n1,2,3\n4,5\n", "line 3"},
		{"one row", "x,y,value\n1,2,3\n", "at least 2 points"},
		{"no variance", "x,y,value\n1,2,3\n4,5,3\n", "all values are equal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := GiStarCSV(strings.NewReader(tc.in), new(bytes.Buffer), 10)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
