package spec

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/swarmgen/swarmgen/internal/endpointdef"
	"github.com/swarmgen/swarmgen/internal/ownlabels"
	"maps"
	"net/netip"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/distribution/reference"

	"github.com/swarmgen/swarmgen/generator/diag"
	"github.com/swarmgen/swarmgen/generator/inputfile"
	"github.com/swarmgen/swarmgen/generator/placement"
)

var (
	labNameRe     = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$`)
	nodeNameRe    = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	objectNameRe  = regexp.MustCompile(`^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?$`)
	netNameRe     = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9_.-]{0,62})$`)
	labelKeyRe    = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$`)
	envKeyRe      = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	capRe         = regexp.MustCompile(`^[A-Z][A-Z_]*$`)
	securityOptRe = regexp.MustCompile(`^([a-z-]+=[A-Za-z0-9_./:-]+|no-new-privileges(:true|:false)?)$`)
	deviceRuleRe  = regexp.MustCompile(`^[abc] (\*|[0-9]+):(\*|[0-9]+) [rwm]{1,3}$`)
	portRe        = regexp.MustCompile(`^([0-9]{1,5}):([0-9]{1,5})(/(tcp|udp))?$`)
	mountRe       = regexp.MustCompile(`^([A-Za-z0-9_./-]+):(/[A-Za-z0-9_./-]*)(:(ro|rw))?$`)
	volumeNameRe  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
	pathRe        = regexp.MustCompile(`^[A-Za-z0-9_./-]+$`)
)

// RegistryHost is the name and port the nodes reach the lab registry by.
const RegistryHost = "registry:5000"

// Port is a parsed HOST:CONTAINER[/proto] or PUBLISHED:TARGET[/proto].
type Port struct {
	Published, Target int
	Protocol          string
}

// ParsePort parses the short port syntax the spec accepts.
func ParsePort(s string) (Port, error) {
	m := portRe.FindStringSubmatch(s)
	if m == nil {
		return Port{}, fmt.Errorf("%s is not a port mapping: write HOST:CONTAINER, e.g. 8000:80, optionally with /tcp or /udp", diag.Quote(s))
	}
	p := Port{Protocol: "tcp"}
	p.Published, _ = strconv.Atoi(m[1])
	p.Target, _ = strconv.Atoi(m[2])
	if m[4] != "" {
		p.Protocol = m[4]
	}
	for _, v := range []int{p.Published, p.Target} {
		if v < 1 || v > 65535 {
			return Port{}, fmt.Errorf("%q: port %d is out of range (1-65535)", s, v)
		}
	}
	return p, nil
}

// ParseMount parses SOURCE:TARGET[:ro|rw].
func ParseMount(s string) (source, target, mode string, err error) {
	m := mountRe.FindStringSubmatch(s)
	if m == nil {
		return "", "", "", fmt.Errorf("%s is not a mount: write SOURCE:TARGET or SOURCE:TARGET:ro, with a volume name or a ./relative or /absolute source and an absolute target", diag.Quote(s))
	}
	return m[1], path.Clean(m[2]), m[4], nil
}

// IsBindSource reports whether a mount source is a host path, not a volume.
func IsBindSource(s string) bool {
	return strings.HasPrefix(s, "/") || strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../") || s == "." || s == ".."
}

// validator collects every problem of a defaulted spec.
type validator struct {
	file  string
	dir   string // the spec's directory, for build contexts and stack files
	files inputfile.Policy
	pos   Positions
	diags diag.List
	// unaddressed are the address fields of the nodes the lab subnet had
	// no room for
	unaddressed []string
	// dataVolumes are the volumes swarmgen declares, with their owners
	dataVolumes map[string]string
	labName     string
}

func (v *validator) add(sev diag.Severity, path, format string, args ...any) {
	p := v.pos.Lookup(path)
	v.diags.Add(diag.Diagnostic{Severity: sev, File: v.file, Line: p.Line, Col: p.Col, Path: path, Msg: msgf(format, args...)})
}

// ownText is a message part swarmgen wrote (naming at most a short
// value), which msgf leaves whole.
type ownText string

// msgf is fmt.Sprintf with every string argument cut to its first
// diag.MaxEchoBytes bytes: the values a message quotes are the user's,
// and may be up to MaxStringBytes long.
func msgf(format string, args ...any) string {
	for i, a := range args {
		if s, ok := a.(string); ok {
			args[i] = diag.Short(s)
		}
	}
	return fmt.Sprintf(format, args...)
}

func (v *validator) errf(path, format string, args ...any) { v.add(diag.Error, path, format, args...) }

// keyErrf reports a problem with the key of map entry path.
func (v *validator) keyErrf(path, format string, args ...any) {
	p := v.pos.Key(path)
	v.diags.Add(diag.Diagnostic{Severity: diag.Error, File: v.file, Line: p.Line, Col: p.Col, Path: path, Msg: msgf(format, args...)})
}

func (v *validator) warnf(path, format string, args ...any) {
	v.add(diag.Warning, path, format, args...)
}

// Validate checks a defaulted spec on its own (stack contents are checked
// by the stack package). dir is the spec's directory.
func Validate(s *Spec, file, dir string, pos Positions, files inputfile.Policy) diag.List {
	v := &validator{file: file, dir: dir, pos: pos, files: files, labName: s.Name}
	v.header(s)
	if s.HasMachines() {
		v.machines(s)
	} else {
		v.containersOnly(s)
		v.network(s)
		v.registry(s)
		v.nodes(s)
	}
	v.images(s)
	v.networks(s)
	v.stacks(s)
	v.services(s)
	v.visualizer(s)
	return v.diags
}

func (v *validator) header(s *Spec) {
	switch {
	case s.APIVersion == "":
		v.errf("apiVersion", "missing; add `apiVersion: %s` at the top of the spec", APIVersion)
	case s.APIVersion != APIVersion:
		v.errf("apiVersion", "%q is not a version this swarmgen reads; use %s", s.APIVersion, APIVersion)
	}
	switch {
	case s.Kind == "":
		v.errf("kind", "missing; add `kind: %s`", Kind)
	case s.Kind != Kind:
		v.errf("kind", "%q is not a kind swarmgen knows; use %s", s.Kind, Kind)
	}
	if s.Name != "" && !labNameRe.MatchString(s.Name) {
		v.errf("name", "%q is not a valid lab name (use a-z, 0-9 and '-', at most 32 characters, starting and ending with a letter or digit)", s.Name)
	}
	if a, err := netip.ParseAddr(s.BindAddress); err != nil || !a.Is4() {
		v.errf("bind_address", "%q is not an IPv4 address; use 127.0.0.1 (default) or 0.0.0.0 to publish on every interface", s.BindAddress)
	}
}

func (v *validator) network(s *Spec) {
	p, ok := isIPv4Subnet(s.LabNetwork.Subnet)
	if !ok {
		v.errf("lab_network.subnet", "%q is not an IPv4 subnet in CIDR form with its host bits zero, e.g. 10.247.0.0/24", s.LabNetwork.Subnet)
		return
	}
	if p.Bits() > 28 {
		v.errf("lab_network.subnet", "%s is too small for a lab; use a /28 or larger (e.g. /24)", s.LabNetwork.Subnet)
	}
}

func (v *validator) registry(s *Spec) {
	v.imageRef("registry.image", s.Registry.Image)
	if s.Registry.Port < 1 || s.Registry.Port > 65535 {
		v.errf("registry.port", "%d is out of range (1-65535)", s.Registry.Port)
	}
	v.mountSource("registry.data", s.Registry.Data)
	v.hostExposure("registry.data", s.Registry.Data)
}

func (v *validator) mountSource(path, src string) {
	if IsBindSource(src) {
		if !pathRe.MatchString(src) {
			v.errf(path, "%q: a host path may only hold letters, digits and _ . / -", src)
		}
		return
	}
	if !volumeNameRe.MatchString(src) {
		v.errf(path, "%q is neither a volume name (letters, digits, _ . -) nor a path starting with ./ or /", src)
	}
}

func (v *validator) imageRef(path, ref string) {
	if ref == "" {
		v.errf(path, "missing; give an image reference such as nginx:1.27")
		return
	}
	if _, err := reference.ParseNormalizedNamed(ref); err != nil {
		v.errf(path, "%q is not a valid image reference: %v", ref, err)
	}
}

func (v *validator) nodes(s *Spec) {
	n := s.Nodes
	v.imageRef("nodes.image", n.Image)
	if *n.Privileged && n.Capabilities != nil {
		v.errf("nodes.capabilities", "has no effect while nodes.privileged is true; set `privileged: false` to use capabilities, or remove them")
	}
	if c := n.Capabilities; c != nil {
		for i, cap := range c.Add {
			if !capRe.MatchString(cap) {
				v.errf(fmt.Sprintf("nodes.capabilities.add[%d]", i), "%q is not a capability name (e.g. ALL, NET_ADMIN)", cap)
			}
		}
		for i, cap := range c.Drop {
			if !capRe.MatchString(cap) {
				v.errf(fmt.Sprintf("nodes.capabilities.drop[%d]", i), "%q is not a capability name (e.g. SYS_RESOURCE)", cap)
			}
		}
		for i, o := range c.SecurityOpt {
			if !securityOptRe.MatchString(o) {
				v.errf(fmt.Sprintf("nodes.capabilities.security_opt[%d]", i), "%q is not a security option (e.g. seccomp=unconfined)", o)
			}
		}
		for i, r := range c.DeviceCgroupRules {
			if !deviceRuleRe.MatchString(r) {
				v.errf(fmt.Sprintf("nodes.capabilities.device_cgroup_rules[%d]", i), "%q is not a device cgroup rule (e.g. 'a *:* rwm')", r)
			}
		}
	}
	for _, g := range []struct {
		field string
		group NodeGroup
	}{{"managers", s.Managers}, {"workers", s.Workers}} {
		switch {
		case g.group.Count < 0:
			v.errf(g.field, "%d is not a node count; use 0 or more", g.group.Count)
		case g.group.Count > MaxNodes:
			v.errf(g.field, "%d nodes are more than swarmgen makes (at most %d managers and workers together); one host runs far fewer", g.group.Count, MaxNodes)
		}
	}
	if total := len(s.Managers.Nodes) + len(s.Workers.Nodes); total > MaxNodes {
		v.errf("workers", "%d managers and workers are more than swarmgen makes (at most %d); one host runs far fewer", total, MaxNodes)
	}
	switch m := len(s.Managers.Nodes); {
	case s.Managers.Count < 0 || s.Managers.Count > MaxNodes:
		// reported above
	case m == 0:
		v.errf("managers", "a swarm needs at least one manager; set `managers: 1`")
	case m%2 == 0:
		v.warnf("managers", "%d managers tolerate %d lost manager(s), as %d do, and need more of them for a quorum; use an odd number (1, 3, 5 or 7)", m, (m-1)/2, m-1)
	}

	v.dataVolumes = dataVolumesOf(s)
	if owner := v.dataVolumes[s.Registry.Data]; strings.HasPrefix(owner, "node ") {
		v.errf("registry.data", "%s is already the volume of %s, which must be its alone; pick another volume name", s.Registry.Data, owner)
	}
	subnet, subnetOK := isIPv4Subnet(s.LabNetwork.Subnet)
	registryAddr := RegistryAddress(s.LabNetwork.Subnet)
	names := map[string]string{"registry": "the registry"}
	addrs := map[string]string{}
	hostPorts := map[int]string{s.Registry.Port: "registry.port"}
	if registryAddr != "" {
		addrs[registryAddr] = "the registry"
	}
	for _, g := range []struct {
		field string
		group *NodeGroup
	}{{"managers", &s.Managers}, {"workers", &s.Workers}} {
		for i, node := range g.group.Nodes {
			path := fmt.Sprintf("%s[%d]", g.field, i)
			if g.group.FromCount {
				path = g.field // named by swarmgen from a count
			}
			v.node(path, node, subnet, subnetOK, names, addrs, hostPorts, g.field == "managers")
		}
	}
	// one line for all the nodes a subnet cannot hold, not one per node
	if len(v.unaddressed) > 0 && subnetOK {
		more := ""
		if n := len(v.unaddressed) - 1; n > 0 {
			more = fmt.Sprintf(" (nor for %d more nodes)", n)
		}
		v.errf(v.unaddressed[0], "no free address left in lab_network.subnet %s%s; use a larger subnet", subnet, more)
	}
}

func (v *validator) node(path string, n Node, subnet netip.Prefix, subnetOK bool, names, addrs map[string]string, hostPorts map[int]string, manager bool) {
	if v.nodeName(path, n.Name, names) && v.labName == "" && len(n.Name) == 1 {
		// the container is named like the node, and compose wants two characters
		v.errf(path+".name", "%q would be the container's name, which compose refuses under two characters; use a longer name or give the lab a name", n.Name)
	}
	if _, given := v.pos[path+".image"]; given {
		v.imageRef(path+".image", n.Image)
	} // else it is nodes.image, checked (and reported) there
	switch a, err := netip.ParseAddr(n.Address); {
	case n.Address == "":
		v.unaddressed = append(v.unaddressed, path+".address") // reported once, by nodes
	case err != nil || !a.Is4():
		v.errf(path+".address", "%q is not an IPv4 address", n.Address)
	case subnetOK && !subnet.Contains(a):
		v.errf(path+".address", "%s is outside lab_network.subnet %s; pick an address in it, leave address out to get one, or set lab_network.subnet", n.Address, subnet)
	case subnetOK && (a == subnet.Addr() || a == gatewayOf(subnet)):
		v.errf(path+".address", "%s is the network or gateway address; pick another", n.Address)
	default:
		if prev, dup := addrs[n.Address]; dup {
			v.errf(path+".address", "%s is already the address of %s", n.Address, prev)
		}
		addrs[n.Address] = "node " + n.Name
	}
	v.nodeLabels(path, n.Labels)
	for i, p := range n.Ports {
		pp := fmt.Sprintf("%s.ports[%d]", path, i)
		port, err := ParsePort(p)
		if err != nil {
			v.errf(pp, "%v", err)
			continue
		}
		if prev, dup := hostPorts[port.Published]; dup {
			v.errf(pp, "host port %d is already published by %s; each host port can be used once", port.Published, prev)
			continue
		}
		hostPorts[port.Published] = pp
	}
	targets := map[string]string{}
	for i, m := range n.Volumes {
		mp := fmt.Sprintf("%s.volumes[%d]", path, i)
		src, target, _, err := ParseMount(m) // target is clean: /./stack/ is /stack
		if err != nil {
			v.errf(mp, "%v", err)
			continue
		}
		v.mountSource(mp, src)
		switch {
		case target == "/var/lib/docker" || strings.HasPrefix(target, "/var/lib/docker/"):
			v.errf(mp, "/var/lib/docker is the node's own volume; use nodes.persist_data instead")
		case manager && (target == "/stack" || strings.HasPrefix(target, "/stack/")):
			v.errf(mp, "/stack is where swarmgen mounts the generated stack files on managers; mount elsewhere")
		case manager && (target == endpointdef.Mount || strings.HasPrefix(target, endpointdef.Mount+"/")):
			v.errf(mp, "%s is where swarmgen mounts the Docker endpoint's certificates on managers; mount elsewhere", endpointdef.Mount)
		case target == "/":
			v.errf(mp, "a mount on / would hide the node's own files; mount on a directory")
		case targets[target] != "":
			v.errf(mp, "%s is already the target of %s; a directory can hold one mount", target, targets[target])
		}
		targets[target] = mp
		if owner, ok := v.dataVolumes[src]; ok {
			v.errf(mp, "%s is already the volume of %s, which must be its alone; pick another volume name", src, owner)
		}
		v.hostExposure(mp, src)
	}
}

// nodeName checks a node's name and that it is unique; it reports
// whether the name is good.
func (v *validator) nodeName(path, name string, names map[string]string) bool {
	if !nodeNameRe.MatchString(name) {
		v.errf(path+".name", "%q is not a valid node name (use a-z, 0-9 and '-', at most 63 characters, starting and ending with a letter or digit)%s", name, nameHint(name))
		return false
	}
	if prev, dup := names[name]; dup {
		v.errf(path+".name", "%q is already the name of %s; node names must be unique", name, prev)
		return false
	}
	names[name] = path
	return true
}

func (v *validator) nodeLabels(path string, labels map[string]string) {
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		if !labelKeyRe.MatchString(k) {
			v.keyErrf(path+".labels."+k, "%q is not a valid label key (letters, digits, '.', '_' and '-')", k)
		} else if strings.HasPrefix(k, ownlabels.Prefix) {
			v.keyErrf(path+".labels."+k, "label keys under %s are swarmgen's own; pick another key", ownlabels.Prefix)
		}
		if !printable(labels[k]) {
			v.errf(path+".labels."+k, "label values must be printable text on one line")
		}
	}
}

// hostExposure warns, with the line, about a mount that hands the lab the
// host itself: its root directory, or its Docker engine's socket (control
// of that engine is root on the host).
func (v *validator) hostExposure(path, src string) {
	if !strings.HasPrefix(src, "/") {
		return
	}
	switch filepath.Clean(src) {
	case "/":
		v.warnf(path, "mounts the host's root directory into the lab; mount only the directory it needs")
	case "/var/run/docker.sock", "/run/docker.sock", "/var/run", "/run":
		v.warnf(path, "mounts the host's Docker socket into the lab: whatever runs there controls the host's engine, which is root on the host")
	}
}

// dataVolumesOf names the volumes swarmgen declares itself: no mount may
// use one of them a second time.
func dataVolumesOf(s *Spec) map[string]string {
	vols := map[string]string{}
	if !IsBindSource(s.Registry.Data) {
		vols[s.Registry.Data] = "the registry (registry.data)"
	}
	if *s.Nodes.PersistData {
		for _, g := range []NodeGroup{s.Managers, s.Workers} {
			for _, n := range g.Nodes {
				vols[DataVolume(n.Name)] = "node " + n.Name + "'s /var/lib/docker"
			}
		}
	}
	return vols
}

// DataVolume is the volume that holds node's /var/lib/docker.
func DataVolume(node string) string { return node + "-docker" }

// nameHint suggests a valid node name close to an invalid one.
func nameHint(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '-' || r == '_' || r == '.' || r == ' ':
			b.WriteByte('-')
		}
	}
	fixed := strings.Trim(b.String(), "-")
	if len(fixed) > 63 {
		fixed = strings.TrimRight(fixed[:63], "-")
	}
	if fixed == "" || fixed == name || !nodeNameRe.MatchString(fixed) {
		return ""
	}
	return fmt.Sprintf("; e.g. %q", fixed)
}

func gatewayOf(p netip.Prefix) netip.Addr {
	a, _ := hostAddr(p, GatewayOffset)
	return a
}

func printable(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

func (v *validator) images(s *Spec) {
	names := map[string]string{}
	for i, img := range s.Images {
		path := fmt.Sprintf("images[%d]", i)
		given := 0
		for _, f := range []string{img.Source, img.Build, img.Builtin} {
			if f != "" {
				given++
			}
		}
		switch {
		case given > 1:
			v.errf(path, "give one of source (a local image), build (a context directory) or builtin (an image swarmgen carries), not several")
		case given == 0:
			v.errf(path, "give source (a local image, e.g. yutsuki/echo:latest), build (a directory with a Dockerfile) or builtin (%s)", strings.Join(BuiltinImages, ", "))
		case img.Builtin != "":
			if !slices.Contains(BuiltinImages, img.Builtin) {
				v.errf(path+".builtin", "%q is not an image swarmgen carries; use one of: %s", img.Builtin, strings.Join(BuiltinImages, ", "))
			}
		case img.Source != "":
			v.imageRef(path+".source", img.Source)
		default:
			v.buildContext(path, img)
		}
		if img.Name == "" {
			if img.Source == "" || img.Build != "" {
				v.errf(path+".name", "missing; say what the image is called in the registry, e.g. yutsuki/echo:latest")
			} else {
				v.errf(path+".name", "missing; %q has no tag to push under, so name it, e.g. myapp:1.0", img.Source)
			}
			continue
		}
		named, err := reference.ParseNormalizedNamed(img.Name)
		switch {
		case err != nil:
			v.errf(path+".name", "%q is not a valid image name: %v", img.Name, err)
			continue
		case strings.HasPrefix(img.Name, RegistryHost+"/") || reference.Domain(named) != "docker.io":
			v.errf(path+".name", "%q: give the name without a registry host (swarmgen prefixes %s/)", img.Name, RegistryHost)
			continue
		}
		full := RegistryImage(img.Name)
		if prev, dup := names[full]; dup {
			v.errf(path+".name", "%s is already pushed by %s", full, prev)
		}
		names[full] = path
	}
}

func (v *validator) buildContext(path string, img Image) {
	switch {
	case !pathRe.MatchString(img.Build):
		v.errf(path+".build", "%q: a build context path may only hold letters, digits and _ . / -", img.Build)
		return
	case strings.HasPrefix(img.Build, "-"):
		// docker build would read it as an option
		v.errf(path+".build", "%q starts with '-'; write it as ./%s", img.Build, img.Build)
		return
	}
	if !pathRe.MatchString(img.Dockerfile) || !filepath.IsLocal(img.Dockerfile) {
		v.errf(path+".dockerfile", "%q must be a relative path inside the build context (no leading / and no ..)", img.Dockerfile)
		return
	}
	dir, ok := v.reach(path+".build", img.Build)
	if !ok {
		return
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		v.errf(path+".build", "%q is not a directory (paths are relative to the spec); create it or fix the path", img.Build)
		return
	}
	// the Dockerfile first: its own field says more than the context's
	switch _, err := v.files.Check(v.dir, dir, img.Dockerfile, MaxDockerfileBytes); {
	case errors.Is(err, fs.ErrNotExist):
		v.errf(path+".dockerfile", "no %s in build context %q", img.Dockerfile, img.Build)
		return
	case errors.Is(err, inputfile.ErrOutside):
		v.errf(path+".dockerfile", "%q leads outside the spec's directory (a symlink), which a spec may not read from; put the Dockerfile itself in the build context, or run swarmgen with --%s if you trust this spec", img.Dockerfile, inputfile.AllowOutsideFlag)
		return
	case err != nil:
		v.errf(path+".dockerfile", "%q in build context %q %s", img.Dockerfile, img.Build, inputfile.Reason(err))
		return
	}
	if p := buildContextEntries(dir, v.files); p != "" {
		v.errf(path+".build", "%q %s", img.Build, ownText(p))
	}
}

// reach returns where a path the spec names is, or reports that the spec
// may not reach it.
func (v *validator) reach(path, name string) (string, bool) {
	full, err := v.files.Resolve(v.dir, name)
	switch {
	case errors.Is(err, inputfile.ErrOutside):
		v.errf(path, "%q is outside the spec's directory, which a spec may not read from; move it beside the spec, or run swarmgen with --%s if you trust this spec", name, inputfile.AllowOutsideFlag)
		return "", false
	case err != nil:
		v.errf(path, "%q: %v", name, err)
		return "", false
	}
	return full, true
}

// RegistryImage is the name nodes pull an image by: registry:5000/NAME,
// with the tag made explicit.
func RegistryImage(name string) string {
	return RegistryHost + "/" + WithTag(name)
}

// WithTag makes an image reference's tag explicit (:latest when it has
// neither tag nor digest), so two spellings of one image compare equal.
func WithTag(ref string) string {
	last := ref[strings.LastIndex(ref, "/")+1:]
	if !strings.Contains(last, ":") && !strings.Contains(ref, "@") {
		return ref + ":latest"
	}
	return ref
}

func (v *validator) networks(s *Spec) {
	names := map[string]string{}
	lab, labOK := isIPv4Subnet(s.LabNetwork.Subnet)
	var subnets []struct {
		p    netip.Prefix
		path string
	}
	for i, n := range s.Networks {
		path := fmt.Sprintf("networks[%d]", i)
		switch {
		case !netNameRe.MatchString(n.Name):
			v.errf(path+".name", "%q is not a valid network name (letters, digits, '_', '.', '-')", n.Name)
		case n.Name == "ingress" || n.Name == "bridge" || n.Name == "host" || n.Name == "none" || n.Name == "docker_gwbridge":
			v.errf(path+".name", "%q is a network Docker creates itself; choose another name", n.Name)
		default:
			if prev, dup := names[n.Name]; dup {
				v.errf(path+".name", "%q is already defined by %s", n.Name, prev)
			}
			names[n.Name] = path
		}
		if n.Subnet == "" {
			continue
		}
		p, ok := isIPv4Subnet(n.Subnet)
		if !ok {
			v.errf(path+".subnet", "%q is not an IPv4 subnet in CIDR form with its host bits zero, e.g. 10.10.0.0/24", n.Subnet)
			continue
		}
		if labOK && p.Overlaps(lab) {
			v.errf(path+".subnet", "%s overlaps lab_network.subnet %s; overlay traffic would not route", p, lab)
		}
		for _, o := range subnets {
			if p.Overlaps(o.p) {
				v.errf(path+".subnet", "%s overlaps %s.subnet %s", p, o.path, o.p)
			}
		}
		subnets = append(subnets, struct {
			p    netip.Prefix
			path string
		}{p, path})
	}
}

func (v *validator) stacks(s *Spec) {
	names, deployed := map[string]string{}, map[string]string{}
	for i, st := range s.Stacks {
		path := fmt.Sprintf("stacks[%d]", i)
		if !objectNameRe.MatchString(st.Name) {
			v.errf(path+".name", "%q is not a valid stack name (use a-z, 0-9, '-' and '_')", st.Name)
		} else if prev, dup := names[st.Name]; dup {
			v.errf(path+".name", "%q is already the name of %s; stack files must have unique names", st.Name, prev)
		} else {
			names[st.Name] = path
		}
		if !objectNameRe.MatchString(st.DeployAs) {
			v.errf(path+".deploy_as", "%q is not a valid stack name (use a-z, 0-9, '-' and '_')", st.DeployAs)
		} else if prev, dup := deployed[st.DeployAs]; dup {
			v.errf(path+".deploy_as", "%q is already deployed by %s; two stacks with one name would overwrite each other", st.DeployAs, prev)
		} else {
			deployed[st.DeployAs] = path
		}
		inline := st.Services.Kind != 0 || st.Networks.Kind != 0 || st.Volumes.Kind != 0 || st.Configs.Kind != 0 || st.Secrets.Kind != 0
		switch {
		case st.File != "" && inline:
			v.errf(path, "give either file (an existing stack file) or services (inline), not both")
		case st.File == "" && st.Services.Kind == 0:
			v.errf(path, "give file (an existing stack file) or services (compose syntax)")
		case st.File != "":
			v.stackFile(path, st.File)
		}
	}
}

func (v *validator) stackFile(path, file string) {
	if !pathRe.MatchString(file) {
		v.errf(path+".file", "%q: a stack file path may only hold letters, digits and _ . / -", file)
		return
	}
	full, ok := v.reach(path+".file", file)
	if !ok {
		return
	}
	if st, err := os.Stat(full); err != nil || !st.Mode().IsRegular() {
		v.errf(path+".file", "%q is not a file (paths are relative to the spec)", file)
	}
}

func (v *validator) services(s *Spec) {
	names := map[string]string{}
	networks := map[string]bool{}
	for _, n := range s.Networks {
		networks[n.Name] = true
	}
	for i, svc := range s.Services {
		path := fmt.Sprintf("services[%d]", i)
		if !objectNameRe.MatchString(svc.Name) {
			v.errf(path+".name", "%q is not a valid service name (use a-z, 0-9, '-' and '_')", svc.Name)
		} else if prev, dup := names[svc.Name]; dup {
			v.errf(path+".name", "%q is already the name of %s", svc.Name, prev)
		} else {
			names[svc.Name] = path
		}
		v.imageRef(path+".image", svc.Image)
		switch svc.Mode {
		case "replicated":
			if *svc.Replicas < 0 {
				v.errf(path+".replicas", "%d is not a replica count; use 0 or more", *svc.Replicas)
			}
		case "global":
			if svc.Replicas != nil {
				v.errf(path+".replicas", "a global service runs one task per node; remove replicas or use mode: replicated")
			}
		default:
			v.errf(path+".mode", "%q is not a service mode; use replicated or global", svc.Mode)
		}
		for j, p := range svc.Ports {
			if _, err := ParsePort(p); err != nil {
				v.errf(fmt.Sprintf("%s.ports[%d]", path, j), "%v", err)
			}
		}
		for j, n := range svc.Networks {
			if !networks[n] {
				v.errf(fmt.Sprintf("%s.networks[%d]", path, j), "network %q is not defined; add it under networks:", n)
			}
		}
		for j, c := range svc.Constraints {
			if _, err := placement.Parse(c); err != nil {
				v.errf(fmt.Sprintf("%s.constraints[%d]", path, j), "%v", err)
			}
		}
		for _, k := range slices.Sorted(maps.Keys(svc.Environment)) {
			if !envKeyRe.MatchString(k) {
				v.keyErrf(path+".environment."+k, "%q is not a valid variable name (letters, digits, '_', not starting with a digit)", k)
			}
			if !printable(svc.Environment[k]) {
				v.errf(path+".environment."+k, "values must be printable text on one line")
			}
		}
		for j, a := range svc.Args {
			if !printable(a) {
				v.errf(fmt.Sprintf("%s.args[%d]", path, j), "arguments must be printable text on one line")
			}
		}
	}
}
