package queries

import (
	"context"
	"errors"
	"fmt"

	"github.com/safercity/safercity/store"
)

// Statement runs one ad hoc read-only statement, as `safercity sql` does,
// on a store that may be open for writing (the server's): st.QueryStoreOnly
// refuses anything beyond the store's tables before it runs. It returns at
// most limit rows, and no more than maxCells values (rows times columns,
// at least one row): a server holds the answer in memory, and a wide
// million-row answer took 2.8 GB. It says whether the statement had more.
func Statement(ctx context.Context, st *store.Store, stmt string, limit, maxCells int) (*Result, bool, error) {
	rows, err := st.QueryStoreOnly(ctx, stmt)
	if err != nil {
		return nil, false, err
	}
	if cols, err := rows.Columns(); err == nil && len(cols) > 0 {
		limit = min(limit, max(1, maxCells/len(cols)))
	}
	res, more, err := collect(rows, limit)
	if err != nil && ctx.Err() == nil && !errors.Is(err, store.ErrStatement) {
		// The rows of the user's statement failed: a mistake in it, such
		// as a failed cast, surfaces only when the row is read.
		err = fmt.Errorf("%w: %w", store.ErrStatement, err)
	}
	return res, more, err
}
