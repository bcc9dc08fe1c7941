package golden

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/compose-spec/compose-go/v2/template"
	"github.com/distribution/reference"
	"github.com/pmezard/go-difflib/difflib"
	"mvdan.cc/sh/v3/syntax"

	"github.com/swarmgen/swarmgen/generator"
	"github.com/swarmgen/swarmgen/internal/testkit/goldenfile"
)

var _ = goldenfile.Update

// fuzzSpec is a lab in which every spec field that reaches bootstrap.sh
// or teardown.sh is a {{placeholder}}. Values are written as JSON strings
// (valid YAML double-quoted scalars, always one line), so no value can
// move another: the scripts' one position-dependent text, the line of
// routing_mesh, is the same for every value.
const fuzzSpec = `apiVersion: swarmgen.dev/v1alpha1
kind: Lab
routing_mesh: true
name: {{name}}
bind_address: {{bind_address}}
lab_network: {subnet: {{lab_subnet}}}
registry: {data: {{registry_data}}, image: {{registry_image}}}
nodes: {image: {{node_image}}}
managers:
  - name: {{manager}}
    labels: {{{label_key}}: {{label_value}}}
    ports: [{{node_port}}]
workers:
  - name: {{worker}}
    address: {{worker_address}}
    image: {{worker_image}}
    volumes: [{{worker_volume}}]
images:
  - source: {{image_source}}
    name: {{image_name}}
  - build: {{build}}
    dockerfile: {{dockerfile}}
    name: {{build_name}}
networks:
  - name: {{network}}
    subnet: {{network_subnet}}
stacks:
  - name: {{stack}}
    deploy_as: {{deploy_as}}
    services:
      web:
        image: {{stack_image}}
        deploy:
          placement:
            constraints: [{{stack_constraint}}]
services:
  - name: {{service}}
    image: {{service_image}}
    ports: [{{service_port}}]
    networks: [{{network}}]
    constraints: [{{constraint}}]
    environment: {{{env_key}}: {{env_value}}}
    args: [{{arg}}, {{arg2}}]
`

// fuzzFields are the placeholders with the harmless values the reference
// lab is rendered with.
var fuzzFields = []struct{ name, harmless string }{
	{"name", "lab"},
	{"bind_address", "127.0.0.1"},
	{"lab_subnet", "10.250.0.0/24"},
	{"registry_data", "registry-data"},
	{"registry_image", "registry:3.0.0"},
	{"node_image", "docker:28.5.2-dind"},
	{"manager", "m1"},
	{"label_key", "zone"},
	{"label_value", "a"},
	{"node_port", "8000:80"},
	{"worker", "w1"},
	{"worker_address", "10.250.0.30"},
	{"worker_image", "docker:27-dind"},
	{"worker_volume", "./data:/data:ro"},
	{"image_source", "src/img:1"},
	{"image_name", "img:1"},
	{"build", "app"},
	{"dockerfile", "Dockerfile"},
	{"build_name", "built:1"},
	{"network", "net"},
	{"network_subnet", "10.251.0.0/24"},
	{"stack", "st"},
	{"deploy_as", "dep"},
	{"stack_image", "nginx:1"},
	{"stack_constraint", "node.role == worker"},
	{"service", "svc"},
	{"service_image", "registry:5000/img:1"},
	{"service_port", "9000:80"},
	{"constraint", "node.labels.zone == a"},
	{"env_key", "KEY"},
	{"env_value", "value"},
	{"arg", "arg"},
	{"arg2", "--flag=x"},
}

// twin is the harmless value that gives a script of the same shape as v
// in field name: the harmless one, but for what legitimately changes the
// script's commands: an empty value (the field is unset), the protocol
// of a port (a udp port has no http:// URL in the summary) and a stack
// image with a variable (not mirrored).
func twin(name, v string) string {
	harmless := ""
	for _, f := range fuzzFields {
		if f.name == name {
			harmless = f.harmless
		}
	}
	switch {
	case v == "":
		return ""
	case strings.HasSuffix(name, "_port") && strings.HasSuffix(v, "/udp"):
		return harmless + "/udp"
	case name == "stack_image":
		// a stack file is interpolated (with no environment: defaults only)
		img, err := template.Substitute(v, func(string) (string, bool) { return "", false })
		if err != nil {
			return "nginx:${TAG}"
		}
		return imageTwin(img)
	case name == "service_image":
		return imageTwin(v)
	}
	return harmless
}

// imageTwin is an image of the same kind as img: the lab registry's, a
// Docker Hub one (a mirror record), another registry's (an OUTSIDE
// record), or none of them (an invalid one, whose stack validation
// refuses, or one the stack leaves to deploy time).
func imageTwin(img string) string {
	named, err := reference.ParseNormalizedNamed(img)
	switch {
	case err != nil || strings.Contains(img, "$"):
		return "nginx:${TAG}"
	case strings.HasPrefix(img, "registry:5000/") || strings.HasPrefix(img, "localhost:5000/"):
		return "registry:5000/img:1"
	case reference.Domain(named) == "docker.io":
		return "nginx:1"
	}
	return "ghcr.io/o/img:1"
}

var placeholderRe = regexp.MustCompile(`\{\{(\w+)\}\}`)

// fuzzRender renders the fuzz lab with values (placeholder -> value; the
// harmless value for the others) in dir, and returns its scripts, or nil
// when the spec is refused.
func fuzzRender(t *testing.T, dir string, values map[string]string) map[string][]byte {
	t.Helper()
	spec := placeholderRe.ReplaceAllStringFunc(fuzzSpec, func(m string) string {
		name := m[2 : len(m)-2]
		v, ok := values[name]
		if !ok {
			for _, f := range fuzzFields {
				if f.name == name {
					v = f.harmless
				}
			}
		}
		q, _ := json.Marshal(v)
		return string(q)
	})
	// give a build context that could be valid its directory and Dockerfile
	build, dockerfile := values["build"], values["dockerfile"]
	if _, ok := values["build"]; !ok {
		build = "app"
	}
	if _, ok := values["dockerfile"]; !ok {
		dockerfile = "Dockerfile"
	}
	if filepath.IsLocal(build) && filepath.IsLocal(dockerfile) {
		ctx := filepath.Join(dir, build)
		if os.MkdirAll(filepath.Dir(filepath.Join(ctx, dockerfile)), 0o755) == nil {
			_ = os.WriteFile(filepath.Join(ctx, dockerfile), []byte("FROM scratch\n"), 0o644)
		}
	}
	res, err := generator.GenerateBytes(generator.Options{
		SpecPath: filepath.Join(dir, "swarm.yaml"),
		OutDir:   filepath.Join(dir, "out"),
	}, []byte(spec))
	if err != nil {
		return nil
	}
	scripts := map[string][]byte{}
	for _, f := range res.Files {
		if strings.HasSuffix(f.Path, ".sh") {
			scripts[f.Path] = f.Data
		}
	}
	if len(scripts) != 2 {
		t.Fatalf("want bootstrap.sh and teardown.sh, got %v", reflect.ValueOf(scripts).MapKeys())
	}
	return scripts
}

// shape is a script's syntax tree with the content of every single-quoted
// word replaced by Q (and literal text in double quotes by D, numbers by
// N): two scripts with one shape run the same commands, whatever the
// quoted values.
func shape(t *testing.T, name string, script []byte) string {
	t.Helper()
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(string(script)), "")
	if err != nil {
		t.Fatalf("%s does not parse: %v\n%s", name, err, script)
	}
	syntax.Walk(f, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.Word:
			n.Parts = quotedAsOne(n.Parts)
		case *syntax.DblQuoted:
			// Literal text inside double quotes is data too: the parser
			// makes a part of its own of every $ and `, and a " or a
			// trailing \ would end or stretch the string, changing the
			// shape. (The templates put only names that validation limits
			// to a-z, 0-9, '-' and '_' there; see KEEP_NODES.)
			for _, p := range n.Parts {
				if lit, ok := p.(*syntax.Lit); ok {
					lit.Value = "D"
				}
			}
		case *syntax.Lit:
			// a number (a port, 9000/udp) can hold no command
			n.Value = digitsRe.ReplaceAllString(n.Value, "N$1")
		}
		return true
	})
	var b strings.Builder
	dumpAST(&b, reflect.ValueOf(f))
	return b.String()
}

// quotedAsOne replaces each run of single-quoted parts (and the \' that
// shell.Quote puts between them for a quote in the value) by one 'Q'.
func quotedAsOne(parts []syntax.WordPart) []syntax.WordPart {
	var out []syntax.WordPart
	inRun := false
	for _, p := range parts {
		quoted := false
		switch p := p.(type) {
		case *syntax.SglQuoted:
			quoted = !p.Dollar
		case *syntax.Lit:
			quoted = inRun && p.Value == `\'`
		}
		if !quoted {
			out = append(out, p)
			inRun = false
			continue
		}
		if !inRun {
			out = append(out, &syntax.SglQuoted{Value: "Q"})
			inRun = true
		}
	}
	return out
}

var digitsRe = regexp.MustCompile(`^[0-9]+(/(?:tcp|udp|sctp))?$`)

var posType = reflect.TypeOf(syntax.Pos{})

// dumpAST prints every field of the tree but positions.
func dumpAST(b *strings.Builder, v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		dumpAST(b, v.Elem())
	case reflect.Struct:
		b.WriteString(v.Type().Name() + "{")
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).Type == posType {
				continue
			}
			b.WriteString(v.Type().Field(i).Name + ":")
			dumpAST(b, v.Field(i))
			b.WriteString(" ")
		}
		b.WriteString("}")
	case reflect.Slice, reflect.Array:
		b.WriteString("[")
		for i := 0; i < v.Len(); i++ {
			dumpAST(b, v.Index(i))
			b.WriteString(",\n")
		}
		b.WriteString("]")
	case reflect.String:
		b.WriteString(strconv.Quote(v.String()))
	case reflect.Bool:
		fmt.Fprint(b, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		fmt.Fprint(b, v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		fmt.Fprint(b, v.Uint())
	default:
		fmt.Fprintf(b, "<%s>", v.Kind())
	}
}

// hostileValues try to break out of every way a value could be written
// into a script: unquoted, double-quoted, single-quoted, in a comment.
var hostileValues = []string{
	"$(touch /tmp/pwned)",
	"`id`",
	"'; rm -rf / #",
	`"; rm -rf / #`,
	"a'b",
	"'",
	`\'`,
	"x\ntouch /tmp/pwned",
	"x\rtouch /tmp/pwned",
	"# comment\necho pwned",
	"${IFS}id",
	"a b",
	"*",
	"!!",
	"$'\\x41'",
	"a;b&&c||d|e>f<g",
	"a\x00b",
	"--help",
	"-e",
	"node.labels.zone == $(id)",
	"node.labels.zone == a'b",
	"img:1$(id)",
	"8000:80$(id)",
	"10.250.0.0/24;id",
	"./$(id):/data",
}

func FuzzBootstrapNoInjection(f *testing.F) {
	for i := range fuzzFields {
		for _, v := range hostileValues {
			f.Add(uint8(i), v)
		}
	}
	for _, v := range hostileValues {
		f.Add(uint8(len(fuzzFields)), v) // the value in every field at once
	}
	// values that are valid where they go, so that accepted specs are
	// compared too, not only refused ones
	for i, v := range []string{"lab-b", "0.0.0.0", "10.9.0.0/24", "./reg", "registry:2", "docker:dind", "m-2", "k.e_y", "it's $(id) `id`", "9000:90/udp",
		"w-2", "10.250.0.99", "docker:26-dind", "vol:/x", "ghcr.io/a/b:2", "a/b:c", "sub/dir", "docker/Dockerfile.dev", "b:2", "front",
		"10.99.0.0/16", "st_2", "dep-2", "redis:7", "node.hostname != m1", "svc-2", "registry:5000/built:1", "9001:81", "node.role == manager",
		"K_2", "v $(id) 'x' \"y\" `z`", "-c 'id'", "\"; id; \""} {
		f.Add(uint8(i), v)
	}
	var mu sync.Mutex
	references := map[string]map[string]string{} // twin values (JSON) -> script shapes
	reference := func(t *testing.T, twins map[string]string) map[string]string {
		key, _ := json.Marshal(twins)
		mu.Lock()
		defer mu.Unlock()
		if ref, ok := references[string(key)]; ok {
			return ref
		}
		scripts := fuzzRender(t, t.TempDir(), twins)
		if scripts == nil {
			t.Fatalf("the reference lab with %v is refused", twins)
		}
		ref := map[string]string{}
		for name, data := range scripts {
			ref[name] = shape(t, name, data)
		}
		references[string(key)] = ref
		return ref
	}
	accepted := 0
	f.Cleanup(func() { logAccepted(f, "fuzzed specs accepted and checked", int64(accepted)) })
	f.Fuzz(func(t *testing.T, field uint8, value string) {
		values := map[string]string{}
		if i := int(field) % (len(fuzzFields) + 1); i < len(fuzzFields) {
			values[fuzzFields[i].name] = value
		} else {
			for _, fld := range fuzzFields {
				values[fld.name] = value
			}
		}
		scripts := fuzzRender(t, t.TempDir(), values)
		if scripts == nil {
			return // refused: nothing is written
		}
		accepted++
		twins := map[string]string{}
		for name, v := range values {
			twins[name] = twin(name, v)
		}
		ref := reference(t, twins)
		for name, data := range scripts {
			if got := shape(t, name, data); got != ref[name] {
				diff, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
					A: difflib.SplitLines(ref[name]), B: difflib.SplitLines(got),
					FromFile: "harmless", ToFile: "fuzzed", Context: 2,
				})
				t.Fatalf("%s: with %v the script runs other commands than with harmless values:\n%s\n--- script:\n%s", name, values, diff, data)
			}
		}
	})
}

// logAccepted reports how many inputs a fuzz target accepted. With -fuzz
// the inputs run in worker processes, whose counters this process (the
// coordinator, which runs Cleanup) never sees: it says so rather than
// printing 0.
func logAccepted(f *testing.F, what string, n int64) {
	if fl := flag.Lookup("test.fuzz"); fl != nil && fl.Value.String() != "" {
		f.Logf("%s: counted in the fuzzing worker processes, not reported with -fuzz (run without -fuzz to count the corpus)", what)
		return
	}
	f.Logf("%d %s", n, what)
}

// TestShapeSeesInjection: the shape comparison tells a value inside single
// quotes (harmless, whatever it holds) from one that runs.
func TestShapeSeesInjection(t *testing.T) {
	ref := shape(t, "ref", []byte("X='a'\nsay 'b' >/dev/null\n"))
	dq := shape(t, "ref", []byte("X=\" a b \"\n"))
	for script, same := range map[string]bool{
		"X=\" c d e \"\n":   true,
		"X=\"\"\n":          false,
		"X=\" $(id) \"\n":   false,
		"X=\" `id` \"\n":    false,
		"X=\" $HOME \"\n":   false,
		"X=\" a\\\" b \"\n": true,
		"X=\" a\"b\" \"\n":  false,
		"X=\" a \";id\n":    false,
		"X=' a b '\n":       false,
	} {
		if got := shape(t, "got", []byte(script)) == dq; got != same {
			t.Errorf("%q: same shape as a double-quoted literal = %v, want %v", script, got, same)
		}
	}
	for script, same := range map[string]bool{
		"X='other'\nsay 'b' >/dev/null\n":             true,
		"X='it'\\''s $(id)'\nsay '' >/dev/null\n":     true,
		"X='a'\nsay 'b' $(id) >/dev/null\n":           false,
		"X='a'\nsay 'b'; id >/dev/null\n":             false,
		"X='a'\nid\nsay 'b' >/dev/null\n":             false,
		"X=\"a\"\nsay 'b' >/dev/null\n":               false,
		"X='a'\nsay 'b' >/dev/null 2>&1\n":            false,
		"X='a'\nsay 'b'' c' >/dev/null\n":             true,
		"X='a'\nsay 'b' 'c' >/dev/null\n":             false,
		"X=$'a'\nsay 'b' >/dev/null\n":                false,
		"X='a'\nsay 'b' >/dev/null # a comment\n":     true,
		"X='a'\nsay 'b' >/dev/null # a comment\nid\n": false,
		"X='a'\nsay 'b'\\''x' >/dev/null\n":           true,
		"X='a'\nsay \"b\" >/dev/null\n":               false,
		"X='a'\nsay 'b' \"c\" >/dev/null\n":           false,
	} {
		if got := shape(t, "got", []byte(script)) == ref; got != same {
			t.Errorf("%q: same shape = %v, want %v", script, got, same)
		}
	}
}
