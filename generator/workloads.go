package generator

import (
	"fmt"

	"github.com/swarmgen/swarmgen/generator/diag"
	"github.com/swarmgen/swarmgen/generator/placement"
	"github.com/swarmgen/swarmgen/generator/spec"
	"github.com/swarmgen/swarmgen/generator/workload"
)

// serviceWorkloads describes the spec's standalone services for the checks.
func serviceWorkloads(s *spec.Spec, file string, pos spec.Positions) []workload.Workload {
	var out []workload.Workload
	for i, svc := range s.Services {
		path := fmt.Sprintf("services[%d]", i)
		p := pos.Lookup(path)
		w := workload.Workload{
			Name:        svc.Name,
			Where:       diag.Diagnostic{File: file, Line: p.Line, Col: p.Col, Path: path},
			Image:       svc.Image,
			Global:      svc.Mode == "global",
			Constraints: svc.Constraints,
		}
		if svc.Replicas != nil {
			w.Replicas = *svc.Replicas
		}
		for _, port := range svc.Ports {
			pp, err := spec.ParsePort(port)
			if err != nil {
				continue // reported by validation
			}
			w.Ports = append(w.Ports, workload.Port{Published: pp.Published, Target: pp.Target, Protocol: pp.Protocol, HostMode: !*s.RoutingMesh})
		}
		out = append(out, w)
	}
	return out
}

// labOf is what the workloads can run on.
func labOf(s *spec.Spec) workload.Lab {
	lab := workload.Lab{Networks: map[string]bool{}, Images: map[string]bool{}, RegistryHost: spec.RegistryHost}
	for _, n := range s.Managers.Nodes {
		lab.Nodes = append(lab.Nodes, placement.Node{Name: n.Name, Role: "manager", Labels: n.Labels})
	}
	for _, n := range s.Workers.Nodes {
		lab.Nodes = append(lab.Nodes, placement.Node{Name: n.Name, Role: "worker", Labels: n.Labels})
	}
	for _, n := range s.Networks {
		lab.Networks[n.Name] = true
	}
	for _, img := range s.Images {
		if img.Name != "" {
			lab.Images[spec.RegistryImage(img.Name)] = true
		}
	}
	if s.Visualizer.Builtin() {
		lab.Images[spec.RegistryImage(VisualizerImage)] = true
	}
	return lab
}
