// Package stack turns a spec's stack (inline compose syntax or an existing
// stack file) into the stack file swarmgen writes, validated by compose-go,
// and tells the workload checks what its services need.
package stack

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/sirupsen/logrus"
	"gopkg.in/yaml.v3"

	"github.com/swarmgen/swarmgen/generator/diag"
	"github.com/swarmgen/swarmgen/generator/spec"
	"github.com/swarmgen/swarmgen/generator/workload"
)

// FileVersion is written into stack files that have none: the docker CLIs
// still found in dind nodes (20.10, 18.05) refuse a stack file without it.
const FileVersion = "3.8"

func init() {
	// compose-go logs advice meant for compose users ("the attribute
	// `version` is obsolete"); swarm's CLI needs that field, so mute it.
	logrus.SetLevel(logrus.ErrorLevel)
}

// Input is one stack of the spec and where it came from.
type Input struct {
	Stack       spec.Stack
	Path        string // field path in the spec, e.g. stacks[1]
	SpecFile    string // as the user named it
	SpecDir     string
	SpecPos     spec.Pos
	RoutingMesh bool
}

// Stack is a stack ready to be written and deployed.
type Stack struct {
	Name      string // file name without .yml
	DeployAs  string
	Source    string // "" for inline stacks, else the file the user gave
	Body      []byte // the stack file's YAML, without swarmgen's header
	Workloads []workload.Workload
}

// source locates diagnostics: in the spec for inline stacks, in the
// stack file for file stacks.
type source struct {
	file   string // name used in diagnostics
	prefix string // field path prefix (stacks[1]. for inline stacks)
	root   *yaml.Node
}

func (s source) at(n *yaml.Node, path string, sev diag.Severity, format string, args ...any) diag.Diagnostic {
	d := diag.Diagnostic{Severity: sev, File: s.file, Path: s.prefix + path, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		d.Line, d.Col = n.Line, n.Column
	}
	return d
}

// Load builds, transforms and validates one stack.
func Load(in Input) (*Stack, diag.List) {
	var (
		root  *yaml.Node
		src   source
		diags diag.List
	)
	if in.Stack.File != "" {
		file := in.Stack.File
		if !filepath.IsAbs(file) {
			file = filepath.Join(in.SpecDir, file)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, diag.List{{File: in.SpecFile, Line: in.SpecPos.Line, Col: in.SpecPos.Col, Path: in.Path + ".file", Msg: fmt.Sprintf("cannot read stack file: %v", err)}}
		}
		src = source{file: displayPath(in.SpecFile, in.Stack.File)}
		root, err = parseFile(data)
		if err != nil {
			return nil, diag.List{src.at(nil, "", diag.Error, "%v", err)}
		}
		src.root = root
		ensureVersion(root)
	} else {
		root = inlineRoot(in.Stack)
		src = source{file: in.SpecFile, prefix: in.Path + ".", root: root}
	}
	if !in.RoutingMesh {
		diags.Extend(withoutRoutingMesh(root, src))
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, append(diags, src.at(root, "", diag.Error, "cannot encode stack: %v", err))
	}
	_ = enc.Close()
	st := &Stack{Name: in.Stack.Name, DeployAs: in.Stack.DeployAs, Source: in.Stack.File, Body: buf.Bytes()}
	project, err := Validate(in.Stack.DeployAs, in.SpecDir, st.Body)
	if err != nil {
		return nil, append(diags, src.fromCompose(err))
	}
	st.Workloads, diags = workloads(project, src, root, diags)
	return st, diags
}

func displayPath(specFile, file string) string {
	if filepath.IsAbs(file) {
		return file
	}
	return filepath.Join(filepath.Dir(specFile), file)
}

func parseFile(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("not valid YAML: %v", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("a stack file must be a mapping with services:")
	}
	return doc.Content[0], nil
}

// Validate loads a stack file with compose-go, as docker stack deploy
// would read it.
func Validate(name, workDir string, body []byte) (*types.Project, error) {
	details := types.ConfigDetails{
		WorkingDir:  workDir,
		ConfigFiles: []types.ConfigFile{{Filename: "stack.yml", Content: body}},
		Environment: types.Mapping{},
	}
	return loader.LoadWithContext(context.Background(), details, func(o *loader.Options) {
		o.SetProjectName(name, true)
		o.SkipResolveEnvironment = true
	})
}

func inlineRoot(s spec.Stack) *yaml.Node {
	root := &yaml.Node{Kind: yaml.MappingNode}
	set(root, "version", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: FileVersion, Style: yaml.DoubleQuotedStyle})
	for _, part := range []struct {
		key  string
		node yaml.Node
	}{{"services", s.Services}, {"networks", s.Networks}, {"volumes", s.Volumes}, {"configs", s.Configs}, {"secrets", s.Secrets}} {
		if part.node.Kind != 0 {
			n := part.node
			set(root, part.key, &n)
		}
	}
	return root
}

func ensureVersion(root *yaml.Node) {
	if get(root, "version") != nil {
		return
	}
	k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "version"}
	v := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: FileVersion, Style: yaml.DoubleQuotedStyle}
	k.HeadComment, root.Content[0].HeadComment = root.Content[0].HeadComment, ""
	root.Content = append([]*yaml.Node{k, v}, root.Content...)
}

// get returns the value of key in mapping m, or nil.
func get(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return resolve(m.Content[i+1])
		}
	}
	return nil
}

// set replaces or appends key in mapping m.
func set(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
}

func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func scalar(v string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
}

func intScalar(v int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(v)}
}

// mapEntries returns the keys of a mapping in file order with their values.
func mapEntries(m *yaml.Node) ([]string, []*yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	var keys []string
	var vals []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		keys = append(keys, m.Content[i].Value)
		vals = append(vals, resolve(m.Content[i+1]))
	}
	return keys, vals
}

var shortPortRe = regexp.MustCompile(`^(?:(?:\[[0-9a-fA-F:]+\]|[0-9.]+):)?([0-9]+)(?::([0-9]+))?(?:/(tcp|udp|sctp))?$`)

// withoutRoutingMesh rewrites every service for kernels without IPVS:
// endpoint_mode dnsrr (no VIP) and ports published in host mode (no
// ingress). Everything else in the file stays as the user wrote it.
func withoutRoutingMesh(root *yaml.Node, src source) diag.List {
	var diags diag.List
	names, services := mapEntries(get(root, "services"))
	for i, svc := range services {
		if svc.Kind != yaml.MappingNode {
			continue // compose-go reports it
		}
		path := "services." + names[i]
		deploy := get(svc, "deploy")
		if deploy == nil {
			deploy = &yaml.Node{Kind: yaml.MappingNode}
			set(svc, "deploy", deploy)
		}
		if em := get(deploy, "endpoint_mode"); em != nil && em.Value == "vip" {
			diags.Add(src.at(em, path+".deploy.endpoint_mode", diag.Warning, "vip needs IPVS, which routing_mesh: false says this kernel lacks; using dnsrr"))
		}
		set(deploy, "endpoint_mode", scalar("dnsrr"))
		ports := get(svc, "ports")
		if ports == nil || ports.Kind != yaml.SequenceNode {
			continue
		}
		for j, p := range ports.Content {
			p = resolve(p)
			pp := fmt.Sprintf("%s.ports[%d]", path, j)
			switch p.Kind {
			case yaml.MappingNode:
				set(p, "mode", scalar("host"))
			case yaml.ScalarNode:
				m := shortPortRe.FindStringSubmatch(p.Value)
				if m == nil {
					diags.Add(src.at(p, pp, diag.Error, "%q: with routing_mesh: false ports are published in host mode; write this one in long syntax ({published: P, target: T, mode: host}), port ranges included", p.Value))
					continue
				}
				long := &yaml.Node{Kind: yaml.MappingNode, Line: p.Line, Column: p.Column}
				if m[2] == "" { // "80": a target only, published on a random port
					t, _ := strconv.Atoi(m[1])
					set(long, "target", intScalar(t))
				} else {
					pub, _ := strconv.Atoi(m[1])
					t, _ := strconv.Atoi(m[2])
					set(long, "target", intScalar(t))
					set(long, "published", intScalar(pub))
				}
				if m[3] != "" {
					set(long, "protocol", scalar(m[3]))
				}
				set(long, "mode", scalar("host"))
				ports.Content[j] = long
			}
		}
	}
	return diags
}

// composeErrPath finds the dotted field path compose-go puts in its
// messages, e.g. "services.api.deploy.replicas must be a integer".
var composeErrPath = regexp.MustCompile(`(?:^|[\s'"])((?:services|networks|volumes|configs|secrets)(?:\.[A-Za-z0-9_.\-\[\]]+)?)`)

// fromCompose turns a compose-go error into a diagnostic at the line of
// the field it names, when it names one.
func (s source) fromCompose(err error) diag.Diagnostic {
	msg := err.Error()
	if m := composeErrPath.FindStringSubmatch(msg); m != nil {
		path := strings.TrimRight(m[1], ".:")
		if n := s.lookup(path); n != nil {
			return s.at(n, path, diag.Error, "%s", msg)
		}
	}
	return s.at(s.root, "", diag.Error, "%s", msg)
}

// lookup follows a dotted path as far as it goes and returns that node.
func (s source) lookup(path string) *yaml.Node {
	n := s.root
	var found *yaml.Node
	for _, part := range strings.Split(path, ".") {
		next := get(n, part)
		if next == nil {
			break
		}
		n, found = next, next
	}
	if found == nil {
		return nil
	}
	// point at the key line when the value is a block
	return found
}

func workloads(p *types.Project, src source, root *yaml.Node, diags diag.List) ([]workload.Workload, diag.List) {
	var out []workload.Workload
	names := make([]string, 0, len(p.Services))
	for name := range p.Services {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		svc := p.Services[name]
		path := "services." + name
		node := get(get(root, "services"), name)
		where := src.at(node, path, diag.Error, "")
		if svc.Image == "" {
			diags.Add(src.at(node, path+".image", diag.Error, "docker stack deploy needs an image for every service; add image: (build: is ignored by swarm)"))
			continue
		}
		if svc.Build != nil {
			diags.Add(src.at(node, path+".build", diag.Warning, "docker stack deploy ignores build:; build the image under images: and use it as %s/...", spec.RegistryHost))
		}
		w := workload.Workload{Name: p.Name + "_" + name, Where: where, Image: svc.Image, Replicas: 1}
		if d := svc.Deploy; d != nil {
			w.Global = d.Mode == "global"
			if d.Replicas != nil {
				w.Replicas = *d.Replicas
			}
			w.MaxPerNode = int(d.Placement.MaxReplicas)
			w.Constraints = d.Placement.Constraints
		}
		for _, port := range svc.Ports {
			pub, _ := strconv.Atoi(port.Published)
			proto := port.Protocol
			if proto == "" {
				proto = "tcp"
			}
			w.Ports = append(w.Ports, workload.Port{Published: pub, Target: int(port.Target), Protocol: proto, HostMode: port.Mode == "host"})
		}
		for netName := range svc.Networks {
			if n, ok := p.Networks[netName]; ok && bool(n.External) {
				external := n.Name
				if external == "" {
					external = netName
				}
				w.Networks = append(w.Networks, external)
			}
		}
		sort.Strings(w.Networks)
		out = append(out, w)
	}
	return out, diags
}
