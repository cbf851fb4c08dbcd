// Command safercity loads open police crime data and partner feeds into a
// DuckDB file and turns them into hotspot profiles, a comparative city
// resilience index, queries and maps for community-safety partnerships.
//
// Run `safercity help` for the commands and `safercity <command> --help`
// for each command's flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"regexp"
	"sort"
	"strings"
	"syscall"
	_ "time/tzdata" // Europe/London must work on machines without zoneinfo

	"github.com/safercity/safercity/store"
)

// command is one subcommand: its usage line, summary and how to run it.
type command struct {
	name    string
	args    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

var commands []*command

func register(c *command) { commands = append(commands, c) }

// env is what every command shares: where output goes and how to log.
type env struct {
	stdout, stderr io.Writer
	log            *slog.Logger
}

// errUsage marks a mistake in the command line; its message says what to fix.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first signal, a second one stops the process at once.
	go func() { <-ctx.Done(); stop() }()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr,
		log: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: logLevel()}))}
	slog.SetDefault(e.log)
	global, args, err := globalFlags(args)
	if err != nil {
		fmt.Fprintf(stderr, "safercity: %v\n", err)
		return 2
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return 0
	}
	// The longest command name that the arguments start with wins, so that
	// "hotspots backtest" is not taken for "hotspots".
	var match *command
	for _, c := range commands {
		words := strings.Fields(c.name)
		if len(words) <= len(args) && strings.Join(args[:len(words)], " ") == c.name &&
			(match == nil || len(words) > len(strings.Fields(match.name))) {
			match = c
		}
	}
	if match != nil {
		c := match
		err := c.run(ctx, e, append(global, args[len(strings.Fields(c.name)):]...))
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			fmt.Fprintf(stderr, "safercity %s: %v\nRun `safercity %s --help` for its flags.\n", c.name, err, c.name)
			return 2
		}
		fmt.Fprintf(stderr, "safercity %s: %v\n", c.name, lockedHint(dbOf(append(global, args...)), err))
		return 1
	}
	fmt.Fprintf(stderr, "safercity: unknown command %q\n\n", strings.Join(args[:min(2, len(args))], " "))
	usage(stderr)
	return 2
}

// dbOf is the database a command line names (--db, else SAFERCITY_DB, else
// the default), for hints after the command has failed.
func dbOf(args []string) string {
	for i, a := range args {
		name, v, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "db" {
			continue
		}
		if hasValue {
			return v
		}
		if i+1 < len(args) {
			return args[i+1]
		}
	}
	if db := os.Getenv("SAFERCITY_DB"); db != "" {
		return db
	}
	return store.DefaultPath
}

// globalNames are the flags that may come before the command name too;
// the value-less ones are listed as false.
var globalNames = map[string]bool{"db": true, "config": true, "quiet": false}

// globalFlags takes the flags given before the command name (safercity
// --db x.duckdb query …) and returns them, to be passed after it, where
// the command's own flag set reads them.
func globalFlags(args []string) (global, rest []string, err error) {
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && args[0] != "-h" && args[0] != "--help" {
		name, _, hasValue := strings.Cut(strings.TrimLeft(args[0], "-"), "=")
		takesValue, ok := globalNames[name]
		if !ok {
			return nil, nil, fmt.Errorf("%s before the command: only --db, --config and --quiet may come before it; give the others after the command name", args[0])
		}
		n := 1
		if takesValue && !hasValue {
			if len(args) < 2 {
				return nil, nil, fmt.Errorf("%s needs a value", args[0])
			}
			n = 2
		}
		global, args = append(global, args[:n]...), args[n:]
	}
	return global, args, nil
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "safercity: crime-data analytics for community-safety partnerships\n\nUsage: safercity [--db FILE] [--config FILE] [--quiet] <command> [flags] [args]\n\nCommands:")
	sort.Slice(commands, func(i, j int) bool { return commands[i].name < commands[j].name })
	width := 0
	for _, c := range commands {
		width = max(width, len(c.name))
	}
	for _, c := range commands {
		fmt.Fprintf(w, "  %-*s %s\n", width, c.name, brief(c.summary))
	}
	fmt.Fprintln(w, "\nEvery command takes --help. The database is ./safercity.duckdb unless --db or SAFERCITY_DB names another.\n--db, --config and --quiet may also come before the command.")
}

var sentenceEnd = regexp.MustCompile(`[.:—](\s|$)|\s—\s`)

// brief is a summary's first sentence, cut to fit a line of the command list.
func brief(summary string) string {
	s := strings.Join(strings.Fields(summary), " ")
	if loc := sentenceEnd.FindStringIndex(s); loc != nil {
		s = strings.TrimSpace(s[:loc[0]])
	}
	const width = 76
	if len(s) > width {
		cut := strings.LastIndex(s[:width], " ")
		s = s[:cut] + " …"
	}
	return s
}

func logLevel() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(os.Getenv("SAFERCITY_LOG"))); err != nil {
		return slog.LevelInfo
	}
	return l
}
