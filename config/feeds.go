package config

import (
	"errors"
	"os"

	"github.com/safercity/safercity/ingest/feed"
)

// BundledFeeds is the sample's feed configuration, used when no other is
// given and a command runs in the repository.
const BundledFeeds = "data/feeds/feeds.yaml"

// LoadFeeds reads the partner feed contracts from the file at path; ""
// means the file EnvFile names, else DefaultFile, else BundledFeeds,
// whichever exists first.
func LoadFeeds(path string) (*feed.Config, error) {
	if path == "" {
		path = os.Getenv(EnvFile)
	}
	if path == "" {
		for _, p := range []string{DefaultFile, BundledFeeds} {
			if _, err := os.Stat(p); err == nil {
				path = p
				break
			}
		}
	}
	if path == "" {
		return nil, errors.New("no configuration file: give --config FILE, set " + EnvFile + ", or write ./" + DefaultFile + " (" + BundledFeeds + " in the repository is a commented example)")
	}
	return feed.Load(path)
}
