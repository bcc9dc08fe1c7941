package spec

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/swarmgen/swarmgen/generator/inputfile"
)

// machineDiagnostics validates src in a directory holding certs/m1 and
// certs/w1 with the three TLS files, and certs/half with only ca.pem.
func machineDiagnostics(t *testing.T, src string) []string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"m1", "w1", "half"} {
		if err := os.MkdirAll(filepath.Join(dir, "certs", d), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range TLSFiles {
			if d == "half" && f != "ca.pem" {
				continue
			}
			if err := os.WriteFile(filepath.Join(dir, "certs", d, f), []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	s, pos, diags := Parse("swarm.yaml", []byte(header+src))
	if s == nil {
		return lines(diags)
	}
	ApplyDefaults(s)
	diags.Extend(Validate(s, "swarm.yaml", dir, pos, inputfile.Policy{}))
	return lines(diags.Sorted())
}

const twoMachines = `managers:
  - {name: m1, endpoint: "tcp://127.0.0.1:23761", tls: ./certs/m1, address: 172.30.0.11}
workers:
  - {name: w1, endpoint: "tcp://127.0.0.1:23762", tls: ./certs/w1, address: 172.30.0.12}
`

func TestMachineSpecDefaults(t *testing.T) {
	s, _ := parse(t, header+`images: [{source: "a:1"}]
managers:
  - {name: m1, endpoint: "ssh://me@192.0.2.7"}
`)
	ApplyDefaults(s)
	if len(s.Workers.Nodes) != 0 {
		t.Errorf("an unset workers group of a lab of machines made %d nodes (containers)", len(s.Workers.Nodes))
	}
	if got := s.Managers.Nodes[0].Address; got != "192.0.2.7" {
		t.Errorf("address from the endpoint's IPv4 host: %q", got)
	}
	if s.Registry.Machine != "m1" || s.MachineRegistryHost() != "192.0.2.7:5000" {
		t.Errorf("registry on the first manager: machine %q, host %q", s.Registry.Machine, s.MachineRegistryHost())
	}
	if *s.TakeOverSwarm {
		t.Error("take_over_swarm defaults to true")
	}
}

func TestMachineValidation(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"good", twoMachines + "registry: {machine: m1}\ntake_over_swarm: true\n", nil},
		{"context with address", "managers:\n  - {name: m9, context: my-ctx, address: 10.0.0.9}\n", nil},
		{"mix of a machine and a container", "managers:\n  - {name: m1, endpoint: \"ssh://a@10.0.0.1\"}\nworkers:\n  - name: w1\n", []string{
			`swarm.yaml:6:5: workers[0]: node "w1" is a container (it has no endpoint or context), and other nodes of this spec are machines; swarmgen does not mix the two: give it an endpoint or context, or make every node a container`,
		}},
		{"mix with a count", "workers: 2\nmanagers:\n  - {name: m1, endpoint: \"ssh://a@10.0.0.1\"}\n", []string{
			`swarm.yaml:3:10: workers: a count of nodes makes containers, and this spec's nodes are machines (managers[0]); swarmgen does not mix the two: list the machines with name and endpoint (or context), or make every node a container`,
		}},
		{"container fields refused", "bind_address: 0.0.0.0\nlab_network: {subnet: 10.9.0.0/24}\nnodes: {image: x}\nregistry: {data: ./d}\nmanagers:\n  - {name: m1, endpoint: \"ssh://a@10.0.0.1\", ports: [\"80:80\"]}\n", []string{
			`swarm.yaml:3:15: bind_address: has no meaning in a lab of machines (nodes with endpoint or context): swarmgen starts no container; remove it`,
			`swarm.yaml:4:14: lab_network: has no meaning in a lab of machines (nodes with endpoint or context): swarmgen starts no container; remove it`,
			`swarm.yaml:5:8: nodes: has no meaning in a lab of machines (nodes with endpoint or context): swarmgen starts no container; remove it`,
			`swarm.yaml:6:18: registry.data: has no meaning in a lab of machines (nodes with endpoint or context): swarmgen starts no container; remove it`,
			`swarm.yaml:8:53: managers[0].ports: has no meaning for a machine: swarmgen starts no container for it; remove it`,
		}},
		{"tcp without tls", "managers:\n  - {name: m1, endpoint: \"tcp://10.0.0.1:2375\"}\n", []string{
			`swarm.yaml:4:26: managers[0].endpoint: a tcp endpoint needs tls: a directory with ca.pem, cert.pem and key.pem; an engine listening on TCP without TLS gives root on its machine to anyone who reaches it`,
		}},
		{"tls dir lacking files", "managers:\n  - {name: m1, endpoint: \"tcp://10.0.0.1:2376\", tls: ./certs/half}\n", []string{
			`swarm.yaml:4:54: managers[0].tls: "./certs/half" lacks cert.pem, key.pem (it must hold ca.pem, cert.pem and key.pem, as DOCKER_CERT_PATH does)`,
		}},
		{"tls dir outside the spec", "managers:\n  - {name: m1, endpoint: \"tcp://10.0.0.1:2376\", tls: ../x}\n", []string{
			`swarm.yaml:4:54: managers[0].tls: "../x" is outside the spec's directory, which a spec may not read from; move it beside the spec, or run swarmgen with --allow-outside-spec-dir if you trust this spec`,
		}},
		{"bad endpoints", "managers:\n  - {name: m1, endpoint: \"http://10.0.0.1\"}\n  - {name: m2, endpoint: \"tcp://h.example\", tls: ./certs/m1, address: 10.0.0.2}\n  - {name: m3, endpoint: \"ssh://u@h.example\", tls: ./certs/m1}\n", []string{
			`swarm.yaml:4:5: managers[0].address: missing: give the machine's swarm address (IPv4), the one the other machines reach it at; it is read from the endpoint only when its host is an IPv4 address`,
			`swarm.yaml:4:26: managers[0].endpoint: "http://10.0.0.1" is not a Docker endpoint: write tcp://HOST:PORT (e.g. tcp://192.0.2.10:2376, with tls) or ssh://USER@HOST`,
			`swarm.yaml:5:26: managers[1].endpoint: "tcp://h.example" has no port; the engine's TLS port is usually 2376: tcp://h.example:2376`,
			`swarm.yaml:6:5: managers[2].address: missing: give the machine's swarm address (IPv4), the one the other machines reach it at; it is read from the endpoint only when its host is an IPv4 address`,
			`swarm.yaml:6:52: managers[2].tls: an ssh endpoint needs no TLS material (ssh authenticates); remove tls`,
		}},
		{"endpoint and context", "managers:\n  - {name: m1, endpoint: \"ssh://a@10.0.0.1\", context: c}\n", []string{
			`swarm.yaml:4:55: managers[0].context: give endpoint or context, not both`,
		}},
		{"registry machine unknown and both", twoMachines + "registry: {machine: m7}\n", []string{
			`swarm.yaml:7:21: registry.machine: "m7" is not a node of this spec; name one of the managers or workers`,
		}},
		{"registry address and port", twoMachines + "registry: {address: \"reg:5000\", port: 5001, machine: m1}\n", []string{
			`swarm.yaml:7:21: registry.address: give registry.machine (a lab registry on that machine) or registry.address (an existing registry), not both`,
		}},
		{"registry address form", twoMachines + "registry: {address: \"reg\"}\n", []string{
			`swarm.yaml:7:21: registry.address: "reg" is not HOST:PORT, e.g. registry.example.com:5000`,
		}},
		{"machine fields on containers", "take_over_swarm: true\nregistry: {machine: manager}\nworkers:\n  - {name: w1, tls: ./certs/w1}\n", []string{
			`swarm.yaml:3:18: take_over_swarm: is for a lab of machines (nodes with endpoint or context); this lab's nodes are containers: remove it`,
			`swarm.yaml:4:21: registry.machine: is for a lab of machines (nodes with endpoint or context); this lab's nodes are containers: remove it`,
			`swarm.yaml:6:21: workers[0].tls: is the TLS material of a tcp endpoint; this node has no endpoint: add endpoint, or remove tls`,
		}},
		{"duplicate machine address", "managers:\n  - {name: m1, endpoint: \"ssh://a@10.0.0.1\"}\n  - {name: m2, endpoint: \"ssh://a@h\", address: 10.0.0.1}\n  - {name: m3, context: c, address: 10.0.0.3}\n", []string{
			`swarm.yaml:5:48: managers[1].address: 10.0.0.1 is already the address of node m1`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := machineDiagnostics(t, tt.src)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// A machine's context may not be the one swarmgen makes for the lab
// (swarmgen-NAME, or swarmgen for a lab without a name): bootstrap.sh
// would rewrite it and down remove it.
func TestMachineContextIsNotTheLabs(t *testing.T) {
	for src, want := range map[string]string{
		"managers:\n  - {name: m1, context: swarmgen, address: 192.0.2.11}\n":                    `managers[0].context: "swarmgen" is the context swarmgen makes for this lab itself`,
		"name: fleet\nmanagers:\n  - {name: m1, context: swarmgen-fleet, address: 192.0.2.11}\n": `managers[0].context: "swarmgen-fleet" is the context swarmgen makes for this lab itself`,
		"name: fleet\nmanagers:\n  - {name: m1, context: swarmgen, address: 192.0.2.11}\n":       "",
	} {
		got := machineDiagnostics(t, src)
		switch {
		case want == "" && len(got) > 0:
			t.Errorf("%s: want no error, got %q", src, got)
		case want != "" && (len(got) != 1 || !strings.Contains(got[0], want)):
			t.Errorf("%s: got %q, want %q", src, got, want)
		}
	}
}

// registry.address must be a host an image reference can start with.
func TestRegistryAddressIsAReferenceHost(t *testing.T) {
	for addr, ok := range map[string]bool{"r..x:5000": false, "-r:5000": false, "r-.x:5000": false, "registry.example.com:5000": true, "192.0.2.5:443": true, "localhost:5000": true} {
		if got := IsRegistryHost(addr); got != ok {
			t.Errorf("IsRegistryHost(%q) = %v, want %v", addr, got, ok)
		}
	}
}

// Each file of a tls directory follows the rule of every file a spec
// reads: a key.pem that links out of the spec's tree, or a ca.pem that
// is a FIFO, is refused by name.
func TestTLSFilesStayInTheSpecDir(t *testing.T) {
	dir := t.TempDir()
	certs := filepath.Join(dir, "certs", "m1")
	if err := os.MkdirAll(certs, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(certs, "cert.pem"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(certs, "key.pem")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(certs, "ca.pem"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, pos, diags := Parse("swarm.yaml", []byte(header+"managers:\n  - {name: m1, endpoint: \"tcp://127.0.0.1:23761\", tls: ./certs/m1, address: 172.30.0.11}\n"))
	ApplyDefaults(s)
	diags.Extend(Validate(s, "swarm.yaml", dir, pos, inputfile.Policy{}))
	got := strings.Join(lines(diags.Sorted()), "\n")
	for _, want := range []string{
		`managers[0].tls: "./certs/m1": ca.pem is not a regular file but a named pipe`,
		`managers[0].tls: "./certs/m1": key.pem leads outside the spec's directory`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}
