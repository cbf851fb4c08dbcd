package serve

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/safercity/safercity/internal/names"
	"github.com/safercity/safercity/maps"
	"github.com/safercity/safercity/maps/mapdb"
	"github.com/safercity/safercity/maps/mapfile"
	"github.com/safercity/safercity/transform"
)

// Headers of a map answer: what `safercity export map` prints about the
// file it wrote.
const (
	HeaderFeatures = "X-Safercity-Features"
	HeaderProfile  = "X-Safercity-Profile"
	HeaderMonth    = "X-Safercity-Month"
	HeaderCRS      = "X-Safercity-Crs"
)

// maxPixels bounds a drawn map's width and height: a PNG is held in memory
// at four bytes a pixel.
const maxPixels = 5000

var mapContentTypes = map[string]string{
	"geojson": "application/geo+json",
	"json":    "application/geo+json",
	"kml":     "application/vnd.google-earth.kml+xml",
	"csv":     "application/zip", // the CSV with its .csvt and .prj
	"svg":     "image/svg+xml",
	"png":     "image/png",
}

// IsMapZip reports whether a map answer is a zip of several files (a CSV
// with its .csvt and .prj, in that order).
func IsMapZip(h http.Header) bool { return h.Get("Content-Type") == "application/zip" }

// A mapRequest is what GET /api/maps/{profile}/{month} asks for, with the
// options of `safercity export map`.
type mapRequest struct {
	o             mapdb.Options
	format        string
	crs           maps.CRS
	width, height int
}

// apiMap answers with a map file, byte for byte what `safercity export
// map` writes; a CSV comes as a zip holding the CSV, its .csvt and .prj.
func (s *Server) apiMap(w http.ResponseWriter, r *http.Request) {
	mr, err := s.mapRequest(r.Context(), r)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	mp, err := s.loadMap(r.Context(), mr.o)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	parts, err := mapfile.Parts(mr.format, mp, mr.crs, mr.width, mr.height)
	if err != nil {
		s.failErr(w, r, invalid("%v", err))
		return
	}
	name := mapFileName(mr.o, mr.format)
	body, err := mapBody(parts, name)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", mapContentTypes[mr.format])
	if len(parts) > 1 {
		name = name[:len(name)-len(mr.format)] + "zip"
	}
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set(HeaderFeatures, strconv.Itoa(len(mp.Features)))
	h.Set(HeaderProfile, mr.o.Profile)
	h.Set(HeaderMonth, mr.o.Month.Format("2006-01"))
	h.Set(HeaderCRS, mr.crs.String())
	w.Write(body)
}

// mapFileName is a map's file name: profile-month[-force].format.
func mapFileName(o mapdb.Options, format string) string {
	name := o.Profile + "-" + o.Month.Format("2006-01")
	if o.Force != "" {
		name += "-" + o.Force
	}
	return name + "." + format
}

// mapBody writes a map's one file, or its files into a zip, the map first.
func mapBody(parts []mapfile.Part, name string) ([]byte, error) {
	var b bytes.Buffer
	if len(parts) == 1 {
		err := parts[0].Write(&b)
		return b.Bytes(), err
	}
	zw := zip.NewWriter(&b)
	// A national CSV is tens of megabytes: the fastest compression costs a
	// fraction of the default's time and still shrinks it several times.
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	for _, p := range parts {
		fw, err := zw.Create(mapfile.Sidecar(name, p.Ext))
		if err != nil {
			return nil, err
		}
		if err := p.Write(fw); err != nil {
			return nil, err
		}
	}
	err := zw.Close()
	return b.Bytes(), err
}

// mapRequest reads and checks a map request as export map checks its
// flags: the format and the coordinate systems it holds, the class, the
// month (YYYY-MM, or latest: the latest enriched month), and the profile
// and force against those the store holds.
func (s *Server) mapRequest(ctx context.Context, r *http.Request) (mapRequest, error) {
	q := r.URL.Query()
	var mr mapRequest
	var err error
	if mr.format, err = single(q, "format", "geojson"); err != nil {
		return mr, err
	}
	if err := mapfile.Check(mr.format); err != nil {
		return mr, invalid("%v", err)
	}
	code, err := intParam(q, "crs", 0, 0, 1<<20, "an EPSG code, 4326 or 27700")
	if err != nil {
		return mr, err
	}
	if mr.crs, err = mapfile.CRS(mr.format, code); err != nil {
		return mr, invalid("%v", err)
	}
	if mr.width, err = intParam(q, "width", maps.DefaultWidth, 0, maxPixels, "pixels"); err != nil {
		return mr, err
	}
	if mr.height, err = intParam(q, "height", maps.DefaultHeight, 0, maxPixels, "pixels"); err != nil {
		return mr, err
	}
	o := mapdb.Options{Profile: r.PathValue("profile"), DrawOnly: mapfile.Draws(mr.format)}
	for key, dst := range map[string]*string{"force": &o.Force, "layer": &o.Layer, "class": &o.Class, "background": &o.Background} {
		if *dst, err = single(q, key, ""); err != nil {
			return mr, err
		}
	}
	if o.Class != "" {
		if err := mapdb.CheckClass(o.Class); err != nil {
			return mr, invalid("%v", err)
		}
	}
	if o.Month, err = s.mapMonth(ctx, r.PathValue("month")); err != nil {
		return mr, err
	}
	if err := mapdb.ResolveNames(ctx, s.st, &o); errors.Is(err, names.ErrUnknown) {
		return mr, invalid("%v", err)
	} else if err != nil {
		return mr, err
	}
	mr.o = o
	return mr, s.checkStoredMap(ctx, o)
}

// mapMonth is a map's month: YYYY-MM, or latest.
func (s *Server) mapMonth(ctx context.Context, month string) (time.Time, error) {
	if month != "latest" {
		return parseMonth(month)
	}
	m, err := transform.LatestMonth(ctx, s.st)
	if errors.Is(err, transform.ErrNotEnriched) {
		return m, notFound("%v", err)
	}
	return m, err
}

// intParam reads a whole-number parameter from lo to hi, or def.
func intParam(q map[string][]string, key string, def, lo, hi int, what string) (int, error) {
	v, err := single(q, key, strconv.Itoa(def))
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, invalid("%s %.20q: want %s, a whole number from %d to %d", key, v, what, lo, hi)
	}
	return n, nil
}
