package config

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Pos is a place in the config file.
type Pos struct{ Line, Col int }

// Error is one problem in a config file, reported as
// `file:line:col: path: message` so editors can jump to it.
type Error struct {
	File string
	Pos  Pos
	Path string // e.g. health[2].timeout
	Msg  string
}

func (e Error) Error() string {
	loc := e.File
	if e.Pos.Line > 0 {
		loc = fmt.Sprintf("%s:%d:%d", e.File, e.Pos.Line, e.Pos.Col)
	}
	if e.Path == "" {
		return loc + ": " + e.Msg
	}
	return loc + ": " + e.Path + ": " + e.Msg
}

// Errors is every problem found in one file, in file order.
type Errors []Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// decoder maps a YAML node tree onto Go values by their `yaml` tags,
// remembering where every value came from and collecting every error
// instead of stopping at the first.
type decoder struct {
	file string
	pos  map[string]Pos // path -> position of the value (keys: position of the key)
	errs Errors
}

func (d *decoder) errorf(path string, p Pos, format string, args ...any) {
	d.errs = append(d.errs, Error{File: d.file, Pos: p, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func nodePos(n *yaml.Node) Pos { return Pos{n.Line, n.Column} }

func join(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

var durationType = reflect.TypeOf(Duration(0))

// decode fills v (addressable) from n.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	d.pos[path] = nodePos(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // leave the zero value
	}
	if v.Type() == durationType {
		d.scalar(n, path, "a duration like 2s or 500ms", func(s string) bool {
			dur, err := time.ParseDuration(s)
			if err != nil {
				return false
			}
			v.SetInt(int64(dur))
			return true
		})
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, v.Elem(), path)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			// A single value where a list is expected is accepted as a
			// list of one (expect: {status: 200} or status: [200, 204]).
			if n.Kind == yaml.ScalarNode && v.Type().Elem().Kind() != reflect.Struct {
				v.Set(reflect.MakeSlice(v.Type(), 1, 1))
				d.decode(n, v.Index(0), path)
				return
			}
			d.errorf(path, nodePos(n), "expected a list, got %s", describe(n))
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content)))
		for i, c := range n.Content {
			d.decode(c, v.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			d.errorf(path, nodePos(n), "expected a mapping of names to values, got %s", describe(n))
			return
		}
		v.Set(reflect.MakeMap(v.Type()))
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			elem := reflect.New(v.Type().Elem()).Elem()
			d.decode(val, elem, join(path, k.Value))
			v.SetMapIndex(reflect.ValueOf(k.Value), elem)
		}
	case reflect.String:
		d.scalar(n, path, "a string", func(s string) bool { v.SetString(s); return true })
	case reflect.Bool:
		d.scalar(n, path, "true or false", func(s string) bool {
			b, err := strconv.ParseBool(s)
			if err != nil || n.Tag != "!!bool" {
				return false
			}
			v.SetBool(b)
			return true
		})
	case reflect.Int, reflect.Int64:
		d.scalar(n, path, "a whole number", func(s string) bool {
			i, err := strconv.ParseInt(s, 0, 64)
			if err != nil || n.Tag != "!!int" {
				return false
			}
			v.SetInt(i)
			return true
		})
	case reflect.Float64:
		d.scalar(n, path, "a number", func(s string) bool {
			if n.Tag != "!!int" && n.Tag != "!!float" {
				return false
			}
			f, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(f) {
				return false
			}
			v.SetFloat(f)
			return true
		})
	default:
		panic(fmt.Sprintf("config: unsupported field type %s at %s", v.Type(), path))
	}
}

func (d *decoder) scalar(n *yaml.Node, path, want string, set func(string) bool) {
	if n.Kind != yaml.ScalarNode || !set(n.Value) {
		d.errorf(path, nodePos(n), "expected %s, got %s", want, describe(n))
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.errorf(path, nodePos(n), "expected a mapping (key: value), got %s", describe(n))
		return
	}
	fields := structFields(v.Type())
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		idx, ok := fields[k.Value]
		if !ok {
			d.errorf(join(path, k.Value), nodePos(k), "unknown key %q; known keys: %s", k.Value, knownKeys(fields))
			continue
		}
		if seen[k.Value] {
			d.errorf(join(path, k.Value), nodePos(k), "key %q appears twice", k.Value)
			continue
		}
		seen[k.Value] = true
		d.decode(val, v.Field(idx), join(path, k.Value))
		d.pos[join(path, k.Value)+"#key"] = nodePos(k)
	}
}

func structFields(t reflect.Type) map[string]int {
	m := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		tag := t.Field(i).Tag.Get("yaml")
		name, _, _ := strings.Cut(tag, ",")
		if name == "" || name == "-" {
			continue
		}
		m[name] = i
	}
	return m
}

func knownKeys(fields map[string]int) string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		v := n.Value
		if len(v) > 40 {
			v = v[:40] + "…"
		}
		return fmt.Sprintf("%q", v)
	}
	return "something else"
}
