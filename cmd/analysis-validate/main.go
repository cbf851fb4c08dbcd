// Command analysis-validate checks SaferCity's analysis methods on real
// police.uk street-crime files, read directly without the store: crime
// concentration over 100 m cells and "On or near" street locations, and the
// rolling-origin validation of the per-cell forecast — MAE and RMSE against
// the seasonal naive forecast, and the PAI and RRI of its hot set beside
// KDE and Gi* hot sets of equal area built from the three months before.
//
//	go run ./cmd/analysis-validate [--data DIR] [--crime-type T] FORCE...
//
// FORCE is a police.uk force slug, e.g. leicestershire or city-of-london;
// the files read are DIR/YYYY-MM/YYYY-MM-FORCE-street.csv.
package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/safercity/safercity/internal/names"
)

func main() {
	fs := flag.NewFlagSet("analysis-validate", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: analysis-validate [flags] FORCE...\n\n"+
			"Prints crime concentration (top 1/5/10 % of cells and street locations, Gini,\n"+
			"generalized Gini, fewest places with half the crime) for each force's police.uk\n"+
			"street files, and, with 25 months or more, the rolling-origin validation of the\n"+
			"per-cell forecast against seasonal naive, KDE and Gi* hot sets.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	data := fs.String("data", "../shared/data/police-uk", "`folder` of YYYY-MM/YYYY-MM-FORCE-street.csv files")
	crimeType := fs.String("crime-type", "", "keep only this police.uk crime `type`, e.g. \"Violence and sexual offences\" (default: all)")
	cell := fs.Float64("cell", 100, "cell size in `metres`")
	origins := fs.Int("origins", 12, "forecast `months` to validate, the last ones of the data")
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		os.Exit(2)
	}
	if fs.NArg() == 0 {
		fs.Usage()
		os.Exit(2)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, force := range fs.Args() {
		if err := validate(w, log, *data, force, *crimeType, *cell, *origins); err != nil {
			log.Error("validation failed", "force", force, "err", err)
			os.Exit(1)
		}
	}
}

func validate(w *tabwriter.Writer, log *slog.Logger, dir, force, crimeType string, cell float64, origins int) error {
	files, err := filepath.Glob(filepath.Join(dir, "*", "*-"+force+"-street.csv"))
	if err != nil {
		return err
	}
	files = slices.DeleteFunc(files, func(f string) bool {
		// "-street.csv" of another force whose slug ends in this one.
		return !strings.HasSuffix(filepath.Base(f), filepath.Base(filepath.Dir(f))+"-"+force+"-street.csv")
	})
	if len(files) == 0 {
		return fmt.Errorf("no %s street files under %s (names are YYYY-MM/YYYY-MM-%s-street.csv)%s", force, dir, force, nearestForce(dir, force))
	}
	slices.Sort(files)
	months, err := readMonths(log, files, crimeType)
	if err != nil {
		return err
	}
	a, err := newArchive(months, cell)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "== %s: %d months %s…%s, %d crimes located, %d cells of %.0f m (%d×%d), %d crimes off the grid\n",
		force, len(months), months[0].month, months[len(months)-1].month, a.crimes, a.grid.Len(), cell, a.grid.NX, a.grid.NY, a.outside)
	if err := concentrationReport(w, a); err != nil {
		return err
	}
	if len(months) < 25 {
		fmt.Fprintf(w, "(forecast validation needs 25 months: 12 of history, 12 of training, 1 to forecast; %s has %d)\n\n", force, len(months))
		return w.Flush()
	}
	return forecastReport(w, a, min(origins, len(months)-24))
}

// nearestForce returns ` (did you mean "X"?)` for the force slug of the
// street files under dir nearest to force, or "" when there are none.
func nearestForce(dir, force string) string {
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*-street.csv"))
	var slugs []string
	for _, f := range files {
		b := strings.TrimSuffix(filepath.Base(f), "-street.csv")
		if len(b) > 8 && !slices.Contains(slugs, b[8:]) {
			slugs = append(slugs, b[8:]) // after "YYYY-MM-"
		}
	}
	if best, d := names.Closest(force, slugs); d >= 0 {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}
