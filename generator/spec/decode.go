package spec

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/swarmgen/swarmgen/generator/diag"
)

// Pos is where a value starts in the spec file.
type Pos struct{ Line, Col int }

// Positions maps a field path (workers[1].name) to where its value is.
type Positions map[string]Pos

// Lookup returns the position of path, or of its nearest parent that has
// one, so a defaulted field still points at the block it belongs to.
func (p Positions) Lookup(path string) Pos {
	for {
		if pos, ok := p[path]; ok {
			return pos
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return p[""]
		}
		path = path[:i]
	}
}

// keySuffix marks the position of a map key (not its value) in Positions.
const keySuffix = "@key"

// Key returns the position of the key of map entry path (labels.zone's
// "zone"), or Lookup(path) when it has none.
func (p Positions) Key(path string) Pos {
	if pos, ok := p[path+keySuffix]; ok {
		return pos
	}
	return p.Lookup(path)
}

// nodeDecoder is implemented by spec types that accept more than one YAML
// shape (a count or a list of nodes).
type nodeDecoder interface {
	decodeNode(d *decoder, n *yaml.Node, path string)
}

// decoder turns a yaml.Node tree into spec structs strictly: unknown
// fields, wrong types and duplicate keys are all errors, each with its
// position and field path, and decoding goes on so all are reported.
type decoder struct {
	file  string
	diags diag.List
	pos   Positions
}

var yamlNodeType = reflect.TypeOf(yaml.Node{})

func (d *decoder) errorf(n *yaml.Node, path, format string, args ...any) {
	d.diags.Add(diag.Diagnostic{File: d.file, Line: n.Line, Col: n.Column, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	n = resolve(n)
	d.pos[path] = Pos{n.Line, n.Column}
	if v.CanAddr() {
		if nd, ok := v.Addr().Interface().(nodeDecoder); ok {
			nd.decodeNode(d, n, path)
			return
		}
	}
	if v.Type() == yamlNodeType {
		v.Set(reflect.ValueOf(*n))
		return
	}
	if isNull(n) {
		return // an empty value leaves the field unset
	}
	switch v.Kind() {
	case reflect.Pointer:
		elem := reflect.New(v.Type().Elem())
		d.decode(n, elem.Elem(), path)
		v.Set(elem)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.errorf(n, path, "must be a list, got %s", describe(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.decode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(s)
	case reflect.Map:
		pairs, ok := d.mapping(n, path)
		if !ok {
			return
		}
		m := reflect.MakeMapWithSize(v.Type(), len(pairs))
		for _, p := range pairs {
			val := reflect.New(v.Type().Elem()).Elem()
			d.pos[joinPath(path, p.key)+keySuffix] = Pos{p.keyNode.Line, p.keyNode.Column}
			d.decode(p.value, val, joinPath(path, p.key))
			m.SetMapIndex(reflect.ValueOf(p.key), val)
		}
		v.Set(m)
	case reflect.String:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
			d.errorf(n, path, "must be a string, got %s%s", describe(n), quoteHint(n))
			return
		}
		if len(n.Value) > MaxStringBytes {
			d.errorf(n, path, "is %d bytes long; a string field holds at most %d", len(n.Value), MaxStringBytes)
			return
		}
		v.SetString(n.Value)
	case reflect.Int:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			hint := ""
			if _, err := strconv.ParseInt(n.Value, 10, 64); err == nil && n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
				hint = "; remove the quotes: " + n.Value
			}
			d.errorf(n, path, "must be a whole number, got %s%s", describe(n), hint)
			return
		}
		i, err := strconv.ParseInt(n.Value, 0, 64)
		if err != nil {
			d.errorf(n, path, "must be a whole number, got %s", diag.Quote(n.Value))
			return
		}
		v.SetInt(i)
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			d.errorf(n, path, "must be true or false, got %s", describe(n))
			return
		}
		b, _ := strconv.ParseBool(strings.ToLower(n.Value))
		v.SetBool(b)
	default:
		panic("spec: no decoder for " + v.Type().String())
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	pairs, ok := d.mapping(n, path)
	if !ok {
		return
	}
	fields := structFields(v.Type())
	for _, p := range pairs {
		f, ok := fields.byName[p.key]
		if !ok {
			if strings.HasPrefix(p.key, "x-") {
				continue // extension fields are the user's, as in compose
			}
			d.errorf(p.keyNode, joinPath(path, p.key), "unknown field%s", suggest(p.key, fields.names))
			continue
		}
		d.decode(p.value, v.Field(f.index), joinPath(path, p.key))
	}
}

type pair struct {
	key     string
	keyNode *yaml.Node
	value   *yaml.Node
}

// mapping returns the key/value pairs of a mapping node, with `<<` merge
// keys expanded (explicit keys win) and duplicate keys reported.
func (d *decoder) mapping(n *yaml.Node, path string) ([]pair, bool) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "must be a mapping (key: value), got %s", describe(n))
		return nil, false
	}
	var explicit, merged []pair
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := resolve(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, path, "keys must be plain strings, got %s", describe(k))
			continue
		}
		if len(k.Value) > MaxStringBytes {
			d.errorf(k, path, "a key of %d bytes; keys hold at most %d", len(k.Value), MaxStringBytes)
			continue
		}
		if k.Tag == "!!merge" {
			merged = append(merged, d.mergePairs(resolve(val), path)...)
			continue
		}
		if prev, dup := seen[k.Value]; dup {
			d.errorf(k, joinPath(path, k.Value), "duplicate key (first defined at line %d); remove one of them", prev.Line)
			continue
		}
		seen[k.Value] = k
		explicit = append(explicit, pair{k.Value, k, val})
	}
	for _, m := range merged {
		if _, ok := seen[m.key]; !ok {
			seen[m.key] = m.keyNode
			explicit = append(explicit, m)
		}
	}
	return explicit, true
}

func (d *decoder) mergePairs(val *yaml.Node, path string) []pair {
	var sources []*yaml.Node
	switch val.Kind {
	case yaml.MappingNode:
		sources = []*yaml.Node{val}
	case yaml.SequenceNode:
		for _, s := range val.Content {
			sources = append(sources, resolve(s))
		}
	default:
		d.errorf(val, path, "a merge key (<<) needs a mapping or a list of mappings, got %s", describe(val))
		return nil
	}
	var out []pair
	for _, s := range sources {
		pairs, ok := d.mapping(s, path)
		if ok {
			out = append(out, pairs...)
		}
	}
	return out
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str":
			return "the string " + diag.Quote(n.Value)
		case "!!int":
			return "the number " + n.Value
		case "!!float":
			return "the number " + n.Value
		case "!!bool":
			return "the boolean " + n.Value
		case "!!null":
			return "nothing (null)"
		}
		return strings.TrimPrefix(n.Tag, "!!") + " " + diag.Quote(n.Value)
	}
	return "an unsupported YAML node"
}

func quoteHint(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		return " (quote it: " + diag.Quote(n.Value) + ")"
	}
	return ""
}

type fieldInfo struct {
	index int
}

type fieldSet struct {
	byName map[string]fieldInfo
	names  []string
}

func structFields(t reflect.Type) fieldSet {
	fs := fieldSet{byName: map[string]fieldInfo{}}
	for i := 0; i < t.NumField(); i++ {
		name := yamlName(t.Field(i))
		if name == "" {
			continue
		}
		fs.byName[name] = fieldInfo{index: i}
		fs.names = append(fs.names, name)
	}
	return fs
}

// yamlName is a struct field's key in the spec, or "" when it has none.
func yamlName(f reflect.StructField) string {
	tag := f.Tag.Get("yaml")
	name, _, _ := strings.Cut(tag, ",")
	if name == "-" || !f.IsExported() {
		return ""
	}
	return name
}

// suggest names the closest known field, so a typo gets its fix, or
// else lists the known fields.
func suggest(key string, known []string) string {
	if s := Suggest(key, known); s != "" {
		return s
	}
	sorted := append([]string(nil), known...)
	sort.Strings(sorted)
	return " (known fields: " + strings.Join(sorted, ", ") + ")"
}

// Suggest returns ` (did you mean "NAME"?)` for the known name closest to
// key, or "" when none is close.
func Suggest(key string, known []string) string {
	best, bestDist := "", 1<<30
	for _, k := range known {
		if dist := levenshtein(strings.ToLower(key), strings.ToLower(k)); dist < bestDist {
			best, bestDist = k, dist
		}
	}
	if best != "" && bestDist <= max(2, len(key)/3) && best != key {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
