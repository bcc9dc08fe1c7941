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
	"github.com/swarmgen/swarmgen/generator/spec"
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
	MaxPerNode  int      // 0: unlimited
	Constraints []string // already checked by placement.Parse (invalid ones are skipped)
	Ports       []Port
	Networks    []string          // external networks it needs
	Env         []string          // KEY=VALUE (KEY alone: no value), sorted as docker stack deploy sets them
	Labels      map[string]string // the service's labels (deploy.labels)
	// At holds positions of its fields where known, keyed image, replicas,
	// constraints, constraints[i], ports[i] and networks.NAME; a field
	// without one is reported at Where.
	At map[string]diag.Diagnostic
}

// Lab is what the workloads run on.
type Lab struct {
	Nodes        []placement.Node
	Networks     map[string]bool // overlay networks the lab creates
	Images       map[string]bool // registry:5000/... names the lab pushes
	RegistryHost string          // registry:5000
}

// at is where a problem with field of w is reported.
func (w Workload) at(field string) diag.Diagnostic {
	if d, ok := w.At[field]; ok {
		return d
	}
	return w.Where
}

// Check reports every workload that references something the lab lacks
// or that can never reach its desired replicas. Constraints were checked
// for syntax by whoever read them (with their exact positions); one that
// does not parse is skipped here.
func Check(lab Lab, ws []Workload) diag.List {
	var out diag.List
	errf := func(w Workload, field, format string, args ...any) {
		d := w.at(field)
		d.Severity = diag.Error
		d.Msg = fmt.Sprintf(format, args...)
		out.Add(d)
	}
	eligible := make([][]placement.Node, len(ws))
	for i, w := range ws {
		var cs []placement.Constraint
		for _, expr := range w.Constraints {
			if c, err := placement.Parse(expr); err == nil {
				cs = append(cs, c)
			}
		}
		eligible[i] = placement.Eligible(lab.Nodes, cs)
		if len(eligible[i]) == 0 && len(lab.Nodes) > 0 {
			errf(w, "constraints", "service %s: no node satisfies its placement constraints [%s]: %s; add a node that does (e.g. with the right labels) or relax them", w.Name, strings.Join(w.Constraints, ", "), whyNoNode(lab.Nodes, cs))
			continue
		}
		if strings.HasPrefix(w.Image, lab.RegistryHost+"/") && !lab.Images[spec.WithTag(w.Image)] {
			name := strings.TrimPrefix(spec.WithTag(w.Image), lab.RegistryHost+"/")
			errf(w, "image", "service %s: image %s is not among the images swarmgen pushes (%s); add it under images: with name: %s, or fix the reference", w.Name, w.Image, pushed(lab.Images), name)
		}
		for _, n := range w.Networks {
			if !lab.Networks[n] {
				errf(w, "networks."+n, "service %s: external network %q is not created by the lab; add it under the spec's networks: (- name: %s)", w.Name, n, n)
			}
		}
		checkHostPorts(w, eligible[i], errf)
	}
	checkPortClashes(ws, eligible, errf)
	return out
}

// pushed lists the images the lab pushes, for messages.
func pushed(images map[string]bool) string {
	if len(images) == 0 {
		return "it pushes none"
	}
	names := make([]string, 0, len(images))
	for n := range images {
		names = append(names, n)
	}
	sort.Strings(names)
	return "it pushes " + strings.Join(names, ", ")
}

// whyNoNode names the constraint no node satisfies on its own, with what
// the nodes have, or says that the constraints exclude each other.
func whyNoNode(nodes []placement.Node, cs []placement.Constraint) string {
	for _, c := range cs {
		if len(placement.Eligible(nodes, []placement.Constraint{c})) > 0 {
			continue
		}
		op := "!="
		if c.Equal {
			op = "=="
		}
		expr := fmt.Sprintf("%s %s %s", c.Key, op, c.Value)
		if label, ok := strings.CutPrefix(c.Key, "node.labels."); ok {
			var have []string
			for _, n := range nodes {
				if v, ok := n.Labels[label]; ok {
					have = append(have, fmt.Sprintf("%s on %s", v, n.Name))
				}
			}
			if len(have) == 0 {
				return fmt.Sprintf("%s matches no node (no node has label %s)", expr, label)
			}
			return fmt.Sprintf("%s matches no node (label %s is %s)", expr, label, strings.Join(have, ", "))
		}
		return fmt.Sprintf("%s matches no node", expr)
	}
	return "each constraint matches some node, but no node matches them all"
}

// checkHostPorts: a host-mode port can be bound once per node, so more
// replicas than eligible nodes leave tasks pending forever ("no suitable
// node (host-mode port already in use)").
func checkHostPorts(w Workload, eligible []placement.Node, errf func(Workload, string, string, ...any)) {
	if w.Global || len(eligible) == 0 {
		return
	}
	for i, p := range w.Ports {
		if !p.HostMode || p.Published == 0 {
			continue
		}
		if w.Replicas > len(eligible) {
			errf(w, fmt.Sprintf("ports[%d]", i), "service %s: %d replicas publish port %d in host mode, but a node binds a host-mode port once and only %d node(s) may run it (%s), so %d task(s) would stay pending (\"host-mode port already in use\"); use at most %d replicas, global mode (one task per eligible node), more eligible nodes, or no published port (routing_mesh: false publishes every port in host mode)",
				w.Name, w.Replicas, p.Published, len(eligible), nodeNames(eligible), w.Replicas-len(eligible), len(eligible))
			return
		}
	}
}

// checkPortClashes: an ingress port is taken on every node; a host port
// only on the nodes its service may run on.
func checkPortClashes(ws []Workload, eligible [][]placement.Node, errf func(Workload, string, string, ...any)) {
	type use struct {
		w     int
		port  Port
		nodes map[string]bool
	}
	byPort := map[string][]use{}
	for i, w := range ws {
		for j, p := range w.Ports {
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
					errf(w, fmt.Sprintf("ports[%d]", j), "service %s: published port %s is already published by service %s on the same node(s); choose another port", w.Name, key, ws[prev.w].Name)
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
