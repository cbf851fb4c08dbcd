package main

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"

	"github.com/safercity/safercity/maps/mapfile"
	"github.com/safercity/safercity/serve"
)

// The commands here run beside a `safercity serve` that holds the
// database: they send their request to its API and write what it answers,
// which is byte for byte what they write when they open the database.

// sqlServer runs `safercity sql` through the server at base.
func sqlServer(ctx context.Context, e *env, base remote, stmt, format string) error {
	e.log.Info("the database is held by a running server: the statement goes through it", "server", base)
	q := url.Values{"format": {format}, "limit": {strconv.Itoa(serve.SQLMaxRows)}}
	body, h, err := apiCall(ctx, http.MethodPost, base, "/api/sql", q, []byte(stmt))
	if err != nil {
		return err
	}
	if h.Get(serve.HeaderTruncated) != "" {
		e.log.Warn("the server returns at most this many rows: the rest are left out; narrow the statement or add a LIMIT", "rows", h.Get(serve.HeaderRows))
	}
	_, err = e.stdout.Write(body)
	return err
}

// mapRequest is what export map asks of the server's map route.
type mapRequest struct {
	profile, month, force, format string
	crs                           int
	layer, class, background      string
	width, height                 int
}

func (r mapRequest) values() url.Values {
	q := url.Values{"format": {r.format}, "layer": {r.layer}, "class": {r.class},
		"width": {strconv.Itoa(r.width)}, "height": {strconv.Itoa(r.height)}}
	if r.crs != 0 {
		q.Set("crs", strconv.Itoa(r.crs))
	}
	for k, v := range map[string]string{"force": r.force, "background": r.background} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// exportMapServer runs `safercity export map` through the server at base
// and writes what it answers to out (and, for CSV, the .csvt and .prj
// beside it, which the server sends in one zip with the CSV).
func exportMapServer(ctx context.Context, e *env, base remote, r mapRequest, out string) error {
	e.log.Info("the database is held by a running server: the map comes through it", "server", base)
	month := r.month
	if month == "" {
		month = "latest"
	}
	body, h, err := apiCall(ctx, http.MethodGet, base, "/api/maps/"+url.PathEscape(r.profile)+"/"+url.PathEscape(month), r.values(), nil)
	if err != nil {
		return err
	}
	files := map[string][]byte{out: body}
	if serve.IsMapZip(h) {
		if files, err = unzipMap(body, out); err != nil {
			return fmt.Errorf("the server's map of %s: %w", r.profile, err)
		}
	}
	for path, b := range files {
		if err := writeFile(path, func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
			return err
		}
	}
	n, err := strconv.Atoi(h.Get(serve.HeaderFeatures))
	if err != nil {
		return fmt.Errorf("the server's map of %s: no feature count (%v): is the server an older safercity?", r.profile, err)
	}
	printMapWritten(e, out, n, h.Get(serve.HeaderProfile), h.Get(serve.HeaderMonth), r.format, h.Get(serve.HeaderCRS))
	return nil
}

// unzipMap reads the files of a multi-file map: the map itself goes to
// out, the others beside it with their extensions (.csvt, .prj).
func unzipMap(body []byte, out string) (map[string][]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	for i, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		path := out
		if i > 0 {
			path = mapfile.Sidecar(out, filepath.Ext(f.Name))
		}
		files[path] = b
	}
	return files, nil
}

// backtestServer runs `safercity hotspots backtest` through the server at
// base, which builds the profile from its own configuration.
func backtestServer(ctx context.Context, e *env, base remote, f *hotspotFlags) error {
	e.log.Info("the database is held by a running server: the back-test runs there, with the profile as the server's configuration defines it", "server", base)
	if *f.cfg != "" {
		e.log.Warn("--config (or SAFERCITY_CONFIG) is not read beside the server: the server's own configuration defines the profile", "config", *f.cfg)
	}
	q := url.Values{"format": {"text"}}
	if *f.asJSON {
		q.Set("format", "json")
	}
	if *f.force != "" {
		q.Set("force", *f.force)
	}
	for k, v := range map[string]float64{"cell": *f.cell, "band": *f.band, "bandwidth": *f.bandwidth} {
		if v != 0 {
			q.Set(k, strconv.FormatFloat(v, 'g', -1, 64))
		}
	}
	for k, v := range map[string]int{"inputs": *f.inputs, "window": *f.window} {
		if v != 0 {
			q.Set(k, strconv.Itoa(v))
		}
	}
	month := "all"
	if *f.month != "" {
		month = *f.month
	}
	body, _, err := apiCall(ctx, http.MethodGet, base, "/api/hotspots/"+url.PathEscape(*f.profile)+"/"+url.PathEscape(month)+"/backtest", q, nil)
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(body)
	return err
}
