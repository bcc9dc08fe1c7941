package golden

import (
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/swarmgen/swarmgen/generator"
	"github.com/swarmgen/swarmgen/generator/model"
)

// TestTwoLabsDoNotClash: golden/two-labs-a and golden/two-labs-b run side
// by side on one host, so nothing host-wide may be shared: compose
// project, container names, lab subnet, host ports.
func TestTwoLabsDoNotClash(t *testing.T) {
	load := func(dir string) *model.Lab {
		res, err := generator.Generate(generator.Options{SpecPath: filepath.Join(dir, "swarm.yaml"), OutDir: filepath.Join(dir, "out")})
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		return res.Lab
	}
	a, b := load("two-labs-a"), load("two-labs-b")
	if a.Project == b.Project {
		t.Errorf("both labs are compose project %q", a.Project)
	}
	containers := func(l *model.Lab) []string {
		names := []string{l.Registry.ContainerName}
		for _, n := range l.Nodes() {
			names = append(names, n.ContainerName)
		}
		return names
	}
	seen := map[string]bool{}
	for _, n := range containers(a) {
		seen[n] = true
	}
	for _, n := range containers(b) {
		if seen[n] {
			t.Errorf("both labs have a container named %s", n)
		}
	}
	pa, pb := netip.MustParsePrefix(a.Subnet), netip.MustParsePrefix(b.Subnet)
	if pa.Overlaps(pb) {
		t.Errorf("lab subnets %s and %s overlap", pa, pb)
	}
	ports := map[model.HostPort]bool{}
	for _, p := range a.HostPorts {
		ports[p] = true
	}
	for _, p := range b.HostPorts {
		if ports[p] {
			t.Errorf("both labs publish host port %s", p)
		}
	}
	if a.Registry.PushHost == b.Registry.PushHost {
		t.Errorf("both labs push to %s", a.Registry.PushHost)
	}
}
