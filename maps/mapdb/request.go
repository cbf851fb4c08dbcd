package mapdb

import (
	"context"
	"fmt"

	"github.com/safercity/safercity/hotspots"
	"github.com/safercity/safercity/internal/names"
	"github.com/safercity/safercity/store"
	"github.com/safercity/safercity/transform"
)

// ResolveNames replaces o's Force and Profile by the store's spelling of
// them, or refuses a force the store holds no crimes of, or a profile it
// holds no hotspots of, with the nearest (the error wraps
// names.ErrUnknown). An empty Force passes: every force.
func ResolveNames(ctx context.Context, st *store.Store, o *Options) error {
	var err error
	if o.Force, err = transform.ResolveForce(ctx, st, o.Force); err != nil {
		return fmt.Errorf("force: %w", err)
	}
	profiles, err := hotspots.StoredProfiles(ctx, st)
	if err != nil {
		return err
	}
	if o.Profile, err = names.Resolve("profile", o.Profile, profiles); err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	return nil
}
