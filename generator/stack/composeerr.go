package stack

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/compose-spec/compose-go/v2/errdefs"
	"github.com/compose-spec/compose-go/v2/schema"
	"gopkg.in/yaml.v3"

	"github.com/swarmgen/swarmgen/generator/diag"
	"github.com/swarmgen/swarmgen/generator/spec"
)

// compose-go's error messages, each turned into a diagnostic at the line
// of the field it is about, with what to do.
var (
	// 'services[web].deploy.resources.limits.memory' invalid size: 'lots'
	decodeErrRe = regexp.MustCompile(`^'([^']+)' (.*)$`)
	// error while interpolating services.web.deploy.replicas: failed to cast ...
	interpolateErrRe = regexp.MustCompile(`^error while interpolating (\S+): (.*)$`)
	castErrRe        = regexp.MustCompile(`^failed to cast to expected type: strconv\.(Atoi|ParseInt|ParseUint|ParseFloat|ParseBool): parsing "(.*)": .*$`)
	// service "web" refers to undefined network back
	undefinedRefRe = regexp.MustCompile(`^service "([^"]+)" refers to undefined (network|volume|config|secret) (.+)$`)
	// service "web" depends on undefined service "db"
	dependsErrRe = regexp.MustCompile(`^service "([^"]+)" depends on undefined service "([^"]+)"$`)
	// services.web.imag false schema
	falseSchemaRe = regexp.MustCompile(`^(\S+) false schema$`)
	// services.web additional properties 'imag' not allowed
	additionalRe = regexp.MustCompile(`^(\S+) additional propert(?:y|ies) '([^']+)'.* not allowed$`)
	// services.web.deploy.replicas must be a integer
	schemaErrRe = regexp.MustCompile(`^((?:services|networks|volumes|configs|secrets|version|name)(?:\.\S+)?) (.+)$`)
	// Invalid containerPort: abc (from the short port syntax parser)
	portErrRe = regexp.MustCompile(`^(?:Invalid [A-Za-z ]+|invalid [A-Za-z ]+|Invalid range specified for [A-Za-z ]+): ?(.*)$`)
	// any message naming a service
	serviceNameRe = regexp.MustCompile(`service "([^"]+)"`)
	bracketRe     = regexp.MustCompile(`\[([^\]]*)\]`)
)

// fromCompose turns a compose-go error into diagnostics, each at the line
// of the field it names, when it names one.
func (s source) fromCompose(err error) diag.List {
	msg := err.Error()
	msg = strings.TrimSuffix(msg, ": "+errdefs.ErrInvalid.Error())
	msg = strings.TrimPrefix(msg, "validating stack.yml: ")
	if rest, ok := strings.CutPrefix(msg, "decoding failed due to the following error(s):"); ok {
		var out diag.List
		for _, line := range strings.Split(rest, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				out.Add(s.composeMessage(line))
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return diag.List{s.composeMessage(msg)}
}

func (s source) composeMessage(msg string) diag.Diagnostic {
	if m := decodeErrRe.FindStringSubmatch(msg); m != nil {
		path := bracketRe.ReplaceAllString(m[1], ".$1")
		text := m[2]
		if size, ok := strings.CutPrefix(text, "invalid size: "); ok {
			text = fmt.Sprintf("must be a size such as 512m or 1g, got %s", size)
		}
		return s.atPath(path, false, "%s", text)
	}
	if m := interpolateErrRe.FindStringSubmatch(msg); m != nil {
		return s.atPath(m[1], false, "%s", castHint(m[2]))
	}
	if m := undefinedRefRe.FindStringSubmatch(msg); m != nil {
		svc, kind, name := m[1], m[2], m[3]
		path := "services." + svc + "." + kind + "s"
		n := refEntry(s.lookupValue(path), kind, name)
		extra := ""
		if kind == "network" {
			extra = " (with external: true for a network the lab creates from the spec's networks:)"
		}
		return s.at(n, path, diag.Error, "%s %q is not declared in the stack's top-level %ss: section; declare it there%s", kind, name, kind, extra)
	}
	if m := dependsErrRe.FindStringSubmatch(msg); m != nil {
		path := "services." + m[1] + ".depends_on"
		n := refEntry(s.lookupValue(path), "service", m[2])
		return s.at(n, path, diag.Error, "depends on %q, which is not a service of this stack; remove it or add that service", m[2])
	}
	if m := falseSchemaRe.FindStringSubmatch(msg); m != nil {
		return s.unknownField(m[1])
	}
	if m := additionalRe.FindStringSubmatch(msg); m != nil {
		return s.unknownField(m[1] + "." + m[2])
	}
	if m := schemaErrRe.FindStringSubmatch(msg); m != nil {
		text := strings.ReplaceAll(m[2], "must be a integer", "must be a whole number")
		return s.atPath(m[1], false, "%s", text)
	}
	if m := portErrRe.FindStringSubmatch(msg); m != nil && m[1] != "" {
		if path, n := s.findPort(m[1]); n != nil {
			return s.at(n, path, diag.Error, "%q is not a port (%s); write PUBLISHED:TARGET, e.g. \"8080:80\", a TARGET alone, or the long syntax {published: 8080, target: 80}", n.Value, lowerFirst(msg))
		}
	}
	if m := serviceNameRe.FindStringSubmatch(msg); m != nil {
		path := "services." + m[1]
		return s.at(s.lookupKey(path), path, diag.Error, "%s", msg)
	}
	return s.at(s.root, "", diag.Error, "%s", msg)
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// castHint rewrites "failed to cast to expected type: strconv.Atoi: ..."
// as what the field must be.
func castHint(msg string) string {
	m := castErrRe.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	what := "a whole number"
	switch m[1] {
	case "ParseFloat":
		what = "a number"
	case "ParseBool":
		what = "true or false"
	}
	return fmt.Sprintf("must be %s, got %q", what, m[2])
}

// atPath reports msg at the node path names (its key when key is true),
// or at the deepest part of path that exists.
func (s source) atPath(path string, key bool, format string, args ...any) diag.Diagnostic {
	k, v, _ := s.lookup(path)
	n := v
	if key || n == nil {
		n = k
	}
	return s.at(n, path, diag.Error, format, args...)
}

func (s source) unknownField(path string) diag.Diagnostic {
	segs := strings.Split(path, ".")
	field := segs[len(segs)-1]
	hint := ""
	if known := schemaFields(segs[:len(segs)-1]); len(known) > 0 {
		hint = spec.Suggest(field, known)
	}
	return s.atPath(path, true, "unknown field%s", hint)
}

// lookupValue returns the value at path, or nil.
func (s source) lookupValue(path string) *yaml.Node {
	_, v, full := s.lookup(path)
	if !full {
		return nil
	}
	return v
}

// lookupKey returns the key node at path, or the deepest that exists.
func (s source) lookupKey(path string) *yaml.Node {
	k, _, _ := s.lookup(path)
	return k
}

// lookup follows a dotted path (list items by index) as far as it goes
// and returns the key and value nodes where it stopped, and whether it
// went all the way. A key holding dots (a service named a.b) matches too.
func (s source) lookup(path string) (key, value *yaml.Node, full bool) {
	segs := strings.Split(path, ".")
	n := s.root
	key = s.root
	for i := 0; i < len(segs); {
		n = resolve(n)
		matched := 0
		switch n.Kind {
		case yaml.MappingNode:
			for j := len(segs); j > i; j-- {
				name := strings.Join(segs[i:j], ".")
				if k := getKey(n, name); k != nil {
					key, n, matched = k, get(n, name), j-i
					break
				}
			}
		case yaml.SequenceNode:
			if idx, err := strconv.Atoi(segs[i]); err == nil && idx >= 0 && idx < len(n.Content) {
				n = resolve(n.Content[idx])
				key, matched = n, 1
			}
		}
		if matched == 0 {
			return key, nil, false
		}
		i += matched
	}
	return key, n, true
}

// refEntry finds the entry naming name in a service's list of networks,
// volumes, configs, secrets or depends_on, in short or long syntax.
func refEntry(list *yaml.Node, kind, name string) *yaml.Node {
	if list == nil {
		return nil
	}
	switch list.Kind {
	case yaml.MappingNode:
		if k := getKey(list, name); k != nil {
			return k
		}
	case yaml.SequenceNode:
		for _, item := range list.Content {
			item = resolve(item)
			switch item.Kind {
			case yaml.ScalarNode:
				v := item.Value
				if kind == "volume" {
					v, _, _ = strings.Cut(v, ":")
				}
				if v == name {
					return item
				}
			case yaml.MappingNode:
				if src := get(item, "source"); src != nil && src.Value == name {
					return item
				}
			}
		}
	}
	return list
}

// findPort finds the short-syntax port holding bad, for errors of the
// port parser that name no service.
func (s source) findPort(bad string) (string, *yaml.Node) {
	names, services := mapEntries(get(s.root, "services"))
	for i, svc := range services {
		ports := get(svc, "ports")
		if ports == nil || ports.Kind != yaml.SequenceNode {
			continue
		}
		for j, p := range ports.Content {
			if p = resolve(p); p.Kind == yaml.ScalarNode && strings.Contains(p.Value, bad) {
				return fmt.Sprintf("services.%s.ports[%d]", names[i], j), p
			}
		}
	}
	return "", nil
}

var (
	schemaOnce sync.Once
	schemaRoot map[string]any
)

// schemaFields returns the field names the compose schema allows at path
// (e.g. services.web: image, deploy, ports...), for typo suggestions.
func schemaFields(path []string) []string {
	schemaOnce.Do(func() { _ = json.Unmarshal([]byte(schema.Schema), &schemaRoot) })
	if schemaRoot == nil {
		return nil
	}
	nodes := []map[string]any{schemaRoot}
	for _, seg := range path {
		var next []map[string]any
		for _, n := range nodes {
			next = append(next, schemaChildren(n, seg, 0)...)
		}
		nodes = next
	}
	set := map[string]bool{}
	for _, n := range nodes {
		collectProps(n, set, 0)
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func schemaRef(n map[string]any) map[string]any {
	ref, ok := n["$ref"].(string)
	if !ok {
		return n
	}
	name := strings.TrimPrefix(ref, "#/$defs/")
	defs, _ := schemaRoot["$defs"].(map[string]any)
	if d, ok := defs[name].(map[string]any); ok {
		return d
	}
	return n
}

// variants are a schema's alternatives and parts (allOf, anyOf, oneOf).
func variants(n map[string]any) []map[string]any {
	var out []map[string]any
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		list, _ := n[k].([]any)
		for _, v := range list {
			if m, ok := v.(map[string]any); ok {
				out = append(out, schemaRef(m))
			}
		}
	}
	return out
}

func schemaChildren(n map[string]any, seg string, depth int) []map[string]any {
	if depth > 8 {
		return nil
	}
	n = schemaRef(n)
	var out []map[string]any
	if props, ok := n["properties"].(map[string]any); ok {
		if c, ok := props[seg].(map[string]any); ok {
			out = append(out, schemaRef(c))
		}
	}
	if pats, ok := n["patternProperties"].(map[string]any); ok {
		for pat, c := range pats {
			if re, err := regexp.Compile(pat); err == nil && re.MatchString(seg) && !strings.HasPrefix(pat, "^x-") {
				if cm, ok := c.(map[string]any); ok {
					out = append(out, schemaRef(cm))
				}
			}
		}
	}
	if add, ok := n["additionalProperties"].(map[string]any); ok {
		out = append(out, schemaRef(add))
	}
	if items, ok := n["items"].(map[string]any); ok {
		if _, err := strconv.Atoi(seg); err == nil {
			out = append(out, schemaRef(items))
		}
	}
	for _, v := range variants(n) {
		out = append(out, schemaChildren(v, seg, depth+1)...)
	}
	return out
}

func collectProps(n map[string]any, set map[string]bool, depth int) {
	if depth > 8 {
		return
	}
	n = schemaRef(n)
	if props, ok := n["properties"].(map[string]any); ok {
		for k := range props {
			set[k] = true
		}
	}
	for _, v := range variants(n) {
		collectProps(v, set, depth+1)
	}
}
