package workload

import (
	"reflect"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/generator/diag"
	"github.com/swarmgen/swarmgen/generator/placement"
	"github.com/swarmgen/swarmgen/internal/testkit/goldenfile"
)

var _ = goldenfile.Update // so that `go test ./... -update` is accepted here

func lab() Lab {
	return Lab{
		Nodes: []placement.Node{
			{Name: "manager", Role: "manager"},
			{Name: "worker01", Role: "worker", Labels: map[string]string{"zone": "a"}},
			{Name: "worker02", Role: "worker", Labels: map[string]string{"zone": "b"}},
		},
		Networks:     map[string]bool{"front": true},
		Images:       map[string]bool{"registry:5000/echo:latest": true},
		RegistryHost: "registry:5000",
	}
}

func where(line int) diag.Diagnostic {
	return diag.Diagnostic{File: "swarm.yaml", Line: line, Col: 5, Path: "svc"}
}

func check(t *testing.T, l Lab, ws ...Workload) []string {
	t.Helper()
	var out []string
	for _, d := range Check(l, ws).Sorted() {
		if d.Severity != diag.Error {
			t.Errorf("not an error: %v", d)
		}
		out = append(out, d.String())
	}
	return out
}

func TestCheckAccepts(t *testing.T) {
	ws := []Workload{
		{Name: "web", Where: where(1), Image: "nginx", Replicas: 5, Ports: []Port{{80, 80, "tcp", false}}},
		{Name: "api", Where: where(2), Image: "registry:5000/echo", Replicas: 2, Networks: []string{"front"},
			Constraints: []string{"node.role == worker"}, Ports: []Port{{8080, 80, "tcp", true}}},
		// same port number, other protocol
		{Name: "dns", Where: where(3), Image: "coredns", Replicas: 1, Ports: []Port{{80, 53, "udp", false}}},
		// host mode on disjoint nodes: no clash
		{Name: "a", Where: where(4), Image: "x", Replicas: 1, Constraints: []string{"node.labels.zone == a"}, Ports: []Port{{9000, 80, "tcp", true}}},
		{Name: "b", Where: where(5), Image: "x", Replicas: 1, Constraints: []string{"node.labels.zone == b"}, Ports: []Port{{9000, 80, "tcp", true}}},
		// global with a host port: one per node, never pending
		{Name: "g", Where: where(6), Image: "x", Global: true, Ports: []Port{{9100, 9100, "tcp", true}}},
		// an unpublished port takes no host port
		{Name: "r", Where: where(7), Image: "x", Replicas: 9, Ports: []Port{{0, 80, "tcp", true}}},
	}
	if got := check(t, lab(), ws...); len(got) != 0 {
		t.Errorf("unexpected:\n%s", strings.Join(got, "\n"))
	}
}

func TestCheckReports(t *testing.T) {
	at := func(line int) diag.Diagnostic {
		return diag.Diagnostic{File: "stack.yml", Line: line, Col: 9, Path: "field"}
	}
	tests := []struct {
		name string
		ws   []Workload
		want []string
	}{
		{"unsatisfiable label", []Workload{{Name: "s", Where: where(1), Image: "x", Replicas: 1,
			Constraints: []string{"node.role == worker", "node.labels.zone == c"}, At: map[string]diag.Diagnostic{"constraints": at(7)}}},
			[]string{"stack.yml:7:9: field: service s: no node satisfies its placement constraints [node.role == worker, node.labels.zone == c]: node.labels.zone == c matches no node (label zone is a on worker01, b on worker02); add a node that does (e.g. with the right labels) or relax them"}},
		{"unknown label", []Workload{{Name: "s", Where: where(1), Image: "x", Replicas: 1, Constraints: []string{"node.labels.disk == ssd"}}},
			[]string{"swarm.yaml:1:5: svc: service s: no node satisfies its placement constraints [node.labels.disk == ssd]: node.labels.disk == ssd matches no node (no node has label disk); add a node that does (e.g. with the right labels) or relax them"}},
		{"exclusive constraints", []Workload{{Name: "s", Where: where(1), Image: "x", Replicas: 1, Constraints: []string{"node.role == manager", "node.labels.zone == a"}}},
			[]string{"swarm.yaml:1:5: svc: service s: no node satisfies its placement constraints [node.role == manager, node.labels.zone == a]: each constraint matches some node, but no node matches them all; add a node that does (e.g. with the right labels) or relax them"}},
		{"image not pushed", []Workload{{Name: "s", Where: where(1), Image: "registry:5000/api:2", Replicas: 1, At: map[string]diag.Diagnostic{"image": at(3)}}},
			[]string{"stack.yml:3:9: field: service s: image registry:5000/api:2 is not among the images swarmgen pushes (it pushes registry:5000/echo:latest); add it under images: with name: api:2, or fix the reference"}},
		{"pushed image with implicit tag", []Workload{{Name: "s", Where: where(1), Image: "registry:5000/echo", Replicas: 1}}, nil},
		{"network not created", []Workload{{Name: "s", Where: where(1), Image: "x", Replicas: 1, Networks: []string{"back", "front"}}},
			[]string{`swarm.yaml:1:5: svc: service s: external network "back" is not created by the lab; add it under the spec's networks: (- name: back)`}},
		{"host mode replicas", []Workload{{Name: "web_web", Where: where(1), Image: "x", Replicas: 3, Constraints: []string{"node.role == worker"},
			Ports: []Port{{80, 80, "tcp", false}, {8080, 80, "tcp", true}}, At: map[string]diag.Diagnostic{"ports[1]": at(12)}}},
			[]string{`stack.yml:12:9: field: service web_web: 3 replicas publish port 8080 in host mode, but a node binds a host-mode port once and only 2 node(s) may run it (worker01, worker02), so 1 task(s) would stay pending ("host-mode port already in use"); use at most 2 replicas, global mode (one task per eligible node), more eligible nodes, or no published port (routing_mesh: false publishes every port in host mode)`}},
		{"ingress port twice", []Workload{
			{Name: "a", Where: where(1), Image: "x", Replicas: 1, Ports: []Port{{80, 80, "tcp", false}}},
			{Name: "b", Where: where(2), Image: "x", Replicas: 1, Ports: []Port{{81, 81, "tcp", false}, {80, 8080, "tcp", false}}, At: map[string]diag.Diagnostic{"ports[1]": at(20)}}},
			[]string{"stack.yml:20:9: field: service b: published port 80/tcp is already published by service a on the same node(s); choose another port"}},
		{"host port beside ingress port", []Workload{
			{Name: "a", Where: where(1), Image: "x", Replicas: 1, Ports: []Port{{80, 80, "tcp", false}}},
			{Name: "b", Where: where(2), Image: "x", Global: true, Ports: []Port{{80, 80, "tcp", true}}}},
			[]string{"swarm.yaml:2:5: svc: service b: published port 80/tcp is already published by service a on the same node(s); choose another port"}},
		{"invalid constraint is the caller's to report", []Workload{{Name: "s", Where: where(1), Image: "x", Replicas: 1, Constraints: []string{"node.role = x"}}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := check(t, lab(), tt.ws...)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestCheckEmptyLabImages(t *testing.T) {
	l := lab()
	l.Images = nil
	got := check(t, l, Workload{Name: "s", Where: where(1), Image: "registry:5000/a@sha256:0123", Replicas: 1})
	want := []string{"swarm.yaml:1:5: svc: service s: image registry:5000/a@sha256:0123 is not among the images swarmgen pushes (it pushes none); add it under images: with name: a@sha256:0123, or fix the reference"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v", got)
	}
}
