package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/safercity/safercity/index"
	"github.com/safercity/safercity/xlsx"
)

// csvHeader names the columns of WriteCSV.
var csvHeader = []string{
	"period", "unit", "measure", "code", "name",
	"value", "treated_value", "normalised", "weight",
	"rank", "rank_p05", "rank_median", "rank_p95",
	"rag", "rag_basis", "reference",
	"previous_month", "last_year", "trend_month", "trend_year", "flags",
	"peer_rank", "peer_rank_p05", "peer_rank_p95", "districts",
}

// WriteCSV writes the report in long form, one row per unit and measure,
// which loads straight into a database table. measure is "overall",
// "pillar" or "indicator". For the overall and pillar rows, value is the
// score, weight the pillar's weight (1 for overall) and rank the rank on
// that score; the rank_p* columns are on the overall row only. For indicator
// rows, value is the value as reported, treated_value the value after
// carrying forward and outlier treatment, normalised the normalised value
// used in the score, and weight the indicator's effective weight in the
// index. previous_month and last_year are the values compared with for the
// trends. peer_rank (with its interval) is the unit's rank among itself and
// its most similar units, and districts lists the unit's districts, both on
// the overall row. Empty cells are missing values.
func WriteCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	cw.Write(csvHeader)
	cw.WriteAll(longRows(r))
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report: writing CSV for %s: %w", r.Result.Period, err)
	}
	return nil
}

// longRows are the rows of WriteCSV (and WriteXLSX), as text.
func longRows(r *Report) [][]string {
	res, a := r.Result, r.Assessment
	var out [][]string
	nPillars := len(res.Framework.Pillars)
	for _, i := range byRank(res) {
		u := &res.Units[i]
		for k, ms := range a.Measures {
			rt := a.Ratings[i][k]
			row := map[string]string{
				"period": res.Period, "unit": u.Unit, "code": ms.Code, "name": ms.Name,
				"value":          num(rt.Value),
				"previous_month": num(rt.PreviousMonth), "last_year": num(rt.LastYear),
				"trend_month": rt.VsPreviousMonth.String(), "trend_year": rt.VsLastYear.String(),
				"rag": rt.Status.String(),
			}
			if rt.Status != index.Unrated {
				row["rag_basis"], row["reference"] = rt.Basis.String(), num(rt.Reference)
			}
			switch ms.Kind {
			case index.OverallScore:
				row["measure"], row["weight"], row["rank"] = "overall", "1", strconv.Itoa(u.Rank)
				if res.Uncertainty != nil {
					row["rank_p05"] = strconv.Itoa(u.Interval.P05)
					row["rank_median"] = strconv.Itoa(u.Interval.Median)
					row["rank_p95"] = strconv.Itoa(u.Interval.P95)
				}
				if len(u.Peers) > 0 {
					row["peer_rank"] = strconv.Itoa(u.PeerRank)
					if res.Uncertainty != nil {
						row["peer_rank_p05"], row["peer_rank_p95"] = strconv.Itoa(u.PeerInterval.P05), strconv.Itoa(u.PeerInterval.P95)
					}
				}
				row["districts"] = strings.Join(res.Districts[u.Unit], "; ")
			case index.PillarScore:
				p := k - 1
				row["measure"], row["weight"], row["rank"] = "pillar", num(res.PillarWeights[p]), strconv.Itoa(u.PillarRanks[p])
			case index.IndicatorValue:
				j := k - 1 - nPillars
				row["measure"], row["weight"] = "indicator", num(res.EffectiveWeight(j))
				row["treated_value"], row["normalised"] = num(u.Treated[j]), num(u.Normalised[j])
				row["flags"] = u.Flags[j].String()
			}
			rec := make([]string, len(csvHeader))
			for c, h := range csvHeader {
				rec[c] = row[h]
			}
			out = append(out, rec)
		}
	}
	return out
}

// textColumns are the columns of the long form that are not numbers.
var textColumns = map[string]bool{"period": true, "unit": true, "measure": true, "code": true, "name": true,
	"rag": true, "rag_basis": true, "trend_month": true, "trend_year": true, "flags": true}

// WriteXLSX writes the long form of WriteCSV as an Excel workbook, numbers
// as number cells and missing values as empty cells.
func WriteXLSX(w io.Writer, r *Report) error {
	t := xlsx.Table{Sheet: "index " + r.Result.Period}
	for _, h := range csvHeader {
		k := xlsx.Number
		if textColumns[h] {
			k = xlsx.Text
		}
		t.Columns = append(t.Columns, xlsx.Column{Name: h, Kind: k})
	}
	for _, rec := range longRows(r) {
		row := make([]any, len(rec))
		for c, v := range rec {
			row[c] = v
			if t.Columns[c].Kind == xlsx.Number {
				row[c] = nil
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					row[c] = f
				}
			}
		}
		t.Rows = append(t.Rows, row)
	}
	if err := xlsx.Write(w, t); err != nil {
		return fmt.Errorf("report: writing XLSX for %s: %w", r.Result.Period, err)
	}
	return nil
}

// num formats v exactly, or as an empty cell when missing.
func num(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
