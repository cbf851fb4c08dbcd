package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/safercity/safercity/config"
	"github.com/safercity/safercity/internal/names"
	"github.com/safercity/safercity/store"
)

// nameCheck checks a typed name against the known ones, suggesting the
// nearest (names.Check, under a name that local variables called names do
// not hide).
var nameCheck = names.Check

// flags is a command's flag set with the flags most commands share.
type flags struct {
	*flag.FlagSet
	cmd *command
	env *env
	db  string
}

func newFlags(e *env, c *command) *flags {
	f := &flags{FlagSet: flag.NewFlagSet(c.name, flag.ContinueOnError), cmd: c, env: e}
	f.SetOutput(e.stderr)
	f.Usage = func() {
		fmt.Fprintf(e.stdout, "Usage: safercity %s [flags] %s\n\n%s\n\nFlags:\n", c.name, c.args, c.summary)
		f.SetOutput(e.stdout)
		f.PrintDefaults()
		f.SetOutput(e.stderr)
	}
	return f
}

// configFlag adds --config, defaulting to $SAFERCITY_CONFIG.
func (f *flags) configFlag() *string {
	return f.String("config", os.Getenv(config.EnvFile), "configuration `file` (env "+config.EnvFile+"; default ./"+config.DefaultFile+" if present, else built-in defaults)")
}

// dbFlag adds --db, defaulting to $SAFERCITY_DB or ./safercity.duckdb.
func (f *flags) dbFlag() {
	def := os.Getenv("SAFERCITY_DB")
	if def == "" {
		def = store.DefaultPath
	}
	f.StringVar(&f.db, "db", def, "DuckDB database `file` (env SAFERCITY_DB)")
}

// parse parses flags given before, between or after positional arguments,
// and returns the positional ones.
func (f *flags) parse(args []string) ([]string, error) {
	// The global flags may come before any command (see globalFlags), so
	// every command accepts them, used or not.
	for name, takesValue := range globalNames {
		if f.Lookup(name) != nil {
			continue
		}
		if takesValue {
			f.String(name, "", "not used by this command (accepted before any command)")
		} else {
			f.Bool(name, false, "not used by this command (accepted before any command)")
		}
	}
	var pos []string
	for {
		if err := f.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		args = f.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// isTerminal reports whether w is a terminal, for progress bars.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0 && !strings.EqualFold(os.Getenv("TERM"), "dumb")
}
