// Package stack turns a spec's stack (inline compose syntax or an existing
// stack file) into the stack file swarmgen writes, validated by compose-go,
// and tells the workload checks what its services need.
package stack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/distribution/reference"
	"github.com/sirupsen/logrus"
	"gopkg.in/yaml.v3"

	"github.com/swarmgen/swarmgen/generator/diag"
	"github.com/swarmgen/swarmgen/generator/inputfile"
	"github.com/swarmgen/swarmgen/generator/placement"
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
	Files       inputfile.Policy
	// PullHost is where the nodes pull the lab's images from when it is
	// not registry:5000 (a lab of machines): images written
	// registry:5000/NAME are written PullHost/NAME in the stack file
	PullHost string
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
	file     string // name used in diagnostics
	prefix   string // field path prefix (stacks[1]. for inline stacks)
	root     *yaml.Node
	fallback spec.Pos // where a diagnostic without a node of its own goes
}

func (s source) at(n *yaml.Node, path string, sev diag.Severity, format string, args ...any) diag.Diagnostic {
	full := s.prefix + path
	if path == "" {
		full = strings.TrimSuffix(s.prefix, ".")
	}
	d := diag.Diagnostic{Severity: sev, File: s.file, Path: full, Msg: fmt.Sprintf(format, args...), Line: s.fallback.Line, Col: s.fallback.Col}
	if n != nil && n.Line > 0 {
		d.Line, d.Col = n.Line, n.Column
	}
	return d
}

// Load builds, transforms and validates one stack.
func Load(in Input) (*Stack, diag.List) {
	var (
		root    *yaml.Node // the stack's mapping
		doc     *yaml.Node // what is written: root, or a file's document with its comments
		src     source
		diags   diag.List
		baseDir = in.SpecDir // where the stack's relative paths start
	)
	if in.Stack.File != "" {
		data, err := readFile(in)
		if err != nil {
			return nil, diag.List{{File: in.SpecFile, Line: in.SpecPos.Line, Col: in.SpecPos.Col, Path: in.Path + ".file", Msg: fmt.Sprintf("cannot read stack file: %v", err)}}
		}
		src = source{file: displayPath(in.SpecFile, in.Stack.File), fallback: spec.Pos{Line: 1, Col: 1}}
		doc, root, err = parseFile(data)
		if err != nil {
			d := src.at(nil, "", diag.Error, "%v", err)
			var perr *parseError
			if errors.As(err, &perr) && perr.line > 0 {
				d.Line, d.Col = perr.line, perr.col
			}
			return nil, diag.List{d}
		}
		if d := checkVersion(root, src); d != nil {
			return nil, diag.List{*d}
		}
		src.root = root
		ensureVersion(root)
		baseDir = filepath.Dir(in.Stack.File)
		if !filepath.IsAbs(baseDir) {
			baseDir = filepath.Join(in.SpecDir, baseDir)
		}
	} else {
		root = inlineRoot(in.Stack)
		doc = root
		src = source{file: in.SpecFile, prefix: in.Path + ".", root: root, fallback: in.SpecPos}
	}
	if dups := duplicateKeys(root, src, "", map[*yaml.Node]bool{}); len(dups) > 0 {
		return nil, dups // compose-go would report them at lines of the rewritten file
	}
	if refs := fileRefs(root, src, in.SpecDir, baseDir, in.Files); refs.HasErrors() {
		return nil, refs // compose-go must not be handed a file swarmgen has not allowed
	}
	if !in.RoutingMesh {
		diags.Extend(withoutRoutingMesh(root, src))
		if diags.HasErrors() {
			return nil, diags // compose-go would report the same ports again
		}
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, append(diags, src.at(root, "", diag.Error, "cannot encode stack: %v", err))
	}
	_ = enc.Close()
	st := &Stack{Name: in.Stack.Name, DeployAs: in.Stack.DeployAs, Source: in.Stack.File, Body: buf.Bytes()}
	project, err := Validate(in.Stack.DeployAs, in.SpecDir, st.Body)
	if err != nil {
		return nil, append(diags, src.fromCompose(err)...)
	}
	st.Workloads, diags = workloads(project, src, root, diags)
	if in.PullHost != "" && in.PullHost != spec.RegistryHost && pullFrom(root, in.PullHost) {
		// checked as written (registry:5000/...); written as pulled
		buf.Reset()
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(doc); err != nil {
			return nil, append(diags, src.at(root, "", diag.Error, "cannot encode stack: %v", err))
		}
		_ = enc.Close()
		st.Body = buf.Bytes()
	}
	return st, diags
}

// pullFrom rewrites every service image written registry:5000/NAME as
// pullHost/NAME; it reports whether it changed any.
func pullFrom(root *yaml.Node, pullHost string) bool {
	changed := false
	_, services := mapEntries(get(root, "services"))
	for _, svc := range services {
		if svc.Kind != yaml.MappingNode {
			continue
		}
		img := get(svc, "image")
		if img == nil || img.Kind != yaml.ScalarNode {
			continue
		}
		if rest, ok := strings.CutPrefix(img.Value, spec.RegistryHost+"/"); ok {
			// a copy: the node may be an alias shared with other services
			set(svc, "image", scalar(pullHost+"/"+rest))
			changed = true
		}
	}
	return changed
}

// readFile reads a file stack, if the spec may reach it (validation said
// why not already: this is the last guard).
func readFile(in Input) ([]byte, error) {
	file, err := in.Files.Resolve(in.SpecDir, in.Stack.File)
	if err != nil {
		return nil, err
	}
	return inputfile.Read(file, spec.MaxStackFileBytes)
}

func displayPath(specFile, file string) string {
	if filepath.IsAbs(file) {
		return file
	}
	return filepath.Join(filepath.Dir(specFile), file)
}

// parseError is a stack file that is not a YAML mapping.
type parseError struct {
	line, col int // 0 when unknown
	msg       string
}

func (e *parseError) Error() string { return e.msg }

// parseFile returns a stack file's document node (which holds the
// comments at its top) and its mapping.
func parseFile(data []byte) (doc, root *yaml.Node, err error) {
	doc = &yaml.Node{}
	if err := yaml.Unmarshal(data, doc); err != nil {
		line, col, msg := spec.YAMLError(err, data)
		return nil, nil, &parseError{line, col, msg}
	}
	if p := spec.CheckTree(doc); p != nil {
		return nil, nil, &parseError{p.Line, p.Col, p.Msg}
	}
	if ps := spec.CheckText(doc, 1); len(ps) > 0 {
		return nil, nil, &parseError{ps[0].Line, ps[0].Col, ps[0].Path + ": " + ps[0].Msg}
	}
	// Whatever is not shaped like a compose file is refused before
	// compose-go, whose errors quote keys: a spec must not make swarmgen
	// print the lines of some other file.
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode || get(doc.Content[0], "services") == nil {
		return nil, nil, &parseError{0, 0, "a stack file must be a mapping with services: (compose file format, as docker stack deploy reads it)"}
	}
	return doc, doc.Content[0], nil
}

// checkVersion: docker stack deploy reads compose files of version 3 only.
func checkVersion(root *yaml.Node, src source) *diag.Diagnostic {
	v := get(root, "version")
	if v == nil || v.Kind != yaml.ScalarNode || v.Value == "3" || strings.HasPrefix(v.Value, "3.") {
		return nil
	}
	d := src.at(v, "version", diag.Error, "%q: docker stack deploy reads only version 3 stack files; use version: %q (or remove version: and swarmgen writes %q)", v.Value, FileVersion, FileVersion)
	return &d
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
		// files compose-go would read by itself; Load refuses the fields
		// that name them (fileRefs), and this keeps the loader from them
		o.SkipInclude = true
		o.SkipExtends = true
		o.SkipResolveLabels = true
	})
}

// inlineRoot builds the stack file of an inline stack from copies of the
// spec's nodes, so that rewriting it leaves the spec alone.
func inlineRoot(s spec.Stack) *yaml.Node {
	root := &yaml.Node{Kind: yaml.MappingNode}
	set(root, "version", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: FileVersion, Style: yaml.DoubleQuotedStyle})
	for _, part := range []struct {
		key  string
		node yaml.Node
	}{{"services", s.Services}, {"networks", s.Networks}, {"volumes", s.Volumes}, {"configs", s.Configs}, {"secrets", s.Secrets}} {
		if part.node.Kind != 0 {
			set(root, part.key, copyPart(&part.node, map[*yaml.Node]*yaml.Node{}))
		}
	}
	return root
}

// copyPart copies a part of an inline stack. An alias of an anchor
// earlier in the same part stays an alias; one of an anchor elsewhere in
// the spec (say an x-defaults: &defaults block) is replaced by a copy of
// what it names, since the stack file does not hold that anchor.
func copyPart(n *yaml.Node, copied map[*yaml.Node]*yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		if target, ok := copied[n.Alias]; ok {
			c := *n
			c.Alias = target
			return &c
		}
		return deepCopy(n)
	}
	c := *n
	copied[n] = &c
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, child := range n.Content {
		c.Content[i] = copyPart(child, copied)
	}
	return &c
}

func ensureVersion(root *yaml.Node) {
	if get(root, "version") != nil {
		return
	}
	k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "version"}
	v := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: FileVersion, Style: yaml.DoubleQuotedStyle}
	if len(root.Content) > 0 {
		k.HeadComment, root.Content[0].HeadComment = root.Content[0].HeadComment, ""
	}
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
		// deploy: or ports: may come from a `<<: *defaults` merge key;
		// they are made explicit so that adding to them keeps the rest.
		expandMerges(svc)
		path := "services." + names[i]
		deploy := get(svc, "deploy")
		if deploy == nil {
			deploy = &yaml.Node{Kind: yaml.MappingNode}
			set(svc, "deploy", deploy)
		}
		if deploy.Kind != yaml.MappingNode {
			continue // compose-go reports it
		}
		expandMerges(deploy)
		if em := get(deploy, "endpoint_mode"); em != nil && em.Value == "vip" {
			diags.Add(src.at(em, path+".deploy.endpoint_mode", diag.Warning, "vip needs IPVS, which routing_mesh: false says this kernel lacks; using dnsrr"))
		}
		set(deploy, "endpoint_mode", scalar("dnsrr"))
		ports := get(svc, "ports")
		if ports == nil || ports.Kind != yaml.SequenceNode {
			continue
		}
		var content []*yaml.Node
		for j, p := range ports.Content {
			p = resolve(p)
			pp := fmt.Sprintf("%s.ports[%d]", path, j)
			switch p.Kind {
			case yaml.MappingNode:
				expandMerges(p)
				if m := get(p, "mode"); m != nil && m.Value == "ingress" {
					diags.Add(src.at(m, pp+".mode", diag.Warning, "ingress needs the routing mesh, which routing_mesh: false turns off; using host"))
				}
				set(p, "mode", scalar("host"))
				content = append(content, p)
			case yaml.ScalarNode:
				long, d := hostModePorts(p, pp, src)
				diags.Extend(d)
				if long == nil {
					content = append(content, p) // reported; compose-go reads it as written
					continue
				}
				content = append(content, long...)
			default:
				content = append(content, p) // compose-go reports it
			}
		}
		ports.Content = content
	}
	return diags
}

// hostModePorts turns one short-syntax port ([IP:]PUBLISHED:TARGET/PROTO,
// TARGET, or ranges of them) into long-syntax entries in host mode: the
// short syntax has no way to say host mode. A range becomes one entry per
// port, since stack files of version 3 allow no ranges in long syntax.
func hostModePorts(p *yaml.Node, path string, src source) ([]*yaml.Node, diag.List) {
	var diags diag.List
	configs, err := types.ParsePortConfig(p.Value)
	if err == nil && len(configs) == 0 {
		err = fmt.Errorf("no port in it")
	}
	if err != nil {
		diags.Add(src.at(p, path, diag.Error, "%q is not a port (%s); write PUBLISHED:TARGET, e.g. \"8080:80\", a TARGET alone, or the long syntax {published: 8080, target: 80}", p.Value, lowerFirst(err.Error())))
		return nil, diags
	}
	sort.SliceStable(configs, func(i, j int) bool { return configs[i].Target < configs[j].Target })
	var out []*yaml.Node
	for _, c := range configs {
		long := &yaml.Node{Kind: yaml.MappingNode, Line: p.Line, Column: p.Column}
		set(long, "target", intScalar(int(c.Target)))
		if c.Published != "" {
			pub, err := strconv.Atoi(c.Published)
			if err != nil {
				diags.Add(src.at(p, path, diag.Error, "%q: a range of published ports for one target only works with the routing mesh; with routing_mesh: false publish each port on its own, e.g. \"8080:80\"", p.Value))
				return nil, diags
			}
			set(long, "published", intScalar(pub))
		}
		if c.Protocol != "" && c.Protocol != "tcp" {
			set(long, "protocol", scalar(c.Protocol))
		}
		set(long, "mode", scalar("host"))
		out = append(out, long)
	}
	// the user's comments stay with the first entry
	out[0].HeadComment, out[0].FootComment = p.HeadComment, p.FootComment
	out[0].Content[0].LineComment = p.LineComment
	if configs[0].HostIP != "" {
		diags.Add(src.at(p, path, diag.Warning, "%q: swarm services cannot bind one host address (docker stack deploy ignores %s); the port is published on every address of the node", p.Value, configs[0].HostIP))
	}
	return out, diags
}

// expandMerges replaces the `<<` merge keys of mapping m by the keys they
// bring in (keys written in m win, then earlier merged mappings), copied
// so that changing them leaves the anchored mapping alone.
func expandMerges(m *yaml.Node) {
	hasMerge := false
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Tag == "!!merge" {
			hasMerge = true
		}
	}
	if !hasMerge {
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Tag != "!!merge" {
			seen[m.Content[i].Value] = true
		}
	}
	var content []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Tag != "!!merge" {
			content = append(content, k, v)
			continue
		}
		v = resolve(v)
		sources := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			sources = sources[:0]
			for _, s := range v.Content {
				sources = append(sources, resolve(s))
			}
		}
		for _, s := range sources {
			if s.Kind != yaml.MappingNode {
				continue // compose-go reports it
			}
			s = deepCopy(s)
			expandMerges(s)
			for j := 0; j+1 < len(s.Content); j += 2 {
				if !seen[s.Content[j].Value] {
					seen[s.Content[j].Value] = true
					content = append(content, s.Content[j], s.Content[j+1])
				}
			}
		}
	}
	m.Content = content
}

// deepCopy copies a node tree, aliases resolved and anchors dropped, so
// the copy can be changed and written without clashing anchors. An alias
// of one of its own ancestors (a cycle) is kept as it is.
func deepCopy(n *yaml.Node) *yaml.Node {
	return deepCopyPath(n, map[*yaml.Node]bool{})
}

func deepCopyPath(n *yaml.Node, ancestors map[*yaml.Node]bool) *yaml.Node {
	if r := resolve(n); r != nil && ancestors[r] {
		return n
	}
	n = resolve(n)
	ancestors[n] = true
	defer delete(ancestors, n)
	c := *n
	c.Anchor = ""
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, child := range n.Content {
		c.Content[i] = deepCopyPath(child, ancestors)
	}
	return &c
}

// deployModes are the deploy.mode values docker stack deploy accepts.
var deployModes = map[string]bool{"": true, "replicated": true, "global": true, "replicated-job": true, "global-job": true}

func workloads(p *types.Project, src source, root *yaml.Node, diags diag.List) ([]workload.Workload, diag.List) {
	var out []workload.Workload
	names := make([]string, 0, len(p.Services))
	for name := range p.Services {
		names = append(names, name)
	}
	sort.Strings(names)
	services := get(root, "services")
	for _, name := range names {
		svc := p.Services[name]
		path := "services." + name
		key, node := getKey(services, name), get(services, name)
		if key == nil {
			key = node
		}
		field := func(n *yaml.Node, fieldPath string) diag.Diagnostic {
			if n == nil {
				return src.at(key, path, diag.Error, "")
			}
			return src.at(n, path+"."+fieldPath, diag.Error, "")
		}
		if svc.Image == "" {
			diags.Add(src.at(key, path+".image", diag.Error, "docker stack deploy needs an image for every service (it ignores build:); add image:, e.g. an image built under the spec's images: as %s/NAME", spec.RegistryHost))
			continue
		}
		if img := get(node, "image"); img != nil && !strings.Contains(img.Value, "$") {
			// ${TAG} is filled in by docker stack deploy; anything else is final
			if _, err := reference.ParseNormalizedNamed(svc.Image); err != nil {
				diags.Add(src.at(img, path+".image", diag.Error, "%s is not a valid image reference: %v", diag.Quote(svc.Image), err))
				continue
			}
		}
		if svc.Build != nil {
			diags.Add(src.at(getKey(node, "build"), path+".build", diag.Warning, "docker stack deploy ignores build:; build the image under the spec's images: and use it as %s/...", spec.RegistryHost))
		}
		deploy := get(node, "deploy")
		place := get(deploy, "placement")
		w := workload.Workload{
			Name:     p.Name + "_" + name,
			Where:    src.at(key, path, diag.Error, ""),
			Image:    svc.Image,
			Replicas: 1,
			At:       map[string]diag.Diagnostic{"image": field(get(node, "image"), "image")},
		}
		if d := svc.Deploy; d != nil {
			if !deployModes[d.Mode] {
				diags.Add(src.at(get(deploy, "mode"), path+".deploy.mode", diag.Error, "%q is not a deploy mode; use replicated (the default) or global (one task on every eligible node)", d.Mode))
				continue
			}
			w.Global = d.Mode == "global" || d.Mode == "global-job"
			if d.Replicas != nil {
				w.Replicas = *d.Replicas
			}
			w.At["replicas"] = field(get(deploy, "replicas"), "deploy.replicas")
			w.MaxPerNode = int(d.Placement.MaxReplicas)
			constraints := get(place, "constraints")
			for i, c := range d.Placement.Constraints {
				at := field(constraints, "deploy.placement.constraints")
				if constraints != nil && constraints.Kind == yaml.SequenceNode && len(constraints.Content) == len(d.Placement.Constraints) {
					at = field(resolve(constraints.Content[i]), fmt.Sprintf("deploy.placement.constraints[%d]", i))
				}
				if _, err := placement.Parse(c); err != nil {
					at.Msg = err.Error()
					diags.Add(at)
					continue
				}
				w.Constraints = append(w.Constraints, c)
				w.At[fmt.Sprintf("constraints[%d]", len(w.Constraints)-1)] = at
			}
			w.At["constraints"] = field(constraints, "deploy.placement.constraints")
		}
		ports := get(node, "ports")
		for i, port := range svc.Ports {
			pub, _ := strconv.Atoi(port.Published)
			proto := port.Protocol
			if proto == "" {
				proto = "tcp"
			}
			w.Ports = append(w.Ports, workload.Port{Published: pub, Target: int(port.Target), Protocol: proto, HostMode: port.Mode == "host"})
			at := field(ports, "ports")
			if ports != nil && ports.Kind == yaml.SequenceNode && len(ports.Content) == len(svc.Ports) {
				at = field(resolve(ports.Content[i]), fmt.Sprintf("ports[%d]", i))
			}
			w.At[fmt.Sprintf("ports[%d]", i)] = at
		}
		for netName := range svc.Networks {
			if n, ok := p.Networks[netName]; ok && bool(n.External) {
				external := n.Name
				if external == "" {
					external = netName
				}
				w.Networks = append(w.Networks, external)
				w.At["networks."+external] = field(listOrMapEntry(get(node, "networks"), netName), "networks."+netName)
			}
		}
		sort.Strings(w.Networks)
		for k, v := range svc.Environment {
			if v == nil {
				w.Env = append(w.Env, k)
			} else {
				w.Env = append(w.Env, k+"="+*v)
			}
		}
		sort.Strings(w.Env)
		if svc.Deploy != nil && len(svc.Deploy.Labels) > 0 {
			w.Labels = map[string]string{}
			for k, v := range svc.Deploy.Labels {
				w.Labels[k] = v
			}
		}
		out = append(out, w)
	}
	return out, diags
}

// getKey returns the key node of key in mapping m, or nil.
func getKey(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i]
		}
	}
	return nil
}

// listOrMapEntry finds name in a compose list ([a, b]) or mapping ({a: ...}).
func listOrMapEntry(n *yaml.Node, name string) *yaml.Node {
	switch {
	case n == nil:
		return nil
	case n.Kind == yaml.MappingNode:
		return getKey(n, name)
	case n.Kind == yaml.SequenceNode:
		for _, item := range n.Content {
			if item = resolve(item); item.Kind == yaml.ScalarNode && item.Value == name {
				return item
			}
		}
	}
	return n
}

// duplicateKeys reports every key written twice in one mapping.
func duplicateKeys(n *yaml.Node, src source, path string, seen map[*yaml.Node]bool) diag.List {
	n = resolve(n)
	if n == nil || seen[n] {
		return nil
	}
	seen[n] = true
	var out diag.List
	switch n.Kind {
	case yaml.MappingNode:
		first := map[string]*yaml.Node{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			if k.Tag != "!!merge" {
				if prev, dup := first[k.Value]; dup {
					out.Add(src.at(k, p, diag.Error, "duplicate key (first defined at line %d); remove one of them", prev.Line))
					continue
				}
				first[k.Value] = k
			}
			out = append(out, duplicateKeys(n.Content[i+1], src, p, seen)...)
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			out = append(out, duplicateKeys(item, src, fmt.Sprintf("%s[%d]", path, i), seen)...)
		}
	}
	return out
}
