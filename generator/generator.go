// Package generator turns one swarm.yaml into the lab's files: it loads
// and validates the spec and its stacks, builds the model and renders it.
// Nothing is returned for writing unless every check passed.
package generator

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"

	"github.com/swarmgen/swarmgen/generator/diag"
	"github.com/swarmgen/swarmgen/generator/inputfile"
	"github.com/swarmgen/swarmgen/generator/model"
	"github.com/swarmgen/swarmgen/generator/render"
	"github.com/swarmgen/swarmgen/generator/spec"
	"github.com/swarmgen/swarmgen/generator/stack"
	"github.com/swarmgen/swarmgen/generator/workload"
	"github.com/swarmgen/swarmgen/internal/version"
)

// Options say what to generate and from what.
type Options struct {
	SpecPath  string // the spec as the user named it
	OutDir    string // where the files go
	Generator string // the command shown in headers, e.g. "swarmgen render"
	Files     inputfile.Policy
}

// Result is a validated lab and its files.
type Result struct {
	Spec     *spec.Spec
	Lab      *model.Lab
	Files    []render.File
	Warnings diag.List
}

// Generate validates the spec and renders the lab. A diag.List error holds
// every problem found; any other error is internal.
func Generate(opt Options) (*Result, error) {
	data, err := inputfile.Read(opt.SpecPath, spec.MaxSpecBytes)
	if err != nil {
		msg := "cannot read the spec: " + errText(err)
		if errors.Is(err, fs.ErrNotExist) {
			msg += " (run `swarmgen init` to create one)"
		}
		return nil, diag.List{{File: opt.SpecPath, Msg: msg}}
	}
	return GenerateBytes(opt, data)
}

func errText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	if tl, ok := err.(*inputfile.TooLargeError); ok {
		return fmt.Sprintf("it %v; split its stacks into stack files", tl)
	}
	return err.Error()
}

// GenerateBytes is Generate with the spec's content already read.
func GenerateBytes(opt Options, data []byte) (*Result, error) {
	if opt.Generator == "" {
		opt.Generator = "swarmgen render"
	}
	if opt.OutDir == "" {
		opt.OutDir = "."
	}
	if d := pathProblems(opt); len(d) > 0 {
		return nil, d
	}
	specDir := filepath.Dir(opt.SpecPath)
	s, pos, diags := spec.Parse(opt.SpecPath, data)
	if s == nil {
		return nil, diags
	}
	spec.ApplyDefaults(s)
	diags.Extend(spec.Validate(s, opt.SpecPath, specDir, pos, opt.Files))
	var stacks []*stack.Stack
	var workloads []workload.Workload
	pullHost := ""
	if s.HasMachines() {
		pullHost = s.MachineRegistryHost()
	}
	for i, st := range s.Stacks {
		path := fmt.Sprintf("stacks[%d]", i)
		if diags.Errors().Touches(opt.SpecPath, path) {
			continue // its own fields are wrong; its content would only add noise
		}
		loaded, d := stack.Load(stack.Input{
			Stack: st, Path: path, SpecFile: opt.SpecPath, SpecDir: specDir,
			SpecPos: pos.Lookup(path), RoutingMesh: *s.RoutingMesh, Files: opt.Files, PullHost: pullHost,
		})
		diags.Extend(d)
		if loaded != nil {
			stacks = append(stacks, loaded)
			workloads = append(workloads, loaded.Workloads...)
		}
	}
	if s.Visualizer.Enabled() && !diags.Errors().Touches(opt.SpecPath, "visualizer") {
		loaded, d, err := visualizerStack(s, opt.SpecPath, specDir, pos, pullHost)
		if err != nil {
			return nil, err
		}
		diags.Extend(d)
		if loaded != nil {
			stacks = append(stacks, loaded)
			workloads = append(workloads, loaded.Workloads...)
		}
	}
	workloads = append(workloads, serviceWorkloads(s, opt.SpecPath, pos)...)
	diags.Extend(workload.Check(labOf(s), workloads))
	if diags.HasErrors() {
		return nil, diags
	}
	rel := func(p string) string {
		r, err := filepath.Rel(opt.OutDir, p)
		if err != nil {
			return p
		}
		return filepath.ToSlash(r)
	}
	meshPos := pos.Lookup("routing_mesh")
	meshWhere := fmt.Sprintf("%s:%d", rel(opt.SpecPath), meshPos.Line)
	if _, set := pos["routing_mesh"]; !set {
		meshWhere = rel(opt.SpecPath)
	}
	l := model.Build(s, stacks, model.Options{
		Generator:           opt.Generator,
		SpecFile:            rel(opt.SpecPath),
		SpecDir:             rel(specDir),
		MeshWhere:           meshWhere,
		VisualizerImage:     VisualizerImage,
		Version:             version.Module(),
		VisualizerAuthWhere: fmt.Sprintf("%s:%d", rel(opt.SpecPath), pos.Lookup("visualizer.auth.password_file").Line),
	})
	files, err := render.Lab(l)
	if err != nil {
		return nil, err
	}
	return &Result{Spec: s, Lab: l, Files: files, Warnings: diags.Warnings()}, nil
}

// pathProblems refuses a spec or output directory whose full path holds a
// control character (a newline, say): the generated scripts keep these
// paths in records of one line each, which such a path would split.
func pathProblems(opt Options) diag.List {
	var l diag.List
	for _, p := range []struct{ what, path string }{{"the spec's directory", filepath.Dir(opt.SpecPath)}, {"the output directory", opt.OutDir}} {
		abs, err := filepath.Abs(p.path)
		if err != nil {
			abs = p.path
		}
		if r, bad := spec.UnprintableRune(abs); bad {
			l.Add(diag.Diagnostic{File: opt.SpecPath, Msg: fmt.Sprintf("%s, %s, holds %s, which the generated scripts cannot keep on one line; use a directory whose path has none", p.what, diag.Quote(abs), spec.RuneName(r))})
		}
	}
	return l
}

// VisualizerImage is the builtin visualizer's name in the lab registry.
const VisualizerImage = "swarmgen/visualizer:latest"

// visualizerStack makes the stack the visualizer field asks for, loaded
// like any inline stack, with its positions at the visualizer field.
func visualizerStack(s *spec.Spec, file, dir string, pos spec.Positions, pullHost string) (*stack.Stack, diag.List, error) {
	in := render.Visualizer{Image: s.Visualizer.Image, Builtin: s.Visualizer.Builtin()}
	if in.Builtin {
		in.Image = spec.RegistryImage(VisualizerImage)
	}
	if a := s.Visualizer.Auth; a != nil {
		in.AuthUser, in.Secret, in.SecretVar = a.User, spec.VisualizerSecret, spec.VisualizerSecretVar
	}
	text, err := render.VisualizerStack(in)
	if err != nil {
		return nil, nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(text, &doc); err != nil {
		return nil, nil, fmt.Errorf("internal error: visualizer stack: %w", err)
	}
	at := pos.Lookup("visualizer")
	setPos(&doc, at)
	st := spec.Stack{Name: spec.VisualizerStack, DeployAs: spec.VisualizerStack}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		switch root.Content[i].Value {
		case "services":
			st.Services = *root.Content[i+1]
		case "secrets":
			st.Secrets = *root.Content[i+1]
		}
	}
	loaded, d := stack.Load(stack.Input{
		Stack: st, Path: "visualizer", SpecFile: file, SpecDir: dir, SpecPos: at, RoutingMesh: *s.RoutingMesh, PullHost: pullHost,
	})
	return loaded, d, nil
}

func setPos(n *yaml.Node, at spec.Pos) {
	n.Line, n.Column = at.Line, at.Col
	for _, c := range n.Content {
		setPos(c, at)
	}
}
