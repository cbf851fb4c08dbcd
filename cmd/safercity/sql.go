package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/safercity/safercity/queries"
	"github.com/safercity/safercity/store"
)

func init() {
	register(&command{
		name:    "sql",
		args:    `"SELECT ..."`,
		summary: "Run one read-only SQL statement on the database and print its rows. Writes are refused.",
		run:     runSQL,
	})
}

func runSQL(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, lookup("sql"))
	f.dbFlag()
	format := f.String("format", "table", "output `format`: table, csv or json")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: give the statement as one quoted argument", errUsage)
	}
	st, err := store.OpenReadOnly(ctx, f.db)
	if base, ok := serverFor(f.db, err); ok {
		return sqlServer(ctx, e, base, strings.TrimSpace(pos[0]), *format)
	}
	if err != nil {
		return err
	}
	defer st.Close()
	rows, err := st.QueryReadOnly(ctx, strings.TrimSpace(pos[0]))
	if err != nil {
		return err
	}
	res, err := queries.Collect(rows)
	if err != nil {
		return err
	}
	return res.Write(e.stdout, *format)
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	panic("no command " + name)
}
