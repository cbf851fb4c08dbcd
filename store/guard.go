package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/safercity/safercity/internal/names"
)

// ErrOutsideStore is returned by QueryStoreOnly for a statement that reads
// anything but the store's own tables and views, or calls a function that
// reaches outside the database or changes its state.
var ErrOutsideStore = errors.New("refused: the statement reaches beyond the store's tables")

// ErrStatement wraps DuckDB's error for a statement QueryStoreOnly let
// through that then failed: a mistake in the statement (a column that
// does not exist, a type mismatch), which its writer fixes.
var ErrStatement = errors.New("the statement failed")

// QueryStoreOnly runs what QueryReadOnly runs, on a connection that could
// not be opened read-only: the server's, which holds the database for its
// jobs (DuckDB opens a file once per process, so the server cannot open a
// second, read-only connection; and its jobs need file access, which
// DuckDB can only switch off for the whole database). So the statement is
// checked, on DuckDB's own parse tree and before anything runs, to read
// only what a read-only connection with external access off can read:
// the store's tables and views (and the statement's own CTEs) by plain
// name, and functions the database already has, except those that read
// the environment or change state. Table functions (read_csv, glob, …),
// file names as tables, other databases and unloaded extensions' functions
// are refused. This is narrower than QueryReadOnly's connection, never
// wider.
func (s *Store) QueryStoreOnly(ctx context.Context, query string) (*sql.Rows, error) {
	tree, err := s.parseSelect(ctx, query)
	if err != nil {
		return nil, err
	}
	var stmt any
	if err := json.Unmarshal(tree, &stmt); err != nil {
		return nil, fmt.Errorf("read DuckDB's parse tree: %w", err)
	}
	g, err := s.newGuard(ctx)
	if err != nil {
		return nil, err
	}
	if err := g.check(stmt, nil); err != nil {
		return nil, err
	}
	rows, err := s.DB.QueryContext(ctx, query)
	if err != nil && ctx.Err() == nil {
		return nil, fmt.Errorf("%w: %w", ErrStatement, err)
	}
	return rows, err
}

// deniedFunctions exist in every database but read the process's
// environment (getenv) or change state (sequences, the random seed, the
// log); a read-only connection with external access off refuses them too.
var deniedFunctions = map[string]bool{
	"getenv": true, "nextval": true, "currval": true, "setseed": true, "write_log": true,
}

// boundFunctions are what DuckDB's binder turns into an operator rather
// than a catalogue function, so duckdb_functions() does not list them:
// unnest and its alias unlist only spread a list or struct value the
// statement already has into rows or columns.
var boundFunctions = map[string]bool{"unnest": true, "unlist": true}

// allowedRefs are the kinds of FROM item a statement may use: TABLE_FUNCTION
// (read_csv, glob, …) and the planner's own kinds are not among them.
var allowedRefs = map[string]bool{
	"BASE_TABLE": true, "SUBQUERY": true, "JOIN": true, "EXPRESSION_LIST": true,
	"EMPTY": true, "EMPTY_FROM": true, "PIVOT": true, "SHOW_REF": true,
}

// refKinds are all the kinds of FROM item DuckDB's parse tree names.
var refKinds = map[string]bool{
	"TABLE_FUNCTION": true, "CTE": true, "COLUMN_DATA": true, "DELIM_GET": true, "BOUND_TABLE_REF": true, "INVALID": true,
}

// plainName is an identifier that can only name a catalog entry: DuckDB
// reads a file for a quoted name such as 'crimes.csv', never for this.
var plainName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// A guard holds what a statement may name.
type guard struct {
	tables    map[string]bool // lower-case
	tableList []string
	functions map[string]bool // lower-case; shared, read only
}

// newGuard reads what a statement may name: the store's tables and views,
// and the functions the database has.
func (s *Store) newGuard(ctx context.Context) (*guard, error) {
	g := &guard{tables: map[string]bool{}}
	var err error
	g.tableList, err = s.Strings(ctx, `SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
		UNION SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal ORDER BY 1`)
	if err != nil {
		return nil, err
	}
	for _, t := range g.tableList {
		g.tables[strings.ToLower(t)] = true
	}
	g.functions, err = s.functions.read(ctx, s)
	return g, err
}

// A functionCatalogue is the names of the scalar, aggregate and macro
// functions the database has, read once: reading DuckDB's catalogue of
// functions costs more than most statements cost to run. A function an
// extension loads later is then refused, which is narrower, never wider.
type functionCatalogue struct {
	mu    sync.Mutex
	names map[string]bool // lower-case
}

func (c *functionCatalogue) read(ctx context.Context, s *Store) (map[string]bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.names != nil {
		return c.names, nil
	}
	fns, err := s.Strings(ctx, `SELECT DISTINCT lower(function_name) FROM duckdb_functions() WHERE function_type NOT IN ('table', 'table_macro', 'pragma')`)
	if err != nil {
		return nil, err
	}
	c.names = map[string]bool{}
	for _, f := range fns {
		c.names[f] = true
	}
	return c.names, nil
}

// check walks a parse tree (JSON decoded into maps and slices), with the
// CTE names in scope.
func (g *guard) check(v any, ctes map[string]bool) error {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if err := g.check(e, ctes); err != nil {
				return err
			}
		}
	case map[string]any:
		ctes, err := g.scope(x, ctes)
		if err != nil {
			return err
		}
		if err := g.checkNode(x, ctes); err != nil {
			return err
		}
		for _, e := range x {
			if err := g.check(e, ctes); err != nil {
				return err
			}
		}
	}
	return nil
}

// scope adds a node's CTEs to those in scope below it.
func (g *guard) scope(node map[string]any, ctes map[string]bool) (map[string]bool, error) {
	cm, _ := node["cte_map"].(map[string]any)
	entries, _ := cm["map"].([]any)
	if len(entries) == 0 {
		return ctes, nil
	}
	inner := map[string]bool{}
	for k := range ctes {
		inner[k] = true
	}
	for _, e := range entries {
		key, _ := e.(map[string]any)["key"].(string)
		if !plainName.MatchString(key) {
			return nil, fmt.Errorf("%w: WITH %q: name a CTE with letters, digits and _", ErrOutsideStore, key)
		}
		inner[strings.ToLower(key)] = true
	}
	return inner, nil
}

// checkNode checks one node of the tree: a FROM item or a function call.
func (g *guard) checkNode(node map[string]any, ctes map[string]bool) error {
	kind, _ := node["type"].(string)
	class, _ := node["class"].(string)
	switch {
	case class == "FUNCTION", class == "WINDOW" && kind == "WINDOW_AGGREGATE":
		// (The other WINDOW kinds are DuckDB's own window functions:
		// row_number, lag, …, named by the kind.)
		return g.checkFunction(node)
	case class != "":
		return nil // another expression: its children are walked
	case kind == "BASE_TABLE":
		return g.checkTable(node, ctes)
	case kind == "SHOW_REF" && node["query"] == nil:
		return fmt.Errorf("%w: SHOW/DESCRIBE of a name: use DESCRIBE SELECT * FROM table, or the tables %s", ErrOutsideStore, strings.Join(g.tableList, ", "))
	case refKinds[kind] && !allowedRefs[kind]:
		return fmt.Errorf("%w: a %s in FROM (such as read_csv, glob or range): read the store's tables %s", ErrOutsideStore, strings.ReplaceAll(strings.ToLower(kind), "_", " "), strings.Join(g.tableList, ", "))
	}
	return nil
}

func (g *guard) checkTable(node map[string]any, ctes map[string]bool) error {
	name, _ := node["table_name"].(string)
	catalog, _ := node["catalog_name"].(string)
	schema, _ := node["schema_name"].(string)
	if catalog != "" || (schema != "" && !strings.EqualFold(schema, "main")) {
		return fmt.Errorf("%w: %s.%s: only the store's own tables, unqualified or as main.table", ErrOutsideStore, strings.Trim(catalog+"."+schema, "."), name)
	}
	if !plainName.MatchString(name) {
		return fmt.Errorf("%w: %q is not a table name (a file or URL as a table is refused): read the store's tables %s", ErrOutsideStore, name, strings.Join(g.tableList, ", "))
	}
	if schema == "" && ctes[strings.ToLower(name)] || g.tables[strings.ToLower(name)] {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrOutsideStore, names.Check("table", name, g.tableList))
}

func (g *guard) checkFunction(node map[string]any) error {
	name, _ := node["function_name"].(string)
	catalog, _ := node["catalog"].(string)
	schema, _ := node["schema"].(string)
	lower := strings.ToLower(name)
	known, allowed := g.functions[lower] || boundFunctions[lower], !deniedFunctions[lower]
	switch {
	case catalog != "" || (schema != "" && !strings.EqualFold(schema, "main")):
		return fmt.Errorf("%w: function %s.%s: call functions unqualified", ErrOutsideStore, strings.Trim(catalog+"."+schema, "."), name)
	case !known:
		return fmt.Errorf("%w: function %s: the database has no such function (an extension's functions are not loaded here)", ErrOutsideStore, name)
	case !allowed:
		return fmt.Errorf("%w: function %s reads the environment or changes state", ErrOutsideStore, name)
	}
	return nil
}
