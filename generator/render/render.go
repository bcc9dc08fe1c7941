// Package render executes the embedded templates over the model and
// returns the generated files.
package render

import (
	"bytes"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/swarmgen/swarmgen/generator/model"
	"github.com/swarmgen/swarmgen/generator/shell"
	"github.com/swarmgen/swarmgen/internal/ownlabels"
	"github.com/swarmgen/swarmgen/templates"
)

// File is one generated file.
type File struct {
	Path string // relative to the output directory, slash-separated
	Data []byte
	Mode uint32 // 0o755 for scripts
}

var funcs = template.FuncMap{
	// yq quotes a YAML scalar: a double-quoted YAML string is a JSON string.
	"yq": strconv.Quote,
	"sh": shell.Quote,
	// dq escapes for the inside of a double-quoted word, e.g. a format in
	// the script of a `docker exec NODE sh -c '...'`
	"dq": shell.InDoubleQuotes,
	// the keys of swarmgen's own labels, from their one owner
	"label": ownlabels.Key,
	// a header record's field count (bootstrap-header.sh.tmpl)
	"add": func(a, b int) int { return a + b },
	// where a node's engine listens, inside the node
	"engineSocket": func() string { return model.EngineSocket },
	// the labels node_labels gives a node: the spec's, and on a machine
	// the lab's own (which tells its swarm from any other there)
	"nodeLabels": func(l *model.Lab, n model.Node) []string {
		var kv []string
		for _, x := range n.Labels {
			kv = append(kv, x.Key+"="+x.Value)
		}
		if l.Machines {
			kv = append(kv, ownlabels.Lab+"="+l.Project)
		}
		return kv
	},
	"ro": func(ro bool) string {
		if ro {
			return ":ro"
		}
		return ""
	},
	// spaced joins names as " a b c ", for `case " $x "` membership tests
	"spaced": func(names []string) string {
		return " " + strings.Join(names, " ") + " "
	},
	// runtime NAME: the text of a runtime file, for a script that shares
	// one of its rules (teardown.sh: compose.sh)
	"runtime": func(name string) (string, error) {
		b, err := templates.FS.ReadFile(path.Join("runtime", name))
		return string(b), err
	},
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	},
}

var tmpl = template.Must(template.New("").Funcs(funcs).Option("missingkey=error").ParseFS(templates.FS, "*.tmpl"))

// Lab renders every file of a lab, sorted by path.
func Lab(l *model.Lab) ([]File, error) {
	var files []File
	add := func(path, name string, data any, mode uint32) error {
		var buf bytes.Buffer
		if err := tmpl.ExecuteTemplate(&buf, name, data); err != nil {
			return fmt.Errorf("rendering %s: %w", path, err)
		}
		files = append(files, File{Path: path, Data: buf.Bytes(), Mode: mode})
		return nil
	}
	// a lab of machines starts no container: it has no compose file
	if !l.Machines {
		if err := add("docker-compose.yml", "docker-compose.yml.tmpl", l, 0o644); err != nil {
			return nil, err
		}
	}
	for _, st := range l.Stacks {
		if err := add(st.File, "stack.yml.tmpl", map[string]any{"Lab": l, "Stack": st}, 0o644); err != nil {
			return nil, err
		}
	}
	// the builtin images' Dockerfiles, FROM the base that holds swarmgen
	for _, img := range l.Images {
		if img.Prepared {
			if err := add(path.Join(model.BuiltinContext, img.Dockerfile), img.Dockerfile+".tmpl", l, 0o644); err != nil {
				return nil, err
			}
		}
	}
	// bootstrap.sh: the lab's header, then the runtime, the same for every lab
	if err := add("bootstrap.sh", "bootstrap-header.sh.tmpl", l, 0o755); err != nil {
		return nil, err
	}
	boot := &files[len(files)-1]
	boot.Data = append(boot.Data, templates.Runtime...)
	if err := add("teardown.sh", "teardown.sh.tmpl", l, 0o755); err != nil {
		return nil, err
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	// Loading every file back with compose-go is the tests' job (golden/):
	// here it would cost 98% of a 500-node render.
	return files, nil
}

// Visualizer is what the visualizer stack is made of.
type Visualizer struct {
	Image   string
	Builtin bool
	// with auth: the user, the secret holding the password, and the stack
	// file variable that names the secret's current version
	AuthUser, Secret, SecretVar string
}

// VisualizerStack renders the services (and secrets) of the visualizer
// stack, in compose syntax, for the generator to load like an inline stack.
func VisualizerStack(v Visualizer) ([]byte, error) {
	var buf bytes.Buffer
	err := tmpl.ExecuteTemplate(&buf, "visualizer-stack.yml.tmpl", v)
	return buf.Bytes(), err
}
