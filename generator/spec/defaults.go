package spec

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/distribution/reference"
)

// Defaults of the spec; docs/spec.md documents each.
const (
	DefaultBindAddress   = "127.0.0.1"
	DefaultRegistryImage = "registry:3.0.0"
	DefaultRegistryPort  = 5000
	DefaultRegistryData  = "registry-data"
	DefaultNodeImage     = "docker:28.5.2-dind"
	DefaultManagerCount  = 1
	DefaultWorkerCount   = 3
)

// DefaultCapabilities is the set that runs Docker-in-Docker on hosts that
// refuse privileged containers (checked on a kernel whose bounding set
// lacks CAP_SYS_RESOURCE).
func DefaultCapabilities() Capabilities {
	return Capabilities{
		Add:               []string{"ALL"},
		Drop:              []string{"SYS_RESOURCE"},
		SecurityOpt:       []string{"seccomp=unconfined", "apparmor=unconfined"},
		DeviceCgroupRules: []string{"a *:* rwm"},
	}
}

func ptr[T any](v T) *T { return &v }

// ApplyDefaults fills every unset field, and turns node counts into named
// nodes, so later stages never guess.
func ApplyDefaults(s *Spec) {
	if s.BindAddress == "" {
		s.BindAddress = DefaultBindAddress
	}
	if s.RoutingMesh == nil {
		s.RoutingMesh = ptr(true)
	}
	if s.DockerEndpoint == nil {
		s.DockerEndpoint = ptr(true)
	}
	if s.Visualizer.FromMapping && s.Visualizer.Image == "" {
		s.Visualizer.Image = VisualizerBuiltin
	}
	if s.AutoRestart == nil {
		s.AutoRestart = ptr(true)
	}
	if s.Registry.Image == "" {
		s.Registry.Image = DefaultRegistryImage
	}
	if s.Registry.Port == 0 {
		s.Registry.Port = DefaultRegistryPort
	}
	if s.Registry.Data == "" {
		s.Registry.Data = DefaultRegistryData
	}
	n := &s.Nodes
	if n.Image == "" {
		n.Image = DefaultNodeImage
	}
	if n.Privileged == nil {
		n.Privileged = ptr(true)
	}
	if n.PersistData == nil {
		n.PersistData = ptr(true)
	}
	if !*n.Privileged {
		def := DefaultCapabilities()
		if n.Capabilities == nil {
			n.Capabilities = &def
		} else {
			c := n.Capabilities
			c.Add = orDefault(c.Add, def.Add)
			c.Drop = orDefault(c.Drop, def.Drop)
			c.SecurityOpt = orDefault(c.SecurityOpt, def.SecurityOpt)
			c.DeviceCgroupRules = orDefault(c.DeviceCgroupRules, def.DeviceCgroupRules)
		}
	}
	machines := s.HasMachines()
	if machines {
		machineDefaults(s) // before counts: an unset group of a lab of machines is empty
	}
	expandGroup(&s.Managers, DefaultManagerCount, "manager")
	expandGroup(&s.Workers, DefaultWorkerCount, "worker")
	for i := range s.Managers.Nodes {
		defaultNode(&s.Managers.Nodes[i], n.Image)
	}
	for i := range s.Workers.Nodes {
		defaultNode(&s.Workers.Nodes[i], n.Image)
	}
	if s.LabNetwork.Subnet == "" {
		s.LabNetwork.Subnet = DefaultSubnet(s.Name, len(s.Managers.Nodes), len(s.Workers.Nodes))
	}
	if !machines {
		assignAddresses(s)
	}
	for i := range s.Images {
		img := &s.Images[i]
		if img.Build != "" && img.Dockerfile == "" {
			img.Dockerfile = "Dockerfile"
		}
		if img.Name == "" && img.Source != "" {
			img.Name = RegistryPath(img.Source)
		}
		if img.Name == "" && img.Builtin != "" {
			img.Name = "swarmgen/" + img.Builtin + ":latest"
		}
	}
	for i := range s.Networks {
		if s.Networks[i].Attachable == nil {
			s.Networks[i].Attachable = ptr(true)
		}
	}
	for i := range s.Stacks {
		if s.Stacks[i].DeployAs == "" {
			s.Stacks[i].DeployAs = s.Stacks[i].Name
		}
	}
	for i := range s.Services {
		svc := &s.Services[i]
		if svc.Mode == "" {
			svc.Mode = "replicated"
		}
		if svc.Mode == "replicated" && svc.Replicas == nil {
			svc.Replicas = ptr(1)
		}
	}
}

func orDefault(v, def []string) []string {
	if v == nil {
		return def
	}
	return v
}

// expandGroup turns `workers: 3` into worker01..worker03. A lone manager
// is plain `manager`, as in the classic lab.
func expandGroup(g *NodeGroup, def int, prefix string) {
	if g.Nodes != nil {
		return
	}
	count := g.Count
	if !g.Set {
		count = def
	}
	if count < 0 || count > MaxNodes {
		return // reported by validation, before a billion nodes are made
	}
	g.Nodes = make([]Node, count)
	g.FromCount = true
	width := max(2, len(fmt.Sprint(count)))
	for i := range g.Nodes {
		if prefix == "manager" && count == 1 {
			g.Nodes[i].Name = prefix
			continue
		}
		g.Nodes[i].Name = fmt.Sprintf("%s%0*d", prefix, width, i+1)
	}
}

func defaultNode(n *Node, image string) {
	if n.Image == "" {
		n.Image = image
	}
}

// RegistryPath is the name an image gets in the lab registry when the spec
// does not say: its path and tag, without the registry host.
func RegistryPath(source string) string {
	named, err := reference.ParseNormalizedNamed(source)
	if err != nil {
		return "" // reported by validation
	}
	if _, digested := named.(reference.Digested); digested {
		return "" // a digest has no tag to push under: validation asks for a name
	}
	named = reference.TagNameOnly(named)
	path := reference.Path(named)
	if reference.Domain(named) == "docker.io" {
		path = reference.FamiliarName(named) // nginx, not library/nginx
	}
	if tagged, ok := named.(reference.Tagged); ok {
		return path + ":" + tagged.Tag()
	}
	return path
}

// LoadName is the registry name of a host image given to swarmgen load (the
// one images[].source would give it), or why that reference cannot be
// loaded. It is checked before it reaches any command line.
func LoadName(source string) (string, error) {
	switch {
	case source == "":
		return "", fmt.Errorf("an empty image name")
	case strings.HasPrefix(source, "-"):
		return "", fmt.Errorf("%q starts with '-': not an image reference", source)
	case strings.IndexFunc(source, unicode.IsSpace) >= 0 || !printable(source):
		return "", fmt.Errorf("%q holds a space or a control character: not an image reference", source)
	}
	if _, err := reference.ParseNormalizedNamed(source); err != nil {
		return "", fmt.Errorf("%q is not a valid image reference: %v", source, err)
	}
	name := RegistryPath(source)
	if name == "" {
		return "", fmt.Errorf("%q names an image by digest, which has no tag to push under; tag it first (docker tag %s NAME:TAG)", source, source)
	}
	return name, nil
}
