// Package render executes the embedded templates over the model and
// returns the generated files, each checked before it is returned: compose
// and stack files load with compose-go.
package render

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/swarmgen/swarmgen/generator/model"
	"github.com/swarmgen/swarmgen/generator/shell"
	"github.com/swarmgen/swarmgen/generator/stack"
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
	"ro": func(ro bool) string {
		if ro {
			return ":ro"
		}
		return ""
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
	if err := add("docker-compose.yml", "docker-compose.yml.tmpl", l, 0o644); err != nil {
		return nil, err
	}
	for _, st := range l.Stacks {
		if err := add(st.File, "stack.yml.tmpl", map[string]any{"Lab": l, "Stack": st}, 0o644); err != nil {
			return nil, err
		}
	}
	if err := add("bootstrap.sh", "bootstrap.sh.tmpl", l, 0o755); err != nil {
		return nil, err
	}
	if err := add("teardown.sh", "teardown.sh.tmpl", l, 0o755); err != nil {
		return nil, err
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, check(l, files)
}

// check loads every compose and stack file back with compose-go: a file
// swarmgen writes must be one docker can read.
func check(l *model.Lab, files []File) error {
	for _, f := range files {
		var err error
		switch {
		case f.Path == "docker-compose.yml":
			_, err = loadCompose(f.Data)
		case strings.HasPrefix(f.Path, "stack/"):
			name := strings.TrimSuffix(strings.TrimPrefix(f.Path, "stack/"), ".yml")
			_, err = stack.Validate(name, ".", f.Data)
		}
		if err != nil {
			return fmt.Errorf("internal error: generated %s does not load with compose-go: %w", f.Path, err)
		}
	}
	return nil
}

func loadCompose(data []byte) (*types.Project, error) {
	details := types.ConfigDetails{
		WorkingDir:  ".",
		ConfigFiles: []types.ConfigFile{{Filename: "docker-compose.yml", Content: data}},
		Environment: types.Mapping{},
	}
	return loader.LoadWithContext(context.Background(), details, func(o *loader.Options) {
		o.SkipResolveEnvironment = true
	})
}
