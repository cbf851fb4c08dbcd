package ingest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"github.com/safercity/safercity/store"
)

// Area is one area of a boundary layer.
type Area struct{ Code, Name string }

// CheckLayer reads a boundary file and returns its areas and coordinate
// reference system, or why it cannot be used. The transform stage owns the
// geometry; ingest only asks it to check a file before storing it.
type CheckLayer func(geojson []byte, codeProp, nameProp string) (areas []Area, crs string, err error)

// BoundaryResult says what loading a layer did.
type BoundaryResult struct {
	Layer  string `json:"layer"`
	Path   string `json:"path"`
	Areas  int    `json:"areas"`
	CRS    string `json:"crs"`
	Status string `json:"status"` // loaded | replaced | unchanged
}

// maxBoundaryBytes bounds a boundary layer as read: all of England and
// Wales's LSOAs as GeoJSON are under 1 GiB even at full resolution.
const maxBoundaryBytes = 2 << 30

// Boundaries stores the GeoJSON boundary layer in path under the name layer,
// replacing an earlier version of the layer in one transaction. Identical
// bytes for the same layer and properties change nothing.
func Boundaries(ctx context.Context, st *store.Store, layer, path, codeProp, nameProp string, check CheckLayer) (BoundaryResult, error) {
	r := BoundaryResult{Layer: layer, Path: path}
	f, err := openFile(path)
	if err != nil {
		return r, fmt.Errorf("%s: %w", path, err)
	}
	b, err := io.ReadAll(&guard{ctx: ctx, r: f, limit: maxBoundaryBytes,
		advice: "simplify the layer, or load only the areas needed"})
	f.Close()
	if err != nil {
		return r, err
	}
	started := time.Now().UTC()
	sum := sha256.Sum256(b)
	sha := hex.EncodeToString(sum[:])
	areas, crs, err := check(b, codeProp, nameProp)
	if err != nil {
		return r, fmt.Errorf("%s: %w", path, err)
	}
	r.Areas, r.CRS = len(areas), crs
	var oldSHA, oldCode, oldName sql.NullString
	err = st.DB.QueryRowContext(ctx, `SELECT s.sha256, l.code_prop, l.name_prop FROM area_layers l JOIN sources s USING (source_id) WHERE l.layer = ?`, layer).
		Scan(&oldSHA, &oldCode, &oldName)
	switch {
	case err == sql.ErrNoRows:
		r.Status = StatusLoaded
	case err != nil:
		return r, err
	case oldSHA.String == sha && oldCode.String == codeProp && oldName.String == nameProp:
		r.Status = StatusUnchanged
		return r, nil
	default:
		r.Status = StatusReplaced
	}
	err = st.Tx(ctx, func(tx *store.Tx) error {
		var id int64
		if err := tx.QueryRow(`SELECT coalesce(max(source_id), 0) + 1 FROM sources`).Scan(&id); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE sources SET superseded_by = ? WHERE source_id = (SELECT source_id FROM area_layers WHERE layer = ?)`, id, layer); err != nil {
			return err
		}
		for _, q := range []string{`DELETE FROM area_layers WHERE layer = ?`, `DELETE FROM areas WHERE layer = ?`} {
			if _, err := tx.Exec(q, layer); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(`INSERT INTO sources (source_id, path, size, sha256, kind, rows_loaded, started, finished, status)
			VALUES (?, ?, ?, ?, 'boundaries', ?, ?, now()::TIMESTAMP, 'loaded')`, id, path, len(b), sha, len(areas), started); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO area_layers VALUES (?, ?, ?, ?, ?, ?, ?)`, layer, codeProp, nullIf(nameProp), crs, len(areas), string(b), id); err != nil {
			return err
		}
		for _, a := range areas {
			if _, err := tx.Exec(`INSERT INTO areas VALUES (?, ?, ?)`, layer, a.Code, nullIf(a.Name)); err != nil {
				return err
			}
		}
		return nil
	})
	return r, err
}

func nullIf(s string) any {
	if s == "" {
		return nil
	}
	return s
}
