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
// most limit rows, and says whether the statement had more.
func Statement(ctx context.Context, st *store.Store, stmt string, limit int) (*Result, bool, error) {
	rows, err := st.QueryStoreOnly(ctx, stmt)
	if err != nil {
		return nil, false, err
	}
	res, more, err := collect(rows, limit)
	if err != nil && ctx.Err() == nil && !errors.Is(err, store.ErrStatement) {
		// The rows of the user's statement failed: a mistake in it, such
		// as a failed cast, surfaces only when the row is read.
		err = fmt.Errorf("%w: %w", store.ErrStatement, err)
	}
	return res, more, err
}
