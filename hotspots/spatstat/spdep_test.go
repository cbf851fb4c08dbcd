package spatstat

import (
	"bytes"
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/paulmach/orb"

	"github.com/safercity/safercity/internal/shareddata"
)

// readTable reads a reference table into its header and rows of floats.
func readTable(t *testing.T, path string) (map[string]int, [][]float64) {
	t.Helper()
	col, recs := shareddata.ReadCSV(t, path)
	rows := make([][]float64, len(recs))
	for r, rec := range recs {
		rows[r] = make([]float64, len(rec))
		for i, s := range rec {
			var err error
			if rows[r][i], err = strconv.ParseFloat(s, 64); err != nil {
				t.Fatalf("%s line %d: %v", path, r+2, err)
			}
		}
	}
	return col, rows
}

// spdepGrid lays the cells of a reference table (listed in any order, keyed
// by their south-west corners) onto a Grid, returning the grid and each
// row's cell index.
func spdepGrid(t *testing.T, col map[string]int, rows [][]float64, cellSize float64) (Grid, []int) {
	t.Helper()
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, r := range rows {
		minX, maxX = min(minX, r[col["cell_x"]]), max(maxX, r[col["cell_x"]])
		minY, maxY = min(minY, r[col["cell_y"]]), max(maxY, r[col["cell_y"]])
	}
	g := Grid{X0: minX, Y0: minY, CellSize: cellSize,
		NX: int((maxX-minX)/cellSize) + 1, NY: int((maxY-minY)/cellSize) + 1}
	if g.Len() != len(rows) {
		t.Fatalf("reference table has %d cells, not the full %d×%d grid", len(rows), g.NX, g.NY)
	}
	idx := make([]int, len(rows))
	seen := make([]bool, g.Len())
	for k, r := range rows {
		i, ok := g.Cell(orb.Point{r[col["centre_easting"]], r[col["centre_northing"]]})
		if !ok || seen[i] {
			t.Fatalf("row %d: centre does not map to a distinct grid cell", k+2)
		}
		seen[i] = true
		idx[k] = i
	}
	return g, idx
}

// TestGiStarGridMatchesSpdep checks every cell of both reference grids
// against R spdep localG (binary fixed distance band, self included) and
// p.adjust(method = "BH").
func TestGiStarGridMatchesSpdep(t *testing.T) {
	for _, tc := range []struct {
		input, output  string
		cellSize, band float64
	}{
		{"violence_100m.csv", "gi_violence_100m_band250.csv", 100, 250},
		{"nte_2019_150m.csv", "gi_nte_2019_150m_band400.csv", 150, 400},
	} {
		t.Run(tc.input, func(t *testing.T) {
			inCol, in := readTable(t, shareddata.Path(t, "testdata", "gistar", tc.input))
			col, want := readTable(t, shareddata.Path(t, "testdata", "gistar", tc.output))
			g, idx := spdepGrid(t, inCol, in, tc.cellSize)
			values := make([]float64, g.Len())
			for k, r := range in {
				values[idx[k]] = r[inCol["count"]]
			}
			got, err := GiStarGrid(g, values, tc.band)
			if err != nil {
				t.Fatal(err)
			}
			g2, idx2 := spdepGrid(t, col, want, tc.cellSize)
			if g2 != g {
				t.Fatalf("output grid %+v differs from input grid %+v", g2, g)
			}
			var maxDZ, maxDP, maxDBH float64
			for k, r := range want {
				i := idx2[k]
				line := k + 2
				if values[i] != r[col["count"]] {
					t.Fatalf("line %d: count %v in output, %v in input", line, r[col["count"]], values[i])
				}
				if n := float64(got.Neighbours[i]); n != r[col["neighbours"]] {
					t.Errorf("line %d: %v neighbours, spdep %v", line, n, r[col["neighbours"]])
				}
				dz := math.Abs(got.Z[i] - r[col["gi_star_z"]])
				dp := math.Abs(got.P[i] - r[col["p_value"]])
				dbh := math.Abs(got.PFDR[i] - r[col["p_bh"]])
				if dz > 1e-9 || dp > 1e-11 || dbh > 1e-11 {
					t.Errorf("line %d: z, p, p_bh = %.12f, %.12f, %.12f; spdep %.12f, %.12f, %.12f",
						line, got.Z[i], got.P[i], got.PFDR[i], r[col["gi_star_z"]], r[col["p_value"]], r[col["p_bh"]])
				}
				maxDZ, maxDP, maxDBH = max(maxDZ, dz), max(maxDP, dp), max(maxDBH, dbh)
			}
			t.Logf("%d cells: max |Δz| = %.3g, max |Δp| = %.3g, max |Δp_bh| = %.3g", len(want), maxDZ, maxDP, maxDBH)
		})
	}
}

// TestGiStarCSVNamedColumns reads the spdep input with its own column
// names, as an analyst would with --x, --y and --value.
func TestGiStarCSVNamedColumns(t *testing.T) {
	in, err := os.ReadFile(shareddata.Path(t, "testdata", "gistar", "violence_100m.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := GiStarCSVColumns(bytes.NewReader(in), &out, 250, CSVColumns{X: "centre_easting", Y: "Centre_Northing", Value: "count"}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col, want := readTable(t, shareddata.Path(t, "testdata", "gistar", "gi_violence_100m_band250.csv"))
	if len(rows) != len(want)+1 || rows[0][6] != "z" {
		t.Fatalf("%d rows (header %v), want %d", len(rows), rows[0], len(want)+1)
	}
	for i, w := range want {
		z, _ := strconv.ParseFloat(rows[i+1][6], 64)
		if math.Abs(z-w[col["gi_star_z"]]) > 1e-9 {
			t.Fatalf("row %d: z %v, spdep %v", i+1, z, w[col["gi_star_z"]])
		}
	}
	if err := GiStarCSVColumns(bytes.NewReader(in), &out, 250, CSVColumns{X: "easting"}); err == nil {
		t.Error("a missing named column was accepted")
	}
}
