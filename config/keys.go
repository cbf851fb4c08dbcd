package config

import (
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/safercity/safercity/internal/names"
)

// checkKeys reports the first key in the file that names no setting, with
// its line and the nearest setting of its section: the YAML decoder's own
// message names a Go type instead.
func checkKeys(n *yaml.Node, t reflect.Type, section string) error {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	switch t.Kind() {
	case reflect.Pointer:
		return checkKeys(n, t.Elem(), section)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return nil // a wrong type is the decoder's to report
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := checkKeys(n.Content[i+1], t.Elem(), section+"."+n.Content[i].Value); err != nil {
				return err
			}
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return nil
		}
		for i, e := range n.Content {
			if err := checkKeys(e, t.Elem(), fmt.Sprintf("%s[%d]", section, i)); err != nil {
				return err
			}
		}
	case reflect.Struct:
		if t == reflect.TypeFor[yaml.Node]() || n.Kind != yaml.MappingNode {
			return nil // yaml.Node holds anything (the feed contracts, read by ingest/feed)
		}
		return checkSection(n, t, section)
	}
	return nil
}

// checkSection checks the keys of a mapping read into struct type t.
func checkSection(n *yaml.Node, t reflect.Type, section string) error {
	fields := map[string]reflect.Type{}
	var known []string
	inline := false // an inline map takes any other key (schedule's job names)
	for i := range t.NumField() {
		f := t.Field(i)
		tag, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		switch {
		case !f.IsExported() || tag == "-":
		case strings.Contains(opts, "inline"):
			inline = true
		default:
			fields[tag] = f.Type
			known = append(known, tag)
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		key := strings.TrimPrefix(section+"."+k.Value, ".")
		ft, ok := fields[k.Value]
		switch {
		case !ok && inline:
		case !ok:
			if section == "" {
				return fmt.Errorf("line %d: %w", k.Line, names.Check("setting", k.Value, known))
			}
			return fmt.Errorf("line %d: %s: %w", k.Line, strings.TrimPrefix(section, "."), names.Check("setting", k.Value, known))
		default:
			if err := checkKeys(n.Content[i+1], ft, key); err != nil {
				return err
			}
		}
	}
	return nil
}
