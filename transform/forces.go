package transform

import (
	"context"

	"github.com/safercity/safercity/internal/names"
	"github.com/safercity/safercity/store"
)

// ResolveForce returns the store's spelling of a force a user typed, or
// refuses one the store holds no enriched crimes of, with the nearest (the
// error wraps names.ErrUnknown): an unknown force must not silently mean
// "all". "" passes: every force.
func ResolveForce(ctx context.Context, st *store.Store, force string) (string, error) {
	if force == "" {
		return "", nil
	}
	forces, err := st.Strings(ctx, `SELECT DISTINCT force FROM crimes_enriched ORDER BY 1`)
	if err != nil {
		return "", err
	}
	return names.Resolve("force", force, forces)
}
