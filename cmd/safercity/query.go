package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/safercity/safercity/disclosure"
	"github.com/safercity/safercity/internal/names"
	"github.com/safercity/safercity/lake"
	"github.com/safercity/safercity/queries"
	"github.com/safercity/safercity/store"
)

func init() {
	register(&command{
		name: "query",
		args: "NAME [--param k=v ...] | --list",
		summary: "Run a named query of the analysts' catalogue (queries/*.sql, embedded) on a read-only\n" +
			"connection. Parameters are typed and bound, never spliced into SQL.",
		run: runQuery,
	})
}

// paramFlag collects repeated --param k=v.
type paramFlag map[string]string

func (p paramFlag) String() string { return "" }

func (p paramFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("want name=value, got %q", s)
	}
	p[k] = v
	return nil
}

func runQuery(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, lookup("query"))
	f.dbFlag()
	list := f.Bool("list", false, "list the catalogue: names, descriptions and parameters with types and defaults")
	params := paramFlag{}
	f.Var(params, "param", "a parameter as `name=value` (repeatable); see --list for names and types")
	format := f.String("format", "table", "output `format`: table, csv, json, parquet, arrow (Arrow IPC file) or xlsx (Excel: typed cells, frozen header)")
	out := f.String("o", "", "write to `file` instead of standard output (needed for parquet)")
	lakeDir := f.String("lake", "", "run on the Parquet lake in `DIR` (safercity export lake) instead of the database")
	minEvents := f.Int("min-events", disclosure.MinThreshold, "disclosure control: withhold rows counting fewer partner-feed `events` than this; it can raise the policy's threshold, never lower it")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if *list {
		return listQueries(e.stdout)
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: give one query name (safercity query --list shows them)", errUsage)
	}
	q, err := queries.Lookup(pos[0])
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if err := checkOutput(e.stdout, *format, *out); err != nil {
		return err
	}
	if _, err := q.Args(params); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	pol, err := disclosure.Default().WithThreshold(*minEvents)
	if err != nil {
		return fmt.Errorf("%w: --min-events %d: %v", errUsage, *minEvents, err)
	}
	var res *queries.Result
	open := store.OpenReadOnly
	if *lakeDir != "" {
		open, f.db = openLake, *lakeDir
	}
	st, err := open(ctx, f.db)
	if base, ok := serverFor(f.db, err); ok && *lakeDir == "" {
		// The server holds the database: ask it, with the same policy.
		e.log.Info("the database is held by a running server: the query runs there", "server", base)
		res, err = queryServer(ctx, base, q, params, pol)
	} else if err == nil {
		defer st.Close()
		res, err = queries.Run(ctx, st, q, params, pol)
	}
	if errors.Is(err, names.ErrUnknown) {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if err != nil && *lakeDir != "" {
		return fmt.Errorf("%w\n(a lake holds only %s: run queries of other tables on the database)", err, strings.Join(lake.Tables, ", "))
	}
	if err != nil {
		return err
	}
	return writeResult(ctx, e.stdout, res, *format, *out)
}

// queryServer runs a catalogue query through the API of the server at
// base.
func queryServer(ctx context.Context, base remote, q queries.Query, params map[string]string, pol disclosure.Policy) (*queries.Result, error) {
	v := url.Values{"format": {"json"}, "min_events": {strconv.Itoa(pol.Threshold)}}
	for k, p := range params {
		v.Set(k, p)
	}
	var a queries.Answer
	if err := apiGet(ctx, base, "/api/queries/"+url.PathEscape(q.Name), v, &a); err != nil {
		return nil, err
	}
	return a.Result()
}

// outputFormats are the formats a query result is written in.
var outputFormats = []string{"table", "csv", "json", "parquet", "arrow", "xlsx"}

// checkOutput refuses, before any work, a format that cannot go where the
// output is going: an unknown format, Parquet without a file, or binary
// Arrow to a terminal.
func checkOutput(w io.Writer, format, out string) error {
	switch format {
	case "table", "csv", "json":
		return nil
	case "parquet", "arrow", "xlsx":
		if out != "" {
			return nil
		}
		if format == "parquet" {
			return fmt.Errorf("%w: parquet needs -o FILE", errUsage)
		}
		if isTerminal(w) {
			return fmt.Errorf("%w: %s is a binary file: give -o FILE, or pipe the output to a program that reads it", errUsage, format)
		}
		return nil
	}
	return fmt.Errorf("%w: format %q%s: use table, csv, json, parquet, arrow or xlsx", errUsage, format, names.DidYouMean(format, outputFormats))
}

// writeResult writes a result in a format to a file, or to w.
func writeResult(ctx context.Context, w io.Writer, res *queries.Result, format, out string) error {
	if err := checkOutput(w, format, out); err != nil {
		return err
	}
	if format == "parquet" {
		rec, err := res.Record(memory.DefaultAllocator)
		if err != nil {
			return err
		}
		defer rec.Release()
		abs, err := filepath.Abs(out)
		if err != nil {
			return err
		}
		return store.WriteParquet(ctx, rec, abs)
	}
	if out != "" {
		fh, err := os.Create(out)
		if err != nil {
			return err
		}
		if err := res.Write(fh, format); err != nil {
			fh.Close()
			return err
		}
		return fh.Close()
	}
	return res.Write(w, format)
}

func listQueries(w io.Writer) error {
	qs, err := queries.Catalogue()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, q := range qs {
		fmt.Fprintf(tw, "%s\t%s\n", q.Name, q.Description)
		for _, p := range q.Params {
			fmt.Fprintf(tw, "\t  --param %s=… (%s, default %q) %s\n", p.Name, p.Type, p.Default, p.Description)
		}
	}
	return tw.Flush()
}
