package geography

import (
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/safercity/safercity/internal/shareddata"
)

// streetFile matches a data.police.uk street file name and captures the
// force's slug.
var streetFile = regexp.MustCompile(`^\d{4}-\d{2}-(.+)-street\.csv$`)

// lsoasByForce reads every street file under dir and returns, per district
// and force, the LSOAs in which that force recorded a crime, and the LSOAs
// whose district neither the lookup nor the name tells.
func lsoasByForce(t *testing.T, tab *Table, dir string) (map[string]map[string]map[string]bool, map[string]string) {
	t.Helper()
	seen := map[string]map[string]map[string]bool{}
	unplaced := map[string]string{}
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*-street.csv"))
	for _, path := range files {
		m := streetFile.FindStringSubmatch(filepath.Base(path))
		if m == nil {
			continue
		}
		force := m[1]
		err := eachLSOA(path, func(code, name string) error {
			d, err := tab.DistrictOfLSOA(code, name)
			if d == "" {
				unplaced[code] = name
				return err
			}
			if seen[d] == nil {
				seen[d] = map[string]map[string]bool{}
			}
			if seen[d][force] == nil {
				seen[d][force] = map[string]bool{}
			}
			seen[d][force][code] = true
			return err
		})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	return seen, unplaced
}

// eachLSOA calls fn with the LSOA code and name of every row of a street
// file that has one; files without LSOA columns (2011) are skipped.
func eachLSOA(path string, fn func(code, name string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return err
	}
	ci, ni := slices.Index(head, "LSOA code"), slices.Index(head, "LSOA name")
	if ci < 0 || ni < 0 {
		return nil
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if rec[ci] != "" {
			if err := fn(rec[ci], rec[ni]); err != nil {
				return err
			}
		}
	}
}

// TestForcesAgainstPoliceData checks the hand-written district → force
// column of districts.csv against the real street files: a force whose
// data covers at least half of a district's LSOAs must be the force the
// table names for it, and a force with data must cover every district the
// table gives it. Districts of forces without street files cannot be
// checked here; the test says how many.
func TestForcesAgainstPoliceData(t *testing.T) {
	dir := shareddata.Path(t, "data", "police-uk")
	tab, err := National()
	if err != nil {
		t.Fatal(err)
	}
	seen, unplaced := lsoasByForce(t, tab, dir)
	if len(unplaced) > 0 {
		t.Errorf("%d LSOAs of the street files have no district by code or by name, e.g. %v", len(unplaced), unplaced)
	}
	loaded := map[string]bool{}
	for _, by := range seen {
		for f := range by {
			loaded[f] = true
		}
	}
	checked := 0
	for _, d := range tab.Districts {
		for f, lsoas := range seen[d.Name] {
			if 2*len(lsoas) >= d.LSOAs && f != d.Force {
				t.Errorf("%s: %s recorded crimes in %d of its %d LSOAs, but districts.csv says %s polices it", d.Name, f, len(lsoas), d.LSOAs, d.Force)
			}
		}
		if !loaded[d.Force] {
			continue
		}
		checked++
		if n := len(seen[d.Name][d.Force]); 2*n < d.LSOAs {
			t.Errorf("%s: districts.csv says %s polices it, but that force recorded crimes in only %d of its %d LSOAs", d.Name, d.Force, n, d.LSOAs)
		}
	}
	if checked == 0 {
		t.Fatalf("no street file with LSOAs under %s", dir)
	}
	t.Logf("%d of %d districts checked against %d forces' street files; the others' forces have no street file here", checked, len(tab.Districts), len(loaded))
}

// TestDistrictOfLSOA checks the lookup of 2011 LSOAs and the fallback on the
// name for LSOAs the lookup does not hold (2021 LSOAs, as police.uk uses
// from 2022 and for some 2021 months).
func TestDistrictOfLSOA(t *testing.T) {
	tab, err := National()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ code, name, want string }{
		{"E01000001", "City of London 001A", "City of London"},
		{"E01033768", "", "Liverpool"},                                          // by code alone
		{"E01035687", "Tower Hamlets 021H", "Tower Hamlets"},                    // a 2021 LSOA in ../shared's street files
		{"E01035999", "Allerdale 001A", "Cumberland"},                           // a district merged in 2023
		{"E01035998", "Kingston upon Hull, City of 001A", "Kingston upon Hull"}, // ONS's "X, City of"
		{"E01035997", "Somerset West and Taunton 003B", "Somerset"},
		{"E01035996", "Nowhere 001A", ""},
		{"E01035995", "", ""},
	} {
		got, err := tab.DistrictOfLSOA(c.code, c.name)
		if err != nil || got != c.want {
			t.Errorf("DistrictOfLSOA(%s, %q) = %q, %v; want %q", c.code, c.name, got, err, c.want)
		}
	}
}
