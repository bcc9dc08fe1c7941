package templates

import (
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/syntax"

	"github.com/swarmgen/swarmgen/generator/model"
	"github.com/swarmgen/swarmgen/generator/shell"
	"github.com/swarmgen/swarmgen/internal/dockerformat"
	"github.com/swarmgen/swarmgen/internal/endpointdef"
	"github.com/swarmgen/swarmgen/internal/ownlabels"
	"github.com/swarmgen/swarmgen/internal/plan"
	"github.com/swarmgen/swarmgen/internal/testkit/goldenfile"
)

func parseRuntime(t *testing.T, name string) *syntax.File {
	t.Helper()
	src, err := FS.ReadFile("runtime/" + name)
	if err != nil {
		t.Fatal(err)
	}
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash), syntax.KeepComments(true)).Parse(strings.NewReader(string(src)), name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return f
}

// literal is a word's value when it is made of literals and single quotes.
func literal(w *syntax.Word) (string, bool) {
	var b strings.Builder
	for _, p := range w.Parts {
		switch p := p.(type) {
		case *syntax.Lit:
			b.WriteString(p.Value)
		case *syntax.SglQuoted:
			b.WriteString(p.Value)
		default:
			return "", false
		}
	}
	return b.String(), true
}

// Every runtime file is in RuntimeFiles once, and Runtime starts with
// RuntimeStart (where a bootstrap.sh's header ends) and ends running main.
func TestRuntimeFiles(t *testing.T) {
	embedded, err := fs.Glob(FS, "runtime/*")
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, f := range RuntimeFiles {
		listed = append(listed, "runtime/"+f)
	}
	slices.Sort(listed)
	if !slices.Equal(slices.Compact(slices.Clone(listed)), embedded) || len(listed) != len(embedded) {
		t.Errorf("RuntimeFiles %v; runtime/ holds %v", listed, embedded)
	}
	if !strings.HasPrefix(string(Runtime), RuntimeStart) || !strings.HasSuffix(string(Runtime), "\nsetup\nmain \"$@\"\n") {
		t.Errorf("the runtime starts %q and ends %q", string(Runtime)[:80], string(Runtime)[len(Runtime)-40:])
	}
	if strings.Count(string(Runtime), RuntimeStart) != 1 {
		t.Errorf("the line %q is in the runtime more than once", RuntimeStart)
	}
}

// constantsSh is runtime/constants.sh: the constants the runtime shares
// with Go, written from their owners (packages ownlabels, dockerformat,
// plan, generator/model, endpointdef), so each is spelled once, in Go.
func constantsSh() []byte {
	var b strings.Builder
	upper := func(name string) string { return strings.ToUpper(strings.ReplaceAll(name, "-", "_")) }
	set := func(name, value string) { fmt.Fprintf(&b, "%s=%s\n", name, shell.Quote(value)) }
	b.WriteString(`
# --- constants: written from Go by ` + "`go test ./templates/ -update`" + `
# (templates/runtime_test.go, constantsSh), each from its owner. DO NOT EDIT. ---
# the keys of swarmgen's own labels (package ownlabels)
`)
	set("OWN_PREFIX", ownlabels.Prefix)
	labels := ownlabels.ByName()
	for _, name := range slices.Sorted(maps.Keys(labels)) {
		set("LABEL_"+upper(name), labels[name])
	}
	b.WriteString("# the templates handed to docker's --format (package dockerformat), by name\n")
	formats := dockerformat.ByName()
	for _, name := range slices.Sorted(maps.Keys(formats)) {
		set("FORMAT_"+upper(name), formats[name])
	}
	b.WriteString("# the same, escaped for the inside of a double-quoted word (a format in\n# the script a node's sh runs: on_sh)\n")
	for _, name := range slices.Sorted(maps.Keys(formats)) {
		set("Q_"+upper(name), shell.InDoubleQuotes(formats[name]))
	}
	b.WriteString("# the first word of a plan line, and the op of a refused change (package plan)\n")
	set("PLAN_TAG", plan.Tag)
	set("PLAN_REFUSED", string(plan.Refused))
	b.WriteString("# where nodes-up records, in the lab's directory, the containers compose\n# up left (generator/model); all else the lab remembers is in its swarm\n")
	set("COMPOSE_RECORD", model.ComposeRecord)
	b.WriteString("# where a node's engine listens, inside the node (generator/model)\n")
	set("ENGINE_SOCKET", model.EngineSocket)
	b.WriteString("# a lab of machines' record on this host: its docker context's description,\n# MACHINES_RECORD then KEY=VALUE fields, files last (package endpointdef)\n")
	set("MACHINES_RECORD", endpointdef.MachinesRecord)
	set("RECORD_LAB", endpointdef.RecordLab)
	set("RECORD_LEADER", endpointdef.RecordLeader)
	set("RECORD_FILES", endpointdef.RecordFiles)
	return []byte(b.String())
}

// The runtime's constants are Go's, written into constants.sh from Go and
// referred to by name everywhere else.
func TestRuntimeConstants(t *testing.T) {
	goldenfile.Check(t, "runtime/constants.sh", constantsSh())
	want := map[string]bool{}
	syntax.Walk(parseRuntime(t, "constants.sh"), func(n syntax.Node) bool {
		if a, ok := n.(*syntax.Assign); ok {
			want[a.Name.Value] = true
		}
		return true
	})

	// everywhere else: by name, and only names constants.sh defines
	for _, file := range RuntimeFiles {
		src, _ := FS.ReadFile("runtime/" + file)
		if file != "constants.sh" {
			for _, spelled := range []string{ownlabels.Prefix, "{{."} {
				if strings.Contains(string(src), spelled) {
					t.Errorf("%s spells %q: use the constants of constants.sh", file, spelled)
				}
			}
		}
		syntax.Walk(parseRuntime(t, file), func(n syntax.Node) bool {
			p, ok := n.(*syntax.ParamExp)
			if !ok || p.Param == nil {
				return true
			}
			name := p.Param.Value
			switch {
			case strings.HasPrefix(name, "FORMAT_") || strings.HasPrefix(name, "LABEL_") || strings.HasPrefix(name, "Q_"):
				if !want[name] {
					t.Errorf("%s:%s: %s is no constant of constants.sh", file, p.Pos(), name)
				}
			}
			return true
		})
	}
}

// providerSet is the set of names provider.sh lists: the functions (and
// variables) each provider defines.
func providerSet(t *testing.T) []string {
	src, err := FS.ReadFile("runtime/provider.sh")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range regexp.MustCompile(`(?m)^#   ([A-Za-z_]+)\b`).FindAllStringSubmatch(string(src), -1) {
		names = append(names, m[1])
	}
	if len(names) < 10 {
		t.Fatalf("provider.sh lists %v", names)
	}
	slices.Sort(names)
	return names
}

// Each provider file defines, in its function provider_NAME, exactly the
// set provider.sh lists: a step can call any of them on any provider.
func TestProvidersDefineTheSameSet(t *testing.T) {
	want := providerSet(t)
	var providers []string
	for _, file := range RuntimeFiles {
		name, ok := strings.CutPrefix(strings.TrimSuffix(file, ".sh"), "provider-")
		if !ok {
			continue
		}
		providers = append(providers, name)
		var got []string
		found := false
		syntax.Walk(parseRuntime(t, file), func(n syntax.Node) bool {
			fn, ok := n.(*syntax.FuncDecl)
			if !ok || fn.Name.Value != "provider_"+name {
				return true
			}
			found = true
			syntax.Walk(fn.Body, func(n syntax.Node) bool {
				switch n := n.(type) {
				case *syntax.FuncDecl:
					got = append(got, n.Name.Value)
					return false
				case *syntax.CallExpr:
					if len(n.Args) == 0 {
						for _, a := range n.Assigns {
							got = append(got, a.Name.Value)
						}
					}
				}
				return true
			})
			return false
		})
		if !found {
			t.Errorf("%s defines no function provider_%s", file, name)
			continue
		}
		slices.Sort(got)
		got = slices.Compact(got)
		if !slices.Equal(got, want) {
			t.Errorf("provider_%s defines %v; provider.sh lists %v", name, got, want)
		}
	}
	if !slices.Equal(providers, []string{"containers", "machines"}) {
		t.Errorf("providers %v", providers)
	}
}

// providerOwned are header variables only one provider's header has: a
// step that read one would be asking which provider it runs on.
var providerOwned = []string{"PROVIDER", "MACHINE_ENV", "REGISTRY_MACHINE", "TAKE_OVER", "LAB", "HOST_PORTS",
	"MESH_WHERE", "REGISTRY_PULL", "REGISTRY_IMAGE", "REGISTRY_PORT", "REGISTRY_VOLUME", "CERTS_DIR", "TOOL_IMAGE", "API_PORT", "API_HOST"}

// No step asks which provider it runs on: outside the provider files, the
// one use of $PROVIDER is setup's choosing of the provider, and no file
// reads a variable that only one provider's header has.
func TestNoProviderBranchInSteps(t *testing.T) {
	uses := 0
	for _, file := range RuntimeFiles {
		if strings.HasPrefix(file, "provider") {
			continue
		}
		syntax.Walk(parseRuntime(t, file), func(n syntax.Node) bool {
			p, ok := n.(*syntax.ParamExp)
			if !ok || p.Param == nil || !slices.Contains(providerOwned, p.Param.Value) {
				return true
			}
			if file == "main.sh" && p.Param.Value == "PROVIDER" {
				uses++
				return true
			}
			t.Errorf("%s:%s: reads $%s, which only one provider has: call a provider function (provider.sh)", file, p.Pos(), p.Param.Value)
			return true
		})
	}
	if uses != 1 {
		t.Errorf("main.sh uses $PROVIDER %d times; once, to choose the provider", uses)
	}
}
