package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// RunFile is what a running server records beside its database, so that
// commands that find the database locked know where to ask instead.
type RunFile struct {
	URL     string    `json:"url"` // e.g. http://127.0.0.1:8080
	PID     int       `json:"pid"`
	Started time.Time `json:"started"`
	// Key is the server's LocalKey, kept apart in the key file, which its
	// owner alone can read: a command that reads it is on this machine and
	// may read beside the database, so the server answers it as it answers
	// its own machine, behind a proxy too. "" for whoever cannot read it.
	Key string `json:"-"`
}

// RunFilePath is the run file of the database at db.
func RunFilePath(db string) string { return db + ".serve" }

// KeyFilePath is the file of the local key of the server on the database
// at db.
func KeyFilePath(db string) string { return db + ".serve.key" }

// WriteRunFile records the server listening at addr with local key key
// for the database db, and returns a function that removes the record. A
// wildcard address (0.0.0.0, ::) is recorded as the loopback one, which is
// where a command on the same machine reaches it.
func WriteRunFile(db string, addr net.Addr, key string) (remove func(), err error) {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	rf := RunFile{URL: "http://" + net.JoinHostPort(host, port), PID: os.Getpid(), Started: time.Now().UTC()}
	b, err := json.Marshal(rf)
	if err != nil {
		return nil, err
	}
	if err := replaceFile(KeyFilePath(db), []byte(key+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("record the server's local key beside the database: %w", err)
	}
	if err := replaceFile(RunFilePath(db), append(b, '\n'), 0o644); err != nil {
		_ = os.Remove(KeyFilePath(db))
		return nil, fmt.Errorf("record the server's address beside the database: %w", err)
	}
	// A run file left behind is harmless: readers consult it only when the
	// database is locked, and a request to a gone server fails on its own.
	return func() {
		_ = os.Remove(RunFilePath(db))
		_ = os.Remove(KeyFilePath(db))
	}, nil
}

// replaceFile writes b to a new file of mode perm beside path and renames
// it over path: whatever was at path before (a file of another mode, a
// link planted by someone who can write the folder) is replaced, never
// written through.
func replaceFile(path string, b []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, perm)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
	return err
}

// ReadRunFile returns the server recorded for the database at db, with its
// local key when the key file can be read, or ErrNoServer when none is
// recorded.
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
	if k, err := os.ReadFile(KeyFilePath(db)); err == nil { // another user's server: no key, the loopback alone
		rf.Key = strings.TrimSpace(string(k))
	}
	return rf, nil
}

// ErrNoServer is returned by ReadRunFile when no server is recorded.
var ErrNoServer = errors.New("no server recorded for this database")
