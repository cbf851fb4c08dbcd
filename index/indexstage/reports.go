package indexstage

import (
	"context"
	"database/sql"
	"time"

	"github.com/safercity/safercity/store"
)

// The reads of the stored index for the dashboard and the API: the stage
// writes index_reports and index_scores (see save), and their SQL stays
// here with it.

// Months are the months with a stored index report, YYYY-MM, newest first.
func Months(ctx context.Context, st *store.Store) ([]string, error) {
	return st.Strings(ctx, `SELECT strftime(month, '%Y-%m') FROM index_reports ORDER BY month DESC`)
}

// ScoreCount is the number of stored scores of a month.
func ScoreCount(ctx context.Context, st *store.Store, month time.Time) (int64, error) {
	var n int64
	err := st.DB.QueryRowContext(ctx, `SELECT count(*) FROM index_scores WHERE month = ?`, month).Scan(&n)
	return n, err
}

// ReportJSON is the month's stored report as JSON.
func ReportJSON(ctx context.Context, st *store.Store, month time.Time) (string, error) {
	var js string
	err := st.DB.QueryRowContext(ctx, `SELECT json FROM index_reports WHERE month = ?`, month).Scan(&js)
	return js, err
}

// ReportHTML is the month's stored report as HTML; "" when it was stored
// without one.
func ReportHTML(ctx context.Context, st *store.Store, month time.Time) (string, error) {
	var html string
	err := st.DB.QueryRowContext(ctx, `SELECT html FROM index_reports WHERE month = ?`, month).Scan(&html)
	return html, err
}

// HasHTML reports whether the month's report has its HTML page.
func HasHTML(ctx context.Context, st *store.Store, month time.Time) (bool, error) {
	var n int
	err := st.DB.QueryRowContext(ctx, `SELECT count(*) FROM index_reports WHERE month = ? AND html <> ''`, month).Scan(&n)
	return n > 0, err
}

// ScoreTable is the month's index_scores as stored, period first, for
// export as a table.
func ScoreTable(ctx context.Context, st *store.Store, month time.Time) (*sql.Rows, error) {
	return st.QueryReadOnly(ctx, `SELECT strftime(month, '%Y-%m') AS period, * EXCLUDE (month)
		FROM index_scores WHERE month = ? ORDER BY rowid`, month)
}

// StoredScore is one stored score: a unit's overall score, pillar or
// indicator, rated and with its trends. The pointers are NULL's nil.
type StoredScore struct {
	Unit, Measure, Code, Name  string
	Value, Reference           *float64
	RAG, TrendMonth, TrendYear string
	Rank                       *int64
	Basis                      string
}

// Scores are the month's stored scores: overall first, then pillars, then
// indicators, each in the order the stage stored them.
func Scores(ctx context.Context, st *store.Store, month time.Time) ([]StoredScore, error) {
	rows, err := st.DB.QueryContext(ctx, `SELECT unit, measure, code, coalesce(name, code), value, coalesce(rag, 'N/A'),
		coalesce(trend_month, ''), coalesce(trend_year, ''), rank, coalesce(rag_basis, ''), reference
		FROM index_scores WHERE month = ?
		ORDER BY CASE measure WHEN 'overall' THEN 0 WHEN 'pillar' THEN 1 ELSE 2 END, rowid`, month)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StoredScore
	for rows.Next() {
		var s StoredScore
		if err := rows.Scan(&s.Unit, &s.Measure, &s.Code, &s.Name, &s.Value, &s.RAG, &s.TrendMonth, &s.TrendYear, &s.Rank, &s.Basis, &s.Reference); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
