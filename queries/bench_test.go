package queries

import (
	"context"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/safercity/safercity/disclosure"
	"github.com/safercity/safercity/store"
)

// BenchmarkCatalogue times every named query on a loaded store (set
// SAFERCITY_BENCH_DB, e.g. to a copy of the 36-month archive's store) as a
// user runs it, name checks included: with its defaults, for the store's
// largest unit, force and LSOA over the whole store, and over the last
// twelve months. Each is run once to warm the caches and then three
// times; it prints the median wall time and the median CPU time of the
// process (DuckDB's threads), which on a busy machine says what the query
// costs better than the wall time does.
func BenchmarkCatalogue(b *testing.B) {
	path := os.Getenv("SAFERCITY_BENCH_DB")
	if path == "" {
		b.Skip("set SAFERCITY_BENCH_DB to a loaded and transformed store (e.g. a copy of the 36-month archive's)")
	}
	ctx := context.Background()
	st, err := store.OpenReadOnly(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	qs, err := Catalogue()
	if err != nil {
		b.Fatal(err)
	}
	sets := benchParamSets(b, st)
	for i := 0; i < b.N; i++ {
		var slowest time.Duration
		for _, q := range qs {
			seen := map[string]bool{}
			for _, set := range sets {
				params := set.forQuery(q)
				key := fmtParams(params)
				if seen[key] {
					continue // the query has none of the set's parameters
				}
				seen[key] = true
				wall, cpu, rows := timeQuery(b, st, q, params)
				b.Logf("%-20s %-9s %6d ms wall %6d ms CPU %6d rows  %s", q.Name, set.name, wall.Milliseconds(), cpu.Milliseconds(), rows, key)
				slowest = max(slowest, wall)
			}
		}
		b.ReportMetric(float64(slowest.Milliseconds()), "slowest-query-ms")
	}
}

// paramSet gives values to the parameters of that name a query has.
type paramSet struct {
	name   string
	values map[string]string
}

func (s paramSet) forQuery(q Query) map[string]string {
	out := map[string]string{}
	for _, p := range q.Params {
		if v, ok := s.values[p.Name]; ok {
			out[p.Name] = v
		}
	}
	return out
}

func fmtParams(p map[string]string) string {
	var keys []string
	for k := range p {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	s := ""
	for _, k := range keys {
		s += k + "=" + p[k] + " "
	}
	return s
}

// benchParamSets picks the store's largest unit and LSOA, the force with
// the most stop and search (else street crime) and the latest month, so
// that the sets hold for any store: "largest" also ends the year-on-year
// and the peers at the latest month and takes the violence group.
func benchParamSets(b *testing.B, st *store.Store) []paramSet {
	one := func(q string) string {
		v, err := st.Strings(context.Background(), q)
		if err != nil {
			b.Fatal(err)
		}
		if len(v) == 0 {
			return ""
		}
		return v[0]
	}
	unit := one(`SELECT unit FROM crimes_enriched WHERE unit IS NOT NULL GROUP BY unit ORDER BY count(*) DESC LIMIT 1`)
	// the largest force may have no searches
	force := one(`SELECT force FROM (SELECT force, 1 AS k FROM police_stop_search UNION ALL SELECT force, 0 FROM police_street)
		GROUP BY force ORDER BY max(k) DESC, count(*) DESC LIMIT 1`)
	lsoa := one(`SELECT lsoa_code FROM crimes_enriched WHERE lsoa_code IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`)
	latest := one(`SELECT strftime(max(month), '%Y-%m') FROM crimes_enriched`)
	yearAgo := one(`SELECT strftime(max(month) - INTERVAL 11 MONTH, '%Y-%m') FROM crimes_enriched`)
	big := map[string]string{"unit": unit, "force": force, "month": latest, "group": "violence"}
	year := map[string]string{"unit": unit, "lsoa": lsoa, "from": yearAgo, "to": latest, "min_months": "3"}
	return []paramSet{{name: "defaults"}, {name: "largest", values: big}, {name: "last-year", values: year}}
}

// timeQuery runs the query once to warm up, then three times, and returns
// the median wall and CPU times and the rows of the answer.
func timeQuery(b *testing.B, st *store.Store, q Query, params map[string]string) (wall, cpu time.Duration, rows int) {
	var walls, cpus []time.Duration
	for i := 0; i < 4; i++ {
		c0 := cpuTime(b)
		start := time.Now()
		res, err := Run(context.Background(), st, q, params, disclosure.Default())
		if err != nil {
			b.Fatalf("%s %v: %v", q.Name, params, err)
		}
		if i > 0 {
			walls = append(walls, time.Since(start))
			cpus = append(cpus, cpuTime(b)-c0)
		}
		rows = len(res.Rows)
	}
	slices.Sort(walls)
	slices.Sort(cpus)
	return walls[1], cpus[1], rows
}

func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
