// Package model is the lab with every derived value computed once
// (container names, addresses, push names, docker flags), so templates
// only read fields and never decide anything.
package model

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"github.com/swarmgen/swarmgen/internal/endpointdef"
	"github.com/swarmgen/swarmgen/internal/ownlabels"
	"maps"
	"net"
	"path"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/swarmgen/swarmgen/generator/spec"
	"github.com/swarmgen/swarmgen/generator/stack"
)

// Lab is everything the templates need.
type Lab struct {
	Generator   string // the command that wrote the files
	SpecFile    string // the spec, relative to the output directory
	Name        string // lab name; "" for the classic lab
	Project     string // compose project name
	BindAddress string
	RoutingMesh bool
	MeshWhere   string // spec position of routing_mesh, for preflight's advice
	Subnet      string
	// RestartPolicy of the registry and node containers: unless-stopped
	// (auto_restart) brings them back with the engine, yet keeps a
	// container stopped by hand (swarmgen stop, node stop/kill) stopped.
	RestartPolicy string
	Registry      Registry
	Managers      []Node
	Workers       []Node
	Privileged    bool
	Caps          spec.Capabilities
	PersistData   bool
	Images        []Image
	Networks      []Network
	Stacks        []Stack
	Services      []Service
	Desired       []Desired  // every service as the spec has it, to see drift
	HostPorts     []HostPort // every host port the lab publishes, sorted
	Endpoint      *Endpoint  // nil when docker_endpoint is false
	URLs          []URL
	// VisualizerAuth is the builtin visualizer's password; nil: none
	VisualizerAuth *VisualizerAuth
	// Machines: the nodes are machines (Node.Machine), not containers:
	// no compose file, no container is started for a node
	Machines bool
	// TakeOver lets a machine in another swarm leave it (take_over_swarm)
	TakeOver bool
	// BuiltinBase is the image the builtin images are made from (the
	// static Linux swarmgen, FROM scratch), "" when the lab has none;
	// BuiltinBasePublished: a release published it, so a standalone
	// bootstrap.sh can pull it
	BuiltinBase          string
	BuiltinBasePublished bool
	// RegistryMirror is the nodes' engines' --registry-mirror, the lab
	// registry ("" for machines, whose engines swarmgen does not configure)
	RegistryMirror string
	// MirrorImages are the Docker Hub images the stacks and services name,
	// which the host puts into the lab registry under their Hub paths
	MirrorImages []MirrorImage
	// OutsideImages are the images of other registries (ghcr.io/...) that
	// stacks and services name: the nodes pull them from there
	OutsideImages []string
	// MachineContext is the host's docker context that a lab of machines
	// points at its leading manager's endpoint ("" for containers, whose
	// context is Endpoint.Context)
	MachineContext string
}

// Machine is how bootstrap.sh reaches a machine's engine: the docker
// CLI's environment for it (DOCKER_HOST with DOCKER_CERT_PATH, or
// DOCKER_CONTEXT).
type Machine struct {
	Host     string // tcp://HOST:PORT or ssh://USER@HOST; "" with Context
	CertPath string // the tcp endpoint's TLS directory, relative to the generated files
	Context  string
}

// Env is the docker CLI's environment that reaches the machine, with the
// TLS directory relative to dir (the generated files' directory, "" to
// keep it relative): the one description of a machine's transport, which
// bootstrap.sh (machine_env) and swarmgen's readers both use.
func (m Machine) Env(dir string) []KV {
	if m.Context != "" {
		return []KV{{"DOCKER_CONTEXT", m.Context}}
	}
	env := []KV{{"DOCKER_HOST", m.Host}}
	if m.CertPath != "" {
		p := m.CertPath
		if dir != "" && !path.IsAbs(p) {
			p = path.Join(dir, p)
		}
		env = append(env, KV{"DOCKER_TLS_VERIFY", "1"}, KV{"DOCKER_CERT_PATH", p})
	}
	return env
}

// MachineRegistry is the lab registry run as a container on a machine,
// serving TLS with a certificate of the lab's CA, which every machine's
// engine trusts through its certs.d.
type MachineRegistry struct {
	Machine  string // the node whose engine runs it
	Volume   string // its data
	CertDir  string // its certificate and key, and the CA, relative to the generated files
	SANs     string // the certificate's subjectAltName: the registry's address
	CertsDir string // the engines' certs.d, where HOST:PORT/ca.crt goes
	ToolTag  string // the image, made on each machine with docker import, whose containers write certs.d
}

// VisualizerAuth is where bootstrap.sh reads the visualizer's password
// and the swarm secret it keeps it in. The password itself is never in
// the model.
type VisualizerAuth struct {
	PasswordFile string // relative to the output directory (./...) or absolute
	Where        string // the spec's password_file line, for messages
	Secret       string // the secret's name; its versions are Secret-DIGEST
	MaxBytes     int    // the largest password file
}

// Endpoint is the lab's Docker endpoint (package endpoint): what the
// compose file publishes and mounts, what bootstrap.sh certifies and
// registers as a docker context.
type Endpoint struct {
	Port     int    // the engines' TCP port in the lab
	Mount    string // where managers see the server's certificates
	CertDir  string // the certificates, relative to the generated files
	Context  string // the docker context's name
	HostAddr string // the address the host dials
	SANs     string // the server certificate's subjectAltName
}

// Nodes is managers then workers.
func (l *Lab) Nodes() []Node { return append(append([]Node(nil), l.Managers...), l.Workers...) }

// HasBuiltinImages reports whether the lab builds images FROM BuiltinBase.
func (l *Lab) HasBuiltinImages() bool {
	for _, img := range l.Images {
		if img.Prepared {
			return true
		}
	}
	return false
}

// NodeNames are the swarm node names the spec has.
func (l *Lab) NodeNames() []string {
	var names []string
	for _, n := range l.Nodes() {
		names = append(names, n.Name)
	}
	return names
}

// StackNames are the names the stacks are deployed as.
func (l *Lab) StackNames() []string {
	var names []string
	for _, s := range l.Stacks {
		names = append(names, s.DeployAs)
	}
	return names
}

// ServiceNames are the standalone services' names.
func (l *Lab) ServiceNames() []string {
	var names []string
	for _, s := range l.Services {
		names = append(names, s.Name)
	}
	return names
}

// NetworkNames are the overlay networks' names.
func (l *Lab) NetworkNames() []string {
	var names []string
	for _, n := range l.Networks {
		names = append(names, n.Name)
	}
	return names
}

// ContainerPrefix is what container names add to node names.
func (l *Lab) ContainerPrefix() string {
	if l.Machines {
		return "" // a machine is named as in the spec, which is its hostname
	}
	return l.containerName("")
}

// Volumes are the named volumes the compose file declares.
func (l *Lab) Volumes() []string {
	var vs []string
	if l.Registry.DataIsVolume {
		vs = append(vs, l.Registry.Data)
	}
	seen := map[string]bool{}
	for _, n := range l.Nodes() {
		if l.PersistData {
			vs = append(vs, n.DataVolume)
		}
		for _, m := range n.Mounts {
			if !spec.IsBindSource(m.Source) && !seen[m.Source] {
				seen[m.Source] = true
				vs = append(vs, m.Source)
			}
		}
	}
	return vs
}

// Registry is the lab's registry container.
type Registry struct {
	Image         string
	ContainerName string
	Address       string
	HostPort      int
	PushHost      string // how the host's engine reaches it, e.g. localhost:5000
	PullHost      string // how the nodes reach it: registry:5000, or a machine's address and port
	Data          string
	DataIsVolume  bool
	// OnMachine is set when a lab of machines runs its registry on one;
	// nil when the lab of machines names an existing registry (PushHost
	// and PullHost are then registry.address), or has none (PullHost "")
	OnMachine *MachineRegistry
}

// Node is one swarm node container.
type Node struct {
	Name          string // compose service, hostname and swarm node name
	ContainerName string
	Role          string // manager or worker
	Endpoint      bool   // the node's engine listens on TCP with TLS (managers)
	Image         string
	Address       string
	Labels        []KV
	Ports         []PortMap
	Mounts        []Mount
	DataVolume    string
	Machine       *Machine // nil for a container
}

// LabelKeys is the node's label keys as ownlabels.Managed holds them,
// comma-separated, so that a key dropped from the spec is removed while
// labels set by hand stay.
func (n Node) LabelKeys() string {
	keys := make([]string, len(n.Labels))
	for i, kv := range n.Labels {
		keys[i] = kv.Key
	}
	return strings.Join(keys, ",")
}

// KV is a key and a value, kept in a sorted slice for stable output.
type KV struct{ Key, Value string }

// PortMap publishes a node container's port on the host.
// HostPort is a port the lab publishes on the host: bootstrap.sh checks it
// is free before the nodes start. It reads "5000" (TCP) or "53/udp".
type HostPort struct {
	Port     int
	Protocol string // tcp or udp
}

func (p HostPort) String() string {
	if p.Protocol == "udp" {
		return fmt.Sprintf("%d/udp", p.Port)
	}
	return fmt.Sprint(p.Port)
}

type PortMap struct {
	Published, Target int
	Protocol          string
}

// Mount is a volume or bind mount of a node container.
type Mount struct {
	Source, Target string
	ReadOnly       bool
}

// URL is an address the summary prints.
type URL struct {
	URL, Node string
	Target    int
}

// BuiltinContext is the build context of the images swarmgen carries (the
// builtin visualizer and images[].builtin), among the generated files:
// one Dockerfile per image (BuiltinDockerfile), FROM BuiltinBase, which
// holds the static swarmgen binary. Committed with the rest, so that
// bootstrap.sh alone builds them.
const BuiltinContext = "builtin"

// ComposeRecord is where bootstrap.sh records, after compose up, the
// compose file's checksum and the containers it left, so that the next
// run skips compose up when nothing differs.
const ComposeRecord = ".swarmgen/compose-up"

// EngineSocket is where a node's Docker engine listens, inside the node:
// the node's dockerd is told it (docker-compose.yml), the visualizer
// mounts it, and bootstrap.sh waits for it before asking the engine.
const EngineSocket = "/var/run/docker.sock"

// BuiltinDockerfile is the Dockerfile, in BuiltinContext, of the builtin
// image name ("visualizer", or one of spec.BuiltinImages).
func BuiltinDockerfile(name string) string { return name + ".Dockerfile" }

// Image is an image pushed into the lab registry.
type Image struct {
	Prepared    bool   // built FROM BuiltinBase, from BuiltinContext (a builtin image)
	Source      string // local image, when not built
	Build       string // build context, relative to the output directory
	Dockerfile  string
	PushRef     string // localhost:5000/yutsuki/echo:latest
	RegistryRef string // registry:5000/yutsuki/echo:latest
	Repository  string // yutsuki/echo
	Tag         string
}

// Network is an overlay network.
type Network struct {
	Name       string
	Attachable bool
	Subnet     string
}

// Stack is a stack file and how it is deployed.
type Stack struct {
	Name     string
	DeployAs string
	File     string // stack/<name>.yml
	Source   string // the user's stack file, "" when inline
	Body     string
	Hash     string   // of the stack file; an unchanged stack is not redeployed
	Services []string // swarm service names
	// SecretVar is the variable of the stack file that names the version
	// of the visualizer's secret to mount ("" when it mounts none)
	SecretVar string
}

// Service is a standalone service with its docker service create flags.
type Service struct {
	Name  string
	Args  []string // flags and image and arguments, after `docker service create`
	Image string
	Hash  string // of Args; a changed service is recreated
}

// Options say how the files are generated.
type Options struct {
	Generator string // e.g. "swarmgen render"
	SpecFile  string // spec path relative to the output directory
	SpecDir   string // the spec's directory relative to the output directory
	MeshWhere string
	// VisualizerImage is the builtin visualizer's registry name.
	VisualizerImage string
	// Version is the module version of the swarmgen that generates (it
	// names the builtin images' base image)
	Version string
	// VisualizerAuthWhere is the spec's file:line of
	// visualizer.auth.password_file.
	VisualizerAuthWhere string
}

// Build makes the model of a defaulted, validated spec and its stacks.
func Build(s *spec.Spec, stacks []*stack.Stack, opt Options) *Lab {
	l := &Lab{
		Generator:   opt.Generator,
		SpecFile:    oneLine(opt.SpecFile),
		Name:        s.Name,
		Project:     s.Name,
		BindAddress: s.BindAddress,
		RoutingMesh: *s.RoutingMesh,
		MeshWhere:   oneLine(opt.MeshWhere),
		Subnet:      s.LabNetwork.Subnet,
		Privileged:  *s.Nodes.Privileged,
		PersistData: *s.Nodes.PersistData,
	}
	l.RestartPolicy = "no"
	if *s.AutoRestart {
		l.RestartPolicy = "unless-stopped"
	}
	if l.Project == "" {
		l.Project = "swarmgen"
	}
	if *s.DockerEndpoint {
		l.Endpoint = &Endpoint{
			Port: endpointdef.Port, Mount: endpointdef.Mount, CertDir: endpointdef.CertDir,
			Context: endpointdef.ContextName(l.Name), HostAddr: endpointdef.HostAddr(s.BindAddress),
			SANs: endpointdef.SANs(s.BindAddress),
		}
	}
	if s.Nodes.Capabilities != nil {
		l.Caps = *s.Nodes.Capabilities
	}
	l.Registry = Registry{
		Image:         s.Registry.Image,
		ContainerName: l.containerName("registry"),
		Address:       spec.RegistryAddress(s.LabNetwork.Subnet),
		HostPort:      s.Registry.Port,
		PushHost:      PushHost(s.BindAddress, fmt.Sprint(s.Registry.Port)),
		Data:          s.Registry.Data,
		DataIsVolume:  !spec.IsBindSource(s.Registry.Data),
		PullHost:      spec.RegistryHost,
	}
	if s.HasMachines() {
		l.machines(s)
	} else {
		l.HostPorts = append(l.HostPorts, HostPort{s.Registry.Port, "tcp"})
	}
	for _, n := range s.Managers.Nodes {
		l.Managers = append(l.Managers, l.node(n, "manager", opt.SpecDir))
	}
	for _, n := range s.Workers.Nodes {
		l.Workers = append(l.Workers, l.node(n, "worker", opt.SpecDir))
	}
	sort.Slice(l.HostPorts, func(i, j int) bool {
		a, b := l.HostPorts[i], l.HostPorts[j]
		return a.Port < b.Port || a.Port == b.Port && a.Protocol < b.Protocol
	})
	for _, img := range s.Images {
		l.Images = append(l.Images, image(img, l.Registry, opt.SpecDir))
	}
	if s.Visualizer.Builtin() {
		// its build context is made by `swarmgen up`, beside the generated files
		l.Images = append(l.Images, image(spec.Image{Builtin: "visualizer", Name: opt.VisualizerImage}, l.Registry, "."))
	}
	for _, n := range s.Networks {
		l.Networks = append(l.Networks, Network{Name: n.Name, Attachable: *n.Attachable, Subnet: n.Subnet})
	}
	if a := s.Visualizer.Auth; a != nil {
		l.VisualizerAuth = &VisualizerAuth{
			PasswordFile: relTo(opt.SpecDir, a.PasswordFile),
			Where:        oneLine(opt.VisualizerAuthWhere),
			Secret:       spec.VisualizerSecret,
			MaxBytes:     spec.MaxPasswordFileBytes,
		}
	}
	for _, st := range stacks {
		ms := Stack{Name: st.Name, DeployAs: st.DeployAs, File: "stack/" + st.Name + ".yml", Source: st.Source, Body: string(st.Body), Hash: hash(st.Body)}
		if l.VisualizerAuth != nil && st.Name == spec.VisualizerStack {
			ms.SecretVar = spec.VisualizerSecretVar
		}
		for _, w := range st.Workloads {
			ms.Services = append(ms.Services, w.Name)
		}
		l.Stacks = append(l.Stacks, ms)
		l.Desired = append(l.Desired, desiredStack(st.DeployAs, st.Workloads, l.Registry.PullHost)...)
	}
	for _, svc := range s.Services {
		sv := service(svc, l.RoutingMesh, l.Registry.PullHost)
		l.Services = append(l.Services, sv)
		l.Desired = append(l.Desired, desiredService(svc, sv, l.RoutingMesh))
	}
	if l.HasBuiltinImages() {
		l.BuiltinBase, l.BuiltinBasePublished = BuiltinBase(opt.Version)
	}
	if !l.Machines {
		l.RegistryMirror = RegistryMirror
		l.mirrorImages(stacks)
	}
	return l
}

func (l *Lab) containerName(node string) string {
	if l.Name == "" {
		return node
	}
	return l.Name + "-" + node
}

func (l *Lab) node(n spec.Node, role, specDir string) Node {
	if n.IsMachine() {
		m := Node{Name: n.Name, ContainerName: n.Name, Role: role, Address: n.Address,
			Machine: &Machine{Host: n.Endpoint, Context: n.Context}}
		if n.TLS != "" {
			m.Machine.CertPath = relTo(specDir, n.TLS)
		}
		for _, k := range slices.Sorted(maps.Keys(n.Labels)) {
			m.Labels = append(m.Labels, KV{k, n.Labels[k]})
		}
		return m
	}
	m := Node{
		Name:          n.Name,
		ContainerName: l.containerName(n.Name),
		Role:          role,
		Image:         n.Image,
		Address:       n.Address,
		DataVolume:    spec.DataVolume(n.Name),
	}
	for _, k := range slices.Sorted(maps.Keys(n.Labels)) {
		m.Labels = append(m.Labels, KV{k, n.Labels[k]})
	}
	for _, p := range n.Ports {
		pp, _ := spec.ParsePort(p)
		m.Ports = append(m.Ports, PortMap{Published: pp.Published, Target: pp.Target, Protocol: pp.Protocol})
		l.HostPorts = append(l.HostPorts, HostPort{pp.Published, pp.Protocol})
		if pp.Protocol == "tcp" {
			host := l.BindAddress
			if host == "0.0.0.0" {
				host = "localhost"
			}
			l.URLs = append(l.URLs, URL{URL: fmt.Sprintf("http://%s:%d", host, pp.Published), Node: n.Name, Target: pp.Target})
		}
	}
	if role == "manager" {
		m.Mounts = append(m.Mounts, Mount{Source: "./stack", Target: "/stack", ReadOnly: true})
		if l.Endpoint != nil {
			m.Endpoint = true
			m.Mounts = append(m.Mounts, Mount{Source: "./" + l.Endpoint.CertDir + "/server", Target: l.Endpoint.Mount, ReadOnly: true})
		}
	}
	for _, v := range n.Volumes {
		src, target, mode, _ := spec.ParseMount(v)
		m.Mounts = append(m.Mounts, Mount{Source: src, Target: target, ReadOnly: mode == "ro"})
	}
	return m
}

func image(img spec.Image, reg Registry, specDir string) Image {
	repo, tag := img.Name, "latest"
	if i := strings.LastIndex(img.Name, ":"); i > strings.LastIndex(img.Name, "/") {
		repo, tag = img.Name[:i], img.Name[i+1:]
	}
	m := Image{
		Source:      img.Source,
		Dockerfile:  img.Dockerfile,
		Repository:  repo,
		Tag:         tag,
		PushRef:     reg.PushHost + "/" + repo + ":" + tag,
		RegistryRef: reg.PullHost + "/" + repo + ":" + tag,
	}
	switch {
	case img.Builtin != "":
		// its build context is made by `swarmgen up`, beside the generated files
		m.Build, m.Dockerfile, m.Prepared = relTo(".", BuiltinContext), BuiltinDockerfile(img.Builtin), true
	case img.Build != "":
		m.Build = relTo(specDir, img.Build)
	}
	return m
}

// machines sets what a lab of machines has instead of containers: its
// registry, on a machine (with TLS from the lab's CA) or an existing one.
func (l *Lab) machines(s *spec.Spec) {
	l.Machines, l.TakeOver = true, *s.TakeOverSwarm
	l.Endpoint = nil // the machines' engines are endpoints already
	l.MachineContext = endpointdef.ContextName(l.Name)
	l.Registry.PullHost = s.MachineRegistryHost()
	l.Registry.PushHost = l.Registry.PullHost
	l.Registry.ContainerName = l.containerName("registry")
	if l.Name == "" {
		l.Registry.ContainerName = "swarmgen-registry"
	}
	l.Registry.Address, l.Registry.Data, l.Registry.DataIsVolume = "", "", false
	if s.Registry.Machine != "" {
		l.Registry.OnMachine = &MachineRegistry{
			Machine:  s.Registry.Machine,
			Volume:   l.Registry.ContainerName + "-data",
			CertDir:  endpointdef.CertDir + "/registry",
			SANs:     "IP:" + strings.Split(l.Registry.PullHost, ":")[0],
			CertsDir: spec.CertsDir,
			ToolTag:  "swarmgen/certs-tool:" + l.Project,
		}
	}
}

// PullName is image as the nodes pull it: an image the spec writes
// registry:5000/NAME (the classic name of the lab registry) is NAME in the
// registry at pullHost.
func PullName(image, pullHost string) string {
	if rest, ok := strings.CutPrefix(image, spec.RegistryHost+"/"); ok && pullHost != "" {
		return pullHost + "/" + rest
	}
	return image
}

// HostImage is a host image that swarmgen load puts into the lab
// registry, named there as images[].source would be.
func (l *Lab) HostImage(source string) (Image, error) {
	return HostImage(source, l.Registry)
}

// HostImage is Lab.HostImage for a lab known by its registry alone (a
// running lab found by its labels).
func HostImage(source string, reg Registry) (Image, error) {
	name, err := spec.LoadName(source)
	if err != nil {
		return Image{}, err
	}
	return image(spec.Image{Source: source, Name: name}, reg, "."), nil
}

// PushHost is where the host pushes to a lab registry published on
// bindAddress:port.
func PushHost(bindAddress, port string) string {
	if bindAddress == "0.0.0.0" || strings.HasPrefix(bindAddress, "127.") {
		bindAddress = "localhost" // an engine trusts localhost without TLS
	}
	return net.JoinHostPort(bindAddress, port)
}

// relTo makes a spec-relative path relative to the output directory. A
// relative path starts with ./ or ../, so that no command reads it as an
// option.
func relTo(specDir, p string) string {
	if !strings.HasPrefix(p, "/") && specDir != "." && specDir != "" {
		p = specDir + "/" + p
	}
	p = path.Clean(p)
	if !strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "../") && p != ".." && p != "." {
		p = "./" + p
	}
	return p
}

// service builds the docker service create arguments. Without the routing
// mesh, ports are published in host mode and the service gets DNS
// round-robin instead of an (unreachable) virtual IP.
func service(s spec.Service, mesh bool, pullHost string) Service {
	s.Image = PullName(s.Image, pullHost)
	args := []string{"--name", s.Name, "--detach", "--label", ownlabels.Service + "=" + s.Name}
	if s.Mode == "global" {
		args = append(args, "--mode", "global")
	} else {
		args = append(args, "--replicas", fmt.Sprint(*s.Replicas))
	}
	if !mesh {
		args = append(args, "--endpoint-mode", "dnsrr")
	}
	for _, p := range s.Ports {
		pp, _ := spec.ParsePort(p)
		mode := "ingress"
		if !mesh {
			mode = "host"
		}
		args = append(args, "--publish", fmt.Sprintf("published=%d,target=%d,protocol=%s,mode=%s", pp.Published, pp.Target, pp.Protocol, mode))
	}
	for _, n := range s.Networks {
		args = append(args, "--network", n)
	}
	for _, c := range s.Constraints {
		args = append(args, "--constraint", c)
	}
	for _, k := range slices.Sorted(maps.Keys(s.Environment)) {
		args = append(args, "--env", k+"="+s.Environment[k])
	}
	args = append(args, s.Image)
	args = append(args, s.Args...)
	return Service{Name: s.Name, Args: args, Image: s.Image, Hash: hash([]byte(strings.Join(args, "\x00")))}
}

// hash is a short digest that tells whether a definition changed.
func hash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// oneLine keeps a path from ending a comment line of a generated file:
// every character that does not print becomes '?', not only the ASCII
// controls but U+0085, U+2028 and U+2029, which some readers take for line
// ends, and bytes that are not UTF-8.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == utf8.RuneError || (r != ' ' && !unicode.IsPrint(r)) {
			return '?'
		}
		return r
	}, s)
}
