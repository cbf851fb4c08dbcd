package hotspots

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteBacktestTable writes back-test results as the table `safercity
// hotspots backtest` prints, one row per force, month, method and set.
func WriteBacktestTable(w io.Writer, res []Accuracy) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "force\tmonth\tmethod\tset\tcells\tarea %\thits\tcrimes\thit rate %\tPAI\tRRI\t")
	for _, a := range res {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%.1f\t%.0f\t%.0f\t%.1f\t%.2f\t%.2f\t\n", a.Force, a.Month, a.Method, a.Set, a.Cells, 100*a.AreaShare,
			a.Hits, a.Total, 100*float64(a.HitRate), float64(a.PAI), float64(a.RRI))
	}
	return tw.Flush()
}
