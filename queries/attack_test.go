package queries

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/safercity/safercity/disclosure"
	"github.com/safercity/safercity/store"
)

// TestManyWindowAttack is issue 18's combined differencing attack:
// nte_nights is fetched for every window from=i to=j of the sample's
// months, and each cell-month's true count is bounded by solving the
// interval constraints the released figures give (see solve), a month is
// known to hold incidents where the months column of two windows that
// differ by it differ. With every
// window released as the sum of released months, no combination of
// windows says more than the monthly releases, so no withheld 1–2 count
// is recovered.
func TestManyWindowAttack(t *testing.T) {
	st := demo(t)
	months := sampleMonths(t, st)
	if len(months) < 3 {
		t.Fatalf("the sample has %d months of partner incidents: too few to attack", len(months))
	}
	withheld, recovered := manyWindowAttack(t, st, months)
	t.Logf("%d windows of %d months: %d of %d withheld cell-months recovered exactly",
		len(months)*(len(months)+1)/2, len(months), recovered, withheld)
	if withheld == 0 {
		t.Fatal("the sample has no withheld cell-month: the attack was not tried")
	}
	if recovered > 0 {
		t.Errorf("the many-window attack recovers %d of %d withheld counts", recovered, withheld)
	}
}

type nightCell [2]string // night, hours

// sampleMonths lists the months with partner incidents, oldest first.
func sampleMonths(t *testing.T, st *store.Store) []string {
	rows, err := st.DB.Query(`SELECT DISTINCT strftime(month, '%Y-%m') m FROM incidents ORDER BY m`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// manyWindowAttack returns how many cell-months hold a withheld count and
// how many of those the attack pins to their true value.
func manyWindowAttack(t *testing.T, st *store.Store, months []string) (withheld, recovered int) {
	q, err := Lookup("nte_nights")
	if err != nil {
		t.Fatal(err)
	}
	released := map[[2]int]map[nightCell]int64{} // window i..j → released incidents
	active := map[[2]int]map[nightCell]int64{}   // window i..j → its months column
	for i := range months {
		for j := i; j < len(months); j++ {
			res, err := Run(context.Background(), st, q, map[string]string{"from": months[i], "to": months[j]}, disclosure.Default())
			if err != nil {
				t.Fatal(err)
			}
			w, a := map[nightCell]int64{}, map[nightCell]int64{}
			c, cm := column(t, res, "incidents"), column(t, res, "months")
			for _, r := range res.Rows {
				k := nightCell{r[0].(string), r[1].(string)}
				if n, ok := r[c].(int64); ok && n > 0 {
					w[k] = n
				}
				if n, ok := r[cm].(int64); ok {
					a[k] = n
				}
			}
			released[[2]int{i, j}], active[[2]int{i, j}] = w, a
		}
	}
	truth := make([]map[nightCell]int64, len(months))
	cells := map[nightCell]bool{}
	for m, month := range months {
		truth[m] = monthTruth(t, st, month)
		for k := range truth[m] {
			cells[k] = true
		}
	}
	for k := range cells {
		lo := make([]int64, len(months))
		for m := range months { // a month the months column counts holds at least one
			for w, a := range active {
				long, ok1 := a[k]
				short, ok2 := int64(0), true
				switch {
				case w[0] == m && w[1] > m:
					short, ok2 = active[[2]int{m + 1, w[1]}][k]
				case w[1] == m && w[0] < m:
					short, ok2 = active[[2]int{w[0], m - 1}][k]
				case w != [2]int{m, m}:
					continue
				}
				if ok1 && ok2 && long > short {
					lo[m] = 1
				}
			}
		}
		hi := solve(released, k, lo)
		for m := range months {
			if n := truth[m][k]; n > 0 && n < 3 {
				withheld++
				if lo[m] == hi[m] && lo[m] == n {
					recovered++
				}
			}
		}
	}
	return withheld, recovered
}

// solve bounds one cell's count in each month by interval propagation over
// every window's constraint: a window's true total lies in r−2..r+2 for a
// released r (0..2 for a row left out), so each of its months lies in that
// range less what the window's other months can hold, until nothing
// tightens.
// lo holds the known lower bounds and is tightened in place.
func solve(released map[[2]int]map[nightCell]int64, k nightCell, lo []int64) (hi []int64) {
	hi = make([]int64, len(lo))
	for m := range hi {
		hi[m] = 1 << 40
	}
	for changed := true; changed; {
		changed = false
		for w, rel := range released {
			wlo, whi := int64(0), int64(2)
			if r, ok := rel[k]; ok {
				wlo, whi = r-2, r+2
			}
			var slo, shi int64
			for m := w[0]; m <= w[1]; m++ {
				slo, shi = slo+lo[m], shi+hi[m]
			}
			for m := w[0]; m <= w[1]; m++ {
				l, h := max(lo[m], wlo-(shi-hi[m])), min(hi[m], whi-(slo-lo[m]))
				if l != lo[m] || h != hi[m] {
					lo[m], hi[m], changed = l, h, true
				}
			}
		}
	}
	return hi
}

// monthTruth reads the true incidents of one month per night and hours,
// straight from the partner table.
func monthTruth(t *testing.T, st *store.Store, month string) map[nightCell]int64 {
	m, err := time.Parse("2006-01", month)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := st.DB.Query(`SELECT dayname(occurred_local - INTERVAL 6 HOUR),
		CASE WHEN hour(occurred_local) BETWEEN 18 AND 20 THEN '18-21' WHEN hour(occurred_local) BETWEEN 21 AND 23 THEN '21-24'
		     WHEN hour(occurred_local) BETWEEN 0 AND 2 THEN '00-03' WHEN hour(occurred_local) BETWEEN 3 AND 5 THEN '03-06' ELSE 'day' END,
		count(*) FROM incidents WHERE month = ? GROUP BY ALL`, m)
	if err != nil {
		t.Fatal(fmt.Errorf("true counts of %s: %w", month, err))
	}
	defer rows.Close()
	out := map[nightCell]int64{}
	for rows.Next() {
		var k nightCell
		var n int64
		if err := rows.Scan(&k[0], &k[1], &n); err != nil {
			t.Fatal(err)
		}
		out[k] = n
	}
	return out
}
