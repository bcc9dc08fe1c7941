package spec

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// SchemaID names the schema of this spec version.
const SchemaID = "https://swarmgen.dev/schema/" + "v1alpha1.json"

// JSONSchema returns the JSON Schema (draft 2020-12) of the spec, built
// from the Go types and their desc tags so it can never drift from them.
func JSONSchema() ([]byte, error) {
	root := objectSchema(reflect.TypeOf(Spec{}))
	root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	root["$id"] = SchemaID
	root["title"] = "swarmgen lab spec (swarm.yaml)"
	// JSON Schema has no word for these; swarmgen refuses them before any other check
	root["$comment"] = fmt.Sprintf("swarmgen also refuses a spec of more than %d bytes, more than %d YAML nodes with aliases expanded, or values nested more than %d levels deep", MaxSpecBytes, MaxYAMLNodes, MaxYAMLDepth)
	props := root["properties"].(map[string]any)
	props["apiVersion"].(map[string]any)["const"] = APIVersion
	props["kind"].(map[string]any)["const"] = Kind
	return json.MarshalIndent(root, "", "  ")
}

var (
	nodeGroupType  = reflect.TypeOf(NodeGroup{})
	visualizerType = reflect.TypeOf(Visualizer{})
)

func typeSchema(t reflect.Type) map[string]any {
	switch {
	case t == nodeGroupType:
		return map[string]any{"oneOf": []any{
			map[string]any{"type": "integer", "minimum": 0, "maximum": MaxNodes},
			map[string]any{"type": "array", "maxItems": MaxNodes, "items": objectSchema(reflect.TypeOf(Node{}))},
		}}
	case t == visualizerType:
		return map[string]any{"oneOf": []any{
			map[string]any{"type": "string", "maxLength": MaxStringBytes},
			objectSchema(t),
		}}
	case t == yamlNodeType:
		return map[string]any{"type": "object"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return typeSchema(t.Elem())
	case reflect.Struct:
		return objectSchema(t)
	case reflect.Slice:
		return map[string]any{"type": "array", "items": typeSchema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": typeSchema(t.Elem())}
	case reflect.String:
		return map[string]any{"type": "string", "maxLength": MaxStringBytes}
	case reflect.Int:
		return map[string]any{"type": "integer"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	}
	panic("spec: no schema for " + t.String())
}

func objectSchema(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := yamlName(f)
		if name == "" {
			continue
		}
		s := typeSchema(f.Type)
		if d := f.Tag.Get("desc"); d != "" {
			s["description"] = d
		}
		if e := f.Tag.Get("enum"); e != "" {
			s["enum"] = strings.Split(e, ",")
		}
		if f.Tag.Get("required") == "true" {
			required = append(required, name)
		}
		props[name] = s
	}
	out := map[string]any{
		"type":                 "object",
		"properties":           props,
		"additionalProperties": false,
		"patternProperties":    map[string]any{"^x-": map[string]any{}},
	}
	if required != nil {
		out["required"] = required
	}
	return out
}

// Field is one documented spec field, for the reference in docs/spec.md.
type Field struct {
	Path, Type, Desc string
}

// Fields lists every spec field with its description, depth first.
func Fields() []Field {
	var out []Field
	walkFields(reflect.TypeOf(Spec{}), "", &out)
	return out
}

func walkFields(t reflect.Type, prefix string, out *[]Field) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := yamlName(f)
		if name == "" {
			continue
		}
		path := prefix + name
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		*out = append(*out, Field{Path: path, Type: typeName(ft), Desc: f.Tag.Get("desc")})
		switch {
		case ft == nodeGroupType:
			walkFields(reflect.TypeOf(Node{}), path+"[].", out)
		case ft.Kind() == reflect.Struct && ft != yamlNodeType:
			walkFields(ft, path+".", out)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			walkFields(ft.Elem(), path+"[].", out)
		}
	}
}

func typeName(t reflect.Type) string {
	switch {
	case t == nodeGroupType:
		return "number or list"
	case t == visualizerType:
		return "string or mapping"
	case t == yamlNodeType:
		return "compose mapping"
	}
	switch t.Kind() {
	case reflect.Struct:
		return "mapping"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Struct {
			return "list of mappings"
		}
		return "list of " + typeName(t.Elem()) + "s"
	case reflect.Map:
		return "mapping of strings"
	case reflect.Int:
		return "number"
	case reflect.Bool:
		return "boolean"
	}
	return t.Kind().String()
}
