package feed

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"
)

// maxJSON bounds a JSON or GeoJSON file, which is read whole; larger exports
// should come as CSV, which is streamed.
const maxJSON = 512 << 20

// readJSON reads a JSON array of objects, or with geo a GeoJSON
// FeatureCollection whose features' properties are the objects.
func (bd *builder) readJSON(r io.Reader, file *File, geo bool) error {
	data, err := io.ReadAll(io.LimitReader(r, maxJSON+1))
	if err != nil {
		return err
	}
	if len(data) > maxJSON {
		return fmt.Errorf("larger than %d MiB; export the feed as CSV instead", maxJSON>>20)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return errors.New("empty file")
	}
	jr := &jsonReader{bd: bd, file: file, data: data, dec: json.NewDecoder(bytes.NewReader(data)),
		declared: map[string]bool{}, keys: map[string]bool{}}
	jr.dec.UseNumber()
	for _, n := range bd.declared() {
		jr.declared[strings.ToLower(strings.TrimSpace(n))] = false
	}
	if geo {
		err = jr.featureCollection()
	} else {
		err = jr.array(false)
	}
	if err != nil {
		return err
	}
	if _, err := jr.dec.Token(); err != io.EOF {
		return fmt.Errorf("line %d: text after the end of the JSON value", jr.lineAt(jr.dec.InputOffset()))
	}
	if file.Rows > 0 {
		var unseen []string
		for n, seen := range jr.declared {
			if !seen {
				unseen = append(unseen, fmt.Sprintf("%q", n))
			}
		}
		if len(unseen) > 0 {
			sort.Strings(unseen)
			return fmt.Errorf("no object has the keys %s, which the contract reads; check the contract's columns against the file", strings.Join(unseen, ", "))
		}
	}
	for k := range jr.keys {
		file.Dropped = append(file.Dropped, k)
	}
	sort.Strings(file.Dropped)
	return nil
}

type jsonReader struct {
	bd       *builder
	file     *File
	data     []byte
	dec      *json.Decoder
	declared map[string]bool // lower-case source key → seen in some object
	keys     map[string]bool // keys seen that the contract does not read
	line     int64           // line at offset off
	off      int64
}

// lineAt returns the line of byte offset off, which must not be before the
// last offset asked about.
func (jr *jsonReader) lineAt(off int64) int64 {
	if jr.line == 0 || off < jr.off {
		jr.line, jr.off = 1, 0
	}
	jr.line += int64(bytes.Count(jr.data[jr.off:off], []byte("\n")))
	jr.off = off
	return jr.line
}

func (jr *jsonReader) syntax(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("not valid JSON at line %d: %v", jr.lineAt(se.Offset), err)
	}
	return fmt.Errorf("not valid JSON: %v", err)
}

// array reads an array of objects (features, with geo), one row each.
func (jr *jsonReader) array(geo bool) error {
	tok, err := jr.dec.Token()
	if err != nil {
		return jr.syntax(err)
	}
	if tok != json.Delim('[') {
		if geo {
			return errors.New("features is not an array")
		}
		return errors.New("not a JSON array of objects (a GeoJSON file needs format: geojson)")
	}
	prev := jr.dec.InputOffset()
	for jr.dec.More() {
		var raw json.RawMessage
		if err := jr.dec.Decode(&raw); err != nil {
			return jr.syntax(err)
		}
		end := jr.dec.InputOffset()
		start := prev
		for start < end && strings.IndexByte(" \t\r\n,", jr.data[start]) >= 0 {
			start++
		}
		prev = end
		jr.element(jr.lineAt(start), raw, geo)
	}
	if _, err := jr.dec.Token(); err != nil {
		return jr.syntax(err)
	}
	return nil
}

// featureCollection reads a GeoJSON FeatureCollection, checking that a
// legacy crs member, if there is one, agrees with the contract.
func (jr *jsonReader) featureCollection() error {
	tok, err := jr.dec.Token()
	if err != nil {
		return jr.syntax(err)
	}
	if tok != json.Delim('{') {
		return errors.New("not a GeoJSON FeatureCollection object")
	}
	features := false
	for jr.dec.More() {
		tok, err := jr.dec.Token()
		if err != nil {
			return jr.syntax(err)
		}
		switch tok {
		case "features":
			features = true
			if err := jr.array(true); err != nil {
				return err
			}
			continue
		case "type", "crs":
			var v any
			if err := jr.dec.Decode(&v); err != nil {
				return jr.syntax(err)
			}
			if tok == "type" && v != "FeatureCollection" {
				return fmt.Errorf("GeoJSON type is %v, not FeatureCollection", v)
			}
			if c := jr.bd.f.Coordinates; tok == "crs" && c != nil && c.X == "" {
				if crs := namedCRS(v); crs != "" && crs != c.CRS {
					return fmt.Errorf("the file's crs member names %s but the contract says coordinates.crs: %s; correct the contract", crs, c.CRS)
				}
			}
		default:
			var skip json.RawMessage
			if err := jr.dec.Decode(&skip); err != nil {
				return jr.syntax(err)
			}
		}
	}
	if _, err := jr.dec.Token(); err != nil {
		return jr.syntax(err)
	}
	if !features {
		return errors.New("not a GeoJSON FeatureCollection: it has no features")
	}
	return nil
}

// namedCRS reads the CRS of a legacy GeoJSON crs member
// ({"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}).
func namedCRS(v any) string {
	m, _ := v.(map[string]any)
	p, _ := m["properties"].(map[string]any)
	name, _ := p["name"].(string)
	switch {
	case strings.HasSuffix(name, "27700"):
		return BNG
	case strings.HasSuffix(name, "4326"), strings.HasSuffix(name, "CRS84"):
		return WGS84
	}
	return ""
}

// element reads one array element as a row.
func (jr *jsonReader) element(line int64, raw []byte, geo bool) {
	if !utf8.Valid(raw) {
		jr.file.reject(line, "(not kept: not valid UTF-8 text)", "not valid UTF-8 text; if the export is Windows-1252, set encoding: windows-1252")
		return
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		jr.file.reject(line, "(not kept)", err.Error())
		return
	}
	obj, ok := v.(map[string]any)
	if !ok {
		jr.file.reject(line, "(not kept: not an object)", "not a JSON object")
		return
	}
	row := &jsonRow{obj: obj}
	if geo {
		props, ok := obj["properties"].(map[string]any)
		if !ok && obj["properties"] != nil {
			jr.file.reject(line, "(not kept)", "the feature's properties are not an object")
			return
		}
		row = &jsonRow{obj: props, geom: obj["geometry"], geo: true}
	}
	for k := range row.obj {
		if !jr.reads(k) && len(jr.keys) < 100 {
			jr.keys[k] = true
		}
	}
	for n := range jr.declared {
		if _, found := lookup(row.obj, n); found {
			jr.declared[n] = true
		}
	}
	jr.bd.add(jr.file, line, func() string { return jr.declaredOnly(row) }, row)
}

// declaredOnly writes an object back with only the keys the contract reads
// (and a feature's geometry).
func (jr *jsonReader) declaredOnly(row *jsonRow) string {
	kept := map[string]any{}
	for k, v := range row.obj {
		if jr.reads(k) {
			kept[k] = v
		}
	}
	var out any = kept
	if row.geo {
		out = map[string]any{"type": "Feature", "geometry": row.geom, "properties": kept}
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// reads reports whether the contract reads the key, or a dotted path under it.
func (jr *jsonReader) reads(key string) bool {
	if _, ok := jr.declared[strings.ToLower(key)]; ok {
		return true
	}
	return jr.prefixOfDeclared(key)
}

func (jr *jsonReader) prefixOfDeclared(key string) bool {
	for n := range jr.declared {
		if strings.HasPrefix(n, strings.ToLower(key)+".") {
			return true
		}
	}
	return false
}

// jsonRow is one JSON object (a feature's properties) as a source row.
type jsonRow struct {
	obj  map[string]any
	geom any
	geo  bool
}

func (r *jsonRow) value(name string) (string, error) {
	v, _ := lookup(r.obj, name)
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case json.Number:
		return string(v), nil
	case bool:
		if v {
			return "true", nil
		}
		return "false", nil
	case []any:
		return "", fmt.Errorf("%s is a JSON array, not a value", name)
	}
	return "", fmt.Errorf("%s is a JSON object, not a value", name)
}

func (r *jsonRow) geometry() (string, string, error) {
	if !r.geo {
		return "", "", errors.New("a JSON object has no geometry; declare coordinates.x and coordinates.y")
	}
	if r.geom == nil {
		return "", "", nil
	}
	g, _ := r.geom.(map[string]any)
	if t, _ := g["type"].(string); t != "Point" {
		return "", "", fmt.Errorf("geometry is a %v, not a Point", g["type"])
	}
	c, _ := g["coordinates"].([]any)
	if len(c) < 2 {
		return "", "", errors.New("the Point has no coordinates")
	}
	x, ok1 := c[0].(json.Number)
	y, ok2 := c[1].(json.Number)
	if !ok1 || !ok2 {
		return "", "", errors.New("the Point's coordinates are not numbers")
	}
	return string(x), string(y), nil
}

// lookup finds a key in obj: as written, then ignoring case, then as a
// dotted path into nested objects ("location.latitude").
func lookup(obj map[string]any, name string) (any, bool) {
	name = strings.TrimSpace(name)
	if v, ok := obj[name]; ok {
		return v, true
	}
	for k, v := range obj {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	if head, rest, ok := strings.Cut(name, "."); ok {
		if inner, ok := lookup(obj, head); ok {
			if m, ok := inner.(map[string]any); ok {
				return lookup(m, rest)
			}
		}
	}
	return nil, false
}
