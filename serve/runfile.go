package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"time"
)

// RunFile is what a running server records beside its database, so that
// commands that find the database locked know where to ask instead.
type RunFile struct {
	URL     string    `json:"url"` // e.g. http://127.0.0.1:8080
	PID     int       `json:"pid"`
	Started time.Time `json:"started"`
	// Key is the server's LocalKey: a command that reads it is on this
	// machine and may read beside the database, so the server answers it
	// as it answers its own machine, behind a proxy too.
	Key string `json:"key"`
}

// RunFilePath is the run file of the database at db.
func RunFilePath(db string) string { return db + ".serve" }

// WriteRunFile records the server listening at addr with local key key
// for the database db, readable by the file's owner alone, and returns a
// function that removes the record. A wildcard address (0.0.0.0, ::) is
// recorded as the loopback one, which is where a command on the same
// machine reaches it.
func WriteRunFile(db string, addr net.Addr, key string) (remove func(), err error) {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	rf := RunFile{URL: "http://" + net.JoinHostPort(host, port), PID: os.Getpid(), Started: time.Now().UTC(), Key: key}
	b, err := json.Marshal(rf)
	if err != nil {
		return nil, err
	}
	path := RunFilePath(db)
	_ = os.Remove(path) // one left by a server that was killed may be readable by others
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return nil, fmt.Errorf("record the server's address beside the database: %w", err)
	}
	// A run file left behind is harmless: readers consult it only when the
	// database is locked, and a request to a gone server fails on its own.
	return func() { _ = os.Remove(path) }, nil
}

// ReadRunFile returns the server recorded for the database at db, or
// ErrNoServer when none is.
func ReadRunFile(db string) (RunFile, error) {
	var rf RunFile
	b, err := os.ReadFile(RunFilePath(db))
	if errors.Is(err, fs.ErrNotExist) {
		return rf, ErrNoServer
	}
	if err != nil {
		return rf, err
	}
	if err := json.Unmarshal(b, &rf); err != nil || rf.URL == "" {
		return rf, fmt.Errorf("%s: not a server record (%v): delete it if no server runs", RunFilePath(db), err)
	}
	return rf, nil
}

// ErrNoServer is returned by ReadRunFile when no server is recorded.
var ErrNoServer = errors.New("no server recorded for this database")
