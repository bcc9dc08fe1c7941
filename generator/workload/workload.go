// Package workload checks what the swarm will be asked to run (stack
// services and standalone services alike) against the lab's nodes,
// networks and registry, so a lab that can never converge is refused
// before it starts.
package workload

import (
	"fmt"
	"sort"
	"strings"

	"github.com/swarmgen/swarmgen/generator/diag"
	"github.com/swarmgen/swarmgen/generator/placement"
)

// Port is one published port of a service.
type Port struct {
	Published, Target int
	Protocol          string
	HostMode          bool // mode: host; otherwise ingress (routing mesh)
}

// Workload is one swarm service as the checks need to see it.
type Workload struct {
	Name        string          // swarm service name, e.g. echo_api
	Where       diag.Diagnostic // position of its definition (Msg unused)
	Image       string
	Global      bool
	Replicas    int
	MaxPerNode  int // 0: unlimited
	Constraints []string
	Ports       []Port
	Networks    []string // external networks it needs
}

// Lab is what the workloads run on.
type Lab struct {
	Nodes        []placement.Node
	Networks     map[string]bool // overlay networks the lab creates
	Images       map[string]bool // registry:5000/... names the lab pushes
	RegistryHost string          // registry:5000
	RoutingMesh  bool
}

// Check reports every workload that references something the lab lacks
// or that can never reach its desired replicas.
func Check(lab Lab, ws []Workload) diag.List {
	var out diag.List
	errf := func(w Workload, format string, args ...any) {
		d := w.Where
		d.Severity = diag.Error
		d.Msg = fmt.Sprintf(format, args...)
		out.Add(d)
	}
	eligible := make([][]placement.Node, len(ws))
	for i, w := range ws {
		var cs []placement.Constraint
		valid := true
		for _, expr := range w.Constraints {
			c, err := placement.Parse(expr)
			if err != nil {
				errf(w, "service %s: %v", w.Name, err)
				valid = false
				continue
			}
			cs = append(cs, c)
		}
		eligible[i] = placement.Eligible(lab.Nodes, cs)
		if valid && len(eligible[i]) == 0 {
			errf(w, "service %s: no node satisfies its placement constraints [%s]; add a node that does (e.g. with the right labels) or relax them", w.Name, strings.Join(w.Constraints, ", "))
			continue
		}
		if strings.HasPrefix(w.Image, lab.RegistryHost+"/") && !lab.Images[withTag(w.Image)] {
			errf(w, "service %s: image %s is not among the images swarmgen pushes; add it under images: with name: %s", w.Name, w.Image, strings.TrimPrefix(w.Image, lab.RegistryHost+"/"))
		}
		for _, n := range w.Networks {
			if !lab.Networks[n] {
				errf(w, "service %s: external network %q is not created by the lab; add it under networks:", w.Name, n)
			}
		}
		checkHostPorts(w, eligible[i], errf)
	}
	checkPortClashes(ws, eligible, errf)
	return out
}

// checkHostPorts: a host-mode port can be bound once per node, so more
// replicas than eligible nodes leave tasks pending forever ("no suitable
// node (host-mode port already in use)").
func checkHostPorts(w Workload, eligible []placement.Node, errf func(Workload, string, ...any)) {
	if w.Global || len(eligible) == 0 {
		return
	}
	for _, p := range w.Ports {
		if !p.HostMode || p.Published == 0 {
			continue
		}
		if w.Replicas > len(eligible) {
			errf(w, "service %s: %d replicas publish host port %d in host mode, but only %d node(s) may run it (%s): swarm would leave %d task(s) pending (\"no suitable node (host-mode port already in use)\"); use at most %d replicas, deploy.mode: global, no published port, or a kernel with IPVS and routing_mesh: true",
				w.Name, w.Replicas, p.Published, len(eligible), nodeNames(eligible), w.Replicas-len(eligible), len(eligible))
			return
		}
	}
}

// checkPortClashes: an ingress port is taken on every node; a host port
// only on the nodes its service may run on.
func checkPortClashes(ws []Workload, eligible [][]placement.Node, errf func(Workload, string, ...any)) {
	type use struct {
		w     int
		port  Port
		nodes map[string]bool
	}
	byPort := map[string][]use{}
	for i, w := range ws {
		for _, p := range w.Ports {
			if p.Published == 0 {
				continue
			}
			key := fmt.Sprintf("%d/%s", p.Published, p.Protocol)
			u := use{w: i, port: p}
			if p.HostMode {
				u.nodes = map[string]bool{}
				for _, n := range eligible[i] {
					u.nodes[n.Name] = true
				}
			}
			for _, prev := range byPort[key] {
				if prev.w != i && overlap(prev.nodes, u.nodes) {
					errf(w, "service %s: published port %s is already published by service %s on the same node(s); choose another port", w.Name, key, ws[prev.w].Name)
					break
				}
			}
			byPort[key] = append(byPort[key], u)
		}
	}
}

// overlap of two node sets; nil means every node (ingress).
func overlap(a, b map[string]bool) bool {
	if a == nil || b == nil {
		return true
	}
	for n := range a {
		if b[n] {
			return true
		}
	}
	return false
}

func nodeNames(ns []placement.Node) string {
	names := make([]string, len(ns))
	for i, n := range ns {
		names[i] = n.Name
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func withTag(image string) string {
	last := image[strings.LastIndex(image, "/")+1:]
	if !strings.Contains(last, ":") && !strings.Contains(image, "@") {
		return image + ":latest"
	}
	return image
}
