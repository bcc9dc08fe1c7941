package spec

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/distribution/reference"

	"github.com/swarmgen/swarmgen/endpoint"
	"github.com/swarmgen/swarmgen/generator/inputfile"
)

// A lab of machines: its nodes are Docker engines reached through an
// endpoint (tcp with TLS, ssh) or a docker context, not containers that
// swarmgen starts. Nothing is assumed of a machine beyond its engine.

var (
	// tcp://HOST:PORT and ssh://[USER@]HOST[:PORT]: no path, no IPv6
	// literal, nothing a shell or the docker CLI would read otherwise
	endpointRe = regexp.MustCompile(`^(tcp|ssh)://(([A-Za-z0-9._-]+)@)?([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(:([0-9]{1,5}))?$`)
	contextRe  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.+-]*$`)
	hostPortRe = regexp.MustCompile(`^([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):([0-9]{1,5})$`)
)

// TLSFiles are the files a tcp endpoint's tls directory holds, as
// DOCKER_CERT_PATH does.
var TLSFiles = []string{"ca.pem", "cert.pem", "key.pem"}

// CertsDir is where an engine reads the CA of a registry HOST:PORT from
// (certs.d/HOST:PORT/ca.crt), at each pull: no restart, no daemon config.
const CertsDir = "/etc/docker/certs.d"

// IsMachine reports whether the node is a machine, not a container.
func (n Node) IsMachine() bool { return n.Endpoint != "" || n.Context != "" }

// HasMachines reports whether the spec lists a machine: the spec is then a
// lab of machines (a mix with container nodes is refused).
func (s *Spec) HasMachines() bool {
	for _, g := range []NodeGroup{s.Managers, s.Workers} {
		for _, n := range g.Nodes {
			if n.IsMachine() {
				return true
			}
		}
	}
	return false
}

// Endpoint is a parsed node endpoint.
type Endpoint struct {
	Scheme, User, Host string
	Port               int // 0: the scheme's default
}

// ParseEndpoint parses tcp://HOST:PORT or ssh://[USER@]HOST[:PORT].
func ParseEndpoint(s string) (Endpoint, error) {
	m := endpointRe.FindStringSubmatch(s)
	if m == nil {
		return Endpoint{}, fmt.Errorf("%s is not a Docker endpoint: write tcp://HOST:PORT (e.g. tcp://192.0.2.10:2376, with tls) or ssh://USER@HOST", quoteShort(s))
	}
	e := Endpoint{Scheme: m[1], User: m[3], Host: m[4]}
	if m[7] != "" {
		e.Port, _ = strconv.Atoi(m[7])
		if e.Port < 1 || e.Port > 65535 {
			return Endpoint{}, fmt.Errorf("%s: port %d is out of range (1-65535)", quoteShort(s), e.Port)
		}
	}
	switch {
	case e.Scheme == "tcp" && e.Port == 0:
		return Endpoint{}, fmt.Errorf("%s has no port; the engine's TLS port is usually 2376: tcp://%s:2376", quoteShort(s), e.Host)
	case e.Scheme == "tcp" && e.User != "":
		return Endpoint{}, fmt.Errorf("%s: a tcp endpoint has no user; did you mean ssh://%s@%s?", quoteShort(s), e.User, e.Host)
	}
	return e, nil
}

func quoteShort(s string) string { return strconv.Quote(Shorten(s)) }

// Shorten cuts a value quoted in a message.
func Shorten(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// machineDefaults fills what a lab of machines leaves unset: no node is
// made from a count (that would be a container), a machine's swarm
// address is its endpoint's IPv4 host, and the registry runs on the first
// manager when there are images to push.
func machineDefaults(s *Spec) {
	for _, g := range []*NodeGroup{&s.Managers, &s.Workers} {
		if !g.Set {
			g.Nodes, g.FromCount = []Node{}, false
		}
		for i := range g.Nodes {
			n := &g.Nodes[i]
			if n.Address != "" || n.Endpoint == "" {
				continue
			}
			if e, err := ParseEndpoint(n.Endpoint); err == nil {
				if a, err := netip.ParseAddr(e.Host); err == nil && a.Is4() {
					n.Address = a.String()
				}
			}
		}
	}
	if s.TakeOverSwarm == nil {
		s.TakeOverSwarm = ptr(false)
	}
	if s.Registry.Machine == "" && s.Registry.Address == "" && (len(s.Images) > 0 || s.Visualizer.Builtin()) && len(s.Managers.Nodes) > 0 {
		s.Registry.Machine = s.Managers.Nodes[0].Name
	}
}

// IsRegistryHost reports whether HOST:PORT can start an image reference,
// as the reference grammar of docker and the registry reads it.
func IsRegistryHost(hostPort string) bool {
	named, err := reference.ParseNormalizedNamed(hostPort + "/swarmgen/check")
	return err == nil && reference.Domain(named) == hostPort
}

// MachineRegistryHost is HOST:PORT the machines pull the lab's images
// from: registry.address, or registry.machine's swarm address and
// registry.port; "" when the lab has none.
func (s *Spec) MachineRegistryHost() string {
	if s.Registry.Address != "" {
		return s.Registry.Address
	}
	for _, g := range []NodeGroup{s.Managers, s.Workers} {
		for _, n := range g.Nodes {
			if n.Name == s.Registry.Machine && n.Address != "" {
				return fmt.Sprintf("%s:%d", n.Address, s.Registry.Port)
			}
		}
	}
	return ""
}

// notForMachines are the fields that shape containers, with nothing to
// say of a machine: a lab of machines refuses them rather than ignore them.
var notForMachines = []string{"bind_address", "docker_endpoint", "lab_network", "nodes", "auto_restart", "registry.data"}

// machines validates a lab of machines in place of network, registry and
// nodes, which are about containers.
func (v *validator) machines(s *Spec) {
	for _, f := range notForMachines {
		if _, set := v.pos[f]; set {
			v.errf(f, "has no meaning in a lab of machines (nodes with endpoint or context): swarmgen starts no container; remove it")
		}
	}
	v.imageRef("registry.image", s.Registry.Image)
	if s.Registry.Port < 1 || s.Registry.Port > 65535 {
		v.errf("registry.port", "%d is out of range (1-65535)", s.Registry.Port)
	}
	if len(s.Managers.Nodes) == 0 {
		v.errf("managers", "a swarm needs at least one manager; list the manager machines under managers:")
	} else if m := len(s.Managers.Nodes); m%2 == 0 {
		v.warnf("managers", "%d managers tolerate %d lost manager(s), as %d do, and need more of them for a quorum; use an odd number (1, 3, 5 or 7)", m, (m-1)/2, m-1)
	}
	names := map[string]string{}
	addrs := map[string]string{}
	first := firstMachine(s)
	for _, g := range []struct {
		field string
		group NodeGroup
	}{{"managers", s.Managers}, {"workers", s.Workers}} {
		if g.group.FromCount {
			if len(g.group.Nodes) > 0 {
				v.errf(g.field, "a count of nodes makes containers, and this spec's nodes are machines (%s); swarmgen does not mix the two: list the machines with name and endpoint (or context), or make every node a container", first)
			}
			continue
		}
		for i, n := range g.group.Nodes {
			path := fmt.Sprintf("%s[%d]", g.field, i)
			if !n.IsMachine() {
				v.errf(path, "node %q is a container (it has no endpoint or context), and other nodes of this spec are machines; swarmgen does not mix the two: give it an endpoint or context, or make every node a container", n.Name)
				continue
			}
			v.machine(path, n, names, addrs)
		}
	}
	v.machineRegistry(s, names)
}

// firstMachine is the field path of the spec's first machine.
func firstMachine(s *Spec) string {
	for _, g := range []struct {
		field string
		group NodeGroup
	}{{"managers", s.Managers}, {"workers", s.Workers}} {
		for i, n := range g.group.Nodes {
			if n.IsMachine() {
				return fmt.Sprintf("%s[%d]", g.field, i)
			}
		}
	}
	return ""
}

func (v *validator) machine(path string, n Node, names, addrs map[string]string) {
	v.nodeName(path, n.Name, names)
	for _, f := range []struct {
		name string
		set  bool
	}{{"image", n.Image != ""}, {"ports", n.Ports != nil}, {"volumes", n.Volumes != nil}} {
		if _, given := v.pos[path+"."+f.name]; given && f.set {
			v.errf(path+"."+f.name, "has no meaning for a machine: swarmgen starts no container for it; remove it")
		}
	}
	switch {
	case n.Endpoint != "" && n.Context != "":
		v.errf(path+".context", "give endpoint or context, not both")
	case n.Context != "":
		if !contextRe.MatchString(n.Context) {
			v.errf(path+".context", "%q is not a docker context name (letters, digits and _ . + -)", n.Context)
		}
		if own := endpoint.ContextName(v.labName); n.Context == own {
			// bootstrap.sh would rewrite it to the lab's manager, and down remove it
			v.errf(path+".context", "%q is the context swarmgen makes for this lab itself (it points at the lab's manager, and down removes it); give the machine's own context, or its endpoint", n.Context)
		}
		if n.TLS != "" {
			v.errf(path+".tls", "a docker context holds its own TLS material; remove tls")
		}
	default:
		e, err := ParseEndpoint(n.Endpoint)
		if err != nil {
			v.errf(path+".endpoint", "%v", err)
			break
		}
		switch {
		case e.Scheme == "ssh" && n.TLS != "":
			v.errf(path+".tls", "an ssh endpoint needs no TLS material (ssh authenticates); remove tls")
		case e.Scheme == "tcp" && n.TLS == "":
			v.errf(path+".endpoint", "a tcp endpoint needs tls: a directory with ca.pem, cert.pem and key.pem; an engine listening on TCP without TLS gives root on its machine to anyone who reaches it")
		case e.Scheme == "tcp":
			v.tlsDir(path+".tls", n.TLS)
		}
	}
	v.nodeLabels(path, n.Labels)
	switch a, err := netip.ParseAddr(n.Address); {
	case n.Address == "":
		v.errf(path+".address", "missing: give the machine's swarm address (IPv4), the one the other machines reach it at; it is read from the endpoint only when its host is an IPv4 address")
	case err != nil || !a.Is4():
		v.errf(path+".address", "%q is not an IPv4 address", n.Address)
	default:
		if prev, dup := addrs[n.Address]; dup {
			v.errf(path+".address", "%s is already the address of %s", n.Address, prev)
		}
		addrs[n.Address] = "node " + n.Name
	}
}

// tlsDir checks a tcp endpoint's TLS directory: inside the spec's tree
// (unless allowed), with the three files docker reads.
func (v *validator) tlsDir(path, dir string) {
	if !pathRe.MatchString(dir) || strings.HasPrefix(dir, "-") {
		v.errf(path, "%q: a directory path may only hold letters, digits and _ . / - (and not start with -)", dir)
		return
	}
	full, ok := v.reach(path, dir)
	if !ok {
		return
	}
	if st, err := os.Stat(full); err != nil || !st.IsDir() {
		v.errf(path, "%q is not a directory (paths are relative to the spec); put ca.pem, cert.pem and key.pem there", dir)
		return
	}
	var missing []string
	for _, f := range TLSFiles {
		// the docker CLI reads them, and bootstrap.sh copies the CA
		switch _, err := v.files.Check(v.dir, full, f, MaxTLSFileBytes); {
		case errors.Is(err, fs.ErrNotExist):
			missing = append(missing, f)
		case errors.Is(err, inputfile.ErrOutside):
			v.errf(path, "%q: %s leads outside the spec's directory (a symlink), which a spec may not read from; copy the file itself there, or run swarmgen with --%s if you trust this spec", dir, f, inputfile.AllowOutsideFlag)
		case err != nil:
			v.errf(path, "%q: %s %s", dir, f, inputfile.Reason(err))
		}
	}
	if len(missing) > 0 {
		v.errf(path, "%q lacks %s (it must hold ca.pem, cert.pem and key.pem, as DOCKER_CERT_PATH does)", dir, strings.Join(missing, ", "))
	}
}

func (v *validator) machineRegistry(s *Spec, names map[string]string) {
	r := s.Registry
	switch {
	case r.Machine != "" && r.Address != "":
		v.errf("registry.address", "give registry.machine (a lab registry on that machine) or registry.address (an existing registry), not both")
	case r.Machine != "":
		if _, ok := names[r.Machine]; !ok {
			v.errf("registry.machine", "%q is not a node of this spec; name one of the managers or workers", r.Machine)
		}
	case r.Address != "":
		m := hostPortRe.FindStringSubmatch(r.Address)
		if m == nil {
			v.errf("registry.address", "%q is not HOST:PORT, e.g. registry.example.com:5000", r.Address)
			break
		}
		if p, _ := strconv.Atoi(m[3]); p < 1 || p > 65535 {
			v.errf("registry.address", "%q: port %d is out of range (1-65535)", r.Address, p)
		} else if !IsRegistryHost(r.Address) {
			v.errf("registry.address", "%q is not a registry host that an image reference can start with (each dot-separated part a name of letters, digits and '-'), e.g. registry.example.com:5000", r.Address)
		}
		if _, set := v.pos["registry.port"]; set {
			v.errf("registry.port", "is the port of the lab registry on registry.machine; registry.address names an existing registry with its port: remove registry.port")
		}
	}
}

// containersOnly refuses the fields of machines in a lab of containers.
func (v *validator) containersOnly(s *Spec) {
	for _, f := range []string{"take_over_swarm", "registry.machine", "registry.address"} {
		if _, set := v.pos[f]; set {
			v.errf(f, "is for a lab of machines (nodes with endpoint or context); this lab's nodes are containers: remove it")
		}
	}
	for _, g := range []struct {
		field string
		group NodeGroup
	}{{"managers", s.Managers}, {"workers", s.Workers}} {
		for i, n := range g.group.Nodes {
			if n.TLS != "" {
				v.errf(fmt.Sprintf("%s[%d].tls", g.field, i), "is the TLS material of a tcp endpoint; this node has no endpoint: add endpoint, or remove tls")
			}
		}
	}
}
