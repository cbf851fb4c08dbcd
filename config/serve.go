package config

import (
	"fmt"
	"time"
)

// Serve is the serve section: how `safercity serve` listens and whom it
// answers.
type Serve struct {
	Addr string `yaml:"addr"` // default DefaultAddr
	// Tokens are the bearer tokens that requests from other machines
	// must carry; with none, only this machine is answered.
	Tokens []string `yaml:"tokens"`
	// Hosts are the host names clients use in URLs (the Host header),
	// besides localhost and IP addresses; others are refused (DNS
	// rebinding).
	Hosts []string `yaml:"hosts"`
	// Grace is how long a stopping server lets the running job finish
	// before cancelling it (default DefaultGrace).
	Grace time.Duration `yaml:"grace"`
	// BehindProxy says a reverse proxy on this machine relays requests to
	// the server: requests over the loopback are then not trusted, and
	// need a token as others do (serve.ServerOptions.BehindProxy).
	BehindProxy bool `yaml:"behind_proxy"`
}

const (
	// DefaultAddr is where the server listens unless --addr or serve.addr
	// says otherwise: this machine only.
	DefaultAddr = "127.0.0.1:8080"
	// DefaultGrace is serve.grace's default.
	DefaultGrace = 30 * time.Second
	// MinTokenLen is the shortest bearer token accepted: a guessable one
	// would open the database to the network.
	MinTokenLen = 16
)

// ServeSettings is the serve section with its defaults filled in and its
// tokens checked; addr (from --addr) overrides serve.addr when set.
func (c *Config) ServeSettings(addr string) (Serve, error) {
	s := c.Serve
	if addr != "" {
		s.Addr = addr
	}
	if s.Addr == "" {
		s.Addr = DefaultAddr
	}
	if s.Grace <= 0 {
		s.Grace = DefaultGrace
	}
	for i, t := range s.Tokens {
		if len(t) < MinTokenLen {
			return s, fmt.Errorf("configuration: serve.tokens[%d] is shorter than %d characters: use a long random one, e.g. from `openssl rand -hex 32`", i, MinTokenLen)
		}
	}
	return s, nil
}
