package spec

import (
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/generator/diag"
	"github.com/swarmgen/swarmgen/generator/inputfile"
	"github.com/swarmgen/swarmgen/internal/testkit/goldenfile"
)

var _ = goldenfile.Update // so that `go test ./... -update` is accepted here

const header = "apiVersion: swarmgen.dev/v1alpha1\nkind: Lab\n"

// parse decodes a spec and fails the test on any diagnostic.
func parse(t *testing.T, src string) (*Spec, Positions) {
	t.Helper()
	s, pos, diags := Parse("swarm.yaml", []byte(src))
	if len(diags) > 0 {
		t.Fatalf("Parse: unexpected diagnostics:\n%v", diags.Error())
	}
	return s, pos
}

// diagnostics decodes, defaults and validates a spec, as generation does.
func diagnostics(t *testing.T, src string) diag.List {
	t.Helper()
	s, pos, diags := Parse("swarm.yaml", []byte(src))
	if s == nil {
		return diags
	}
	ApplyDefaults(s)
	diags.Extend(Validate(s, "swarm.yaml", t.TempDir(), pos, inputfile.Policy{}))
	return diags.Sorted()
}

func lines(l diag.List) []string {
	var out []string
	for _, d := range l {
		out = append(out, d.String())
	}
	return out
}

func TestDecodeStrict(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string // every diagnostic, in order
	}{
		{
			name: "unknown field with suggestion",
			src:  header + "registry:\n  prot: 5000\n",
			want: []string{`swarm.yaml:4:3: registry.prot: unknown field (did you mean "port"?)`},
		},
		{
			name: "unknown field far from any",
			src:  header + "registry:\n  zzzzzzzz: 1\n",
			want: []string{`swarm.yaml:4:3: registry.zzzzzzzz: unknown field (known fields: address, data, image, machine, port)`},
		},
		{
			name: "wrong case is a typo",
			src:  header + "Name: lab\n",
			want: []string{`swarm.yaml:3:1: Name: unknown field (did you mean "name"?)`},
		},
		{
			name: "quoted number",
			src:  header + "registry:\n  port: \"5000\"\n",
			want: []string{`swarm.yaml:4:9: registry.port: must be a whole number, got the string "5000"; remove the quotes: 5000`},
		},
		{
			name: "number for a string",
			src:  header + "name: 12\n",
			want: []string{`swarm.yaml:3:7: name: must be a string, got the number 12 (quote it: "12")`},
		},
		{
			name: "yes is not a bool here",
			src:  header + "routing_mesh: yes\n",
			want: []string{`swarm.yaml:3:15: routing_mesh: must be true or false, got the string "yes"`},
		},
		{
			name: "list for a mapping",
			src:  header + "registry: [a]\n",
			want: []string{`swarm.yaml:3:11: registry: must be a mapping (key: value), got a list`},
		},
		{
			name: "mapping for a list",
			src:  header + "images: {source: a}\n",
			want: []string{`swarm.yaml:3:9: images: must be a list, got a mapping`},
		},
		{
			name: "duplicate key",
			src:  header + "name: a\nname: b\n",
			want: []string{`swarm.yaml:4:1: name: duplicate key (first defined at line 3); remove one of them`},
		},
		{
			name: "duplicate key in a list item",
			src:  header + "workers:\n  - name: a\n    name: b\n",
			want: []string{`swarm.yaml:5:5: workers[0].name: duplicate key (first defined at line 4); remove one of them`},
		},
		{
			name: "node group neither count nor list",
			src:  header + "workers: three\n",
			want: []string{`swarm.yaml:3:10: workers: must be a number of nodes or a list of nodes, got the string "three"`},
		},
		{
			name: "two documents",
			src:  header + "---\n" + header,
			want: []string{"swarm.yaml:4:1: a spec holds one document; remove the `---` and what follows it, or merge it into the first document"},
		},
		{
			name: "a trailing document marker",
			src:  header + "---\n# nothing more\n",
			want: nil,
		},
		{
			name: "document markers around one document",
			src:  "---\n" + header + "...\n",
			want: nil,
		},
		{
			name: "several errors all reported",
			src:  header + "nmae: a\nregistry:\n  port: x\nworkers:\n  - nme: w\n",
			want: []string{
				`swarm.yaml:3:1: nmae: unknown field (did you mean "name"?)`,
				`swarm.yaml:5:9: registry.port: must be a whole number, got the string "x"`,
				`swarm.yaml:7:5: workers[0].nme: unknown field (did you mean "name"?)`,
			},
		},
		{
			name: "not YAML",
			src:  header + "workers:\n  - name: a\n   labels: {}\n",
			want: []string{`swarm.yaml:4:3: not valid YAML: did not find expected '-' indicator in the block or list that starts on this line; check the indentation and brackets of the lines below it`},
		},
		{
			name: "unclosed flow list",
			src:  header + "workers: [a\nstacks: []\n",
			want: []string{`swarm.yaml:3:10: not valid YAML: did not find expected ',' or ']' in the block or list that starts on this line; check the indentation and brackets of the lines below it`},
		},
		{
			name: "empty",
			src:  "# nothing\n",
			want: []string{"swarm.yaml:1:1: the spec is empty; run `swarmgen init` for a starter swarm.yaml"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, diags := Parse("swarm.yaml", []byte(tt.src))
			got := lines(diags.Sorted())
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestDecodeExtensionFieldsIgnored(t *testing.T) {
	s, _ := parse(t, header+"x-notes: anything\nregistry:\n  x-mine: [1, 2]\n  port: 5001\n")
	if s.Registry.Port != 5001 {
		t.Errorf("port = %d", s.Registry.Port)
	}
}

func TestDecodeAnchorsAliasesAndMergeKeys(t *testing.T) {
	s, pos := parse(t, header+`
x-node: &node
  image: docker:27-dind
  labels: &labels {zone: a, disk: ssd}
x-ports: &ports ["8000:80"]
managers:
  - <<: *node
    name: m1
    ports: *ports
workers:
  - <<: *node
    name: w1
    labels: {zone: b}          # an explicit key wins over the merged one
  - <<: [*node, {image: other:1, address: 10.247.0.99}]
    name: w2
  - name: w3
    labels: *labels
`)
	want := []Node{
		{Name: "m1", Image: "docker:27-dind", Labels: map[string]string{"zone": "a", "disk": "ssd"}, Ports: []string{"8000:80"}},
	}
	if !reflect.DeepEqual(s.Managers.Nodes, want) {
		t.Errorf("managers = %+v", s.Managers.Nodes)
	}
	wantWorkers := []Node{
		{Name: "w1", Image: "docker:27-dind", Labels: map[string]string{"zone": "b"}},
		// in a list of merged mappings the first wins
		{Name: "w2", Image: "docker:27-dind", Labels: map[string]string{"zone": "a", "disk": "ssd"}, Address: "10.247.0.99"},
		{Name: "w3", Labels: map[string]string{"zone": "a", "disk": "ssd"}},
	}
	if !reflect.DeepEqual(s.Workers.Nodes, wantWorkers) {
		t.Errorf("workers = %+v", s.Workers.Nodes)
	}
	// a merged value is positioned where it is written: in the anchor
	if p := pos["workers[0].image"]; p.Line != 5 {
		t.Errorf("workers[0].image at %+v, want line 5 (in the anchor)", p)
	}
	if p := pos["workers[0].labels"]; p.Line != 15 {
		t.Errorf("workers[0].labels at %+v, want line 15", p)
	}
}

func TestDecodeMergeKeyErrors(t *testing.T) {
	_, _, diags := Parse("swarm.yaml", []byte(header+"registry:\n  <<: 5\n  port: 5000\nnodes:\n  <<: {imag: x}\n"))
	got := lines(diags.Sorted())
	want := []string{
		"swarm.yaml:4:7: registry: a merge key (<<) needs a mapping or a list of mappings, got the number 5",
		`swarm.yaml:7:8: nodes.imag: unknown field (did you mean "image"?)`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestNodeGroupShapes(t *testing.T) {
	tests := []struct {
		src       string
		set, from bool
		count     int
		names     []string
	}{
		{"", false, true, 0, []string{"worker01", "worker02", "worker03"}},
		{"workers:\n", false, true, 0, []string{"worker01", "worker02", "worker03"}},
		{"workers: 0\n", true, true, 0, []string{}},
		{"workers: 1\n", true, true, 1, []string{"worker01"}},
		{"workers: 120\n", true, true, 120, nil},
		{"workers: []\n", true, false, 0, []string{}},
		{"workers:\n  - name: a\n  - name: b\n", true, false, 0, []string{"a", "b"}},
	}
	for _, tt := range tests {
		s, _ := parse(t, header+tt.src)
		if s.Workers.Set != tt.set || s.Workers.Count != tt.count {
			t.Errorf("%q: set=%v count=%d", tt.src, s.Workers.Set, s.Workers.Count)
		}
		ApplyDefaults(s)
		if s.Workers.FromCount != tt.from {
			t.Errorf("%q: FromCount=%v", tt.src, s.Workers.FromCount)
		}
		var names []string
		for _, n := range s.Workers.Nodes {
			names = append(names, n.Name)
		}
		switch {
		case tt.names == nil:
			if len(names) != 120 || names[0] != "worker001" || names[119] != "worker120" {
				t.Errorf("%q: names %v...", tt.src, names[:3])
			}
		case len(tt.names) == 0:
			if len(names) != 0 {
				t.Errorf("%q: names %v", tt.src, names)
			}
		case !reflect.DeepEqual(names, tt.names):
			t.Errorf("%q: names %v, want %v", tt.src, names, tt.names)
		}
	}
}

func TestApplyDefaults(t *testing.T) {
	s, _ := parse(t, header+`
managers: 3
nodes:
  privileged: false
  capabilities:
    drop: []
images:
  - source: nginx
  - source: ghcr.io/acme/api:2
  - build: ./app
    name: app
networks:
  - name: net
stacks:
  - name: web
    services: {web: {image: nginx}}
services:
  - name: svc
    image: nginx
  - name: all
    image: nginx
    mode: global
`)
	ApplyDefaults(s)
	check := func(what string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", what, got, want)
		}
	}
	check("bind_address", s.BindAddress, "127.0.0.1")
	check("routing_mesh", *s.RoutingMesh, true)
	check("registry", s.Registry, Registry{Image: "registry:3.0.0", Port: 5000, Data: "registry-data"})
	check("nodes.image", s.Nodes.Image, "docker:28.5.2-dind")
	check("nodes.persist_data", *s.Nodes.PersistData, true)
	check("capabilities", *s.Nodes.Capabilities, Capabilities{
		Add:               []string{"ALL"},
		Drop:              []string{}, // given empty: kept empty, not defaulted
		SecurityOpt:       []string{"seccomp=unconfined", "apparmor=unconfined"},
		DeviceCgroupRules: []string{"a *:* rwm"},
	})
	check("lab subnet", s.LabNetwork.Subnet, "10.247.0.0/24")
	var names, addrs []string
	for _, n := range append(append([]Node(nil), s.Managers.Nodes...), s.Workers.Nodes...) {
		names = append(names, n.Name)
		addrs = append(addrs, n.Address)
		check(n.Name+" image", n.Image, "docker:28.5.2-dind")
	}
	check("names", names, []string{"manager01", "manager02", "manager03", "worker01", "worker02", "worker03"})
	check("addresses", addrs, []string{"10.247.0.10", "10.247.0.11", "10.247.0.12", "10.247.0.20", "10.247.0.21", "10.247.0.22"})
	check("image names", []string{s.Images[0].Name, s.Images[1].Name, s.Images[2].Name}, []string{"nginx:latest", "acme/api:2", "app"})
	check("dockerfile", []string{s.Images[0].Dockerfile, s.Images[2].Dockerfile}, []string{"", "Dockerfile"})
	check("attachable", *s.Networks[0].Attachable, true)
	check("deploy_as", s.Stacks[0].DeployAs, "web")
	check("service modes", []string{s.Services[0].Mode, s.Services[1].Mode}, []string{"replicated", "global"})
	check("replicas", *s.Services[0].Replicas, 1)
	if s.Services[1].Replicas != nil {
		t.Errorf("a global service got replicas %d", *s.Services[1].Replicas)
	}
}

func TestDefaultsKeepPrivilegedCapabilitiesUnset(t *testing.T) {
	s, _ := parse(t, header)
	ApplyDefaults(s)
	if !*s.Nodes.Privileged || s.Nodes.Capabilities != nil {
		t.Errorf("privileged=%v capabilities=%v", *s.Nodes.Privileged, s.Nodes.Capabilities)
	}
	if len(s.Managers.Nodes) != 1 || s.Managers.Nodes[0].Name != "manager" {
		t.Errorf("a lone default manager is named manager: %+v", s.Managers.Nodes)
	}
}

func TestAddressAssignment(t *testing.T) {
	s, _ := parse(t, header+`
lab_network: {subnet: 192.168.50.0/24}
managers:
  - name: manager02          # numbered: .11 whatever its position
  - name: boss               # unnumbered: the next free manager address
workers:
  - name: worker03           # .22
  - name: worker01
    address: 192.168.50.22   # explicit, so worker03 cannot have .22 ...
  - name: edge               # the next free worker address
  - name: worker02
`)
	ApplyDefaults(s)
	got := map[string]string{}
	for _, n := range append(append([]Node(nil), s.Managers.Nodes...), s.Workers.Nodes...) {
		got[n.Name] = n.Address
	}
	want := map[string]string{
		"manager02": "192.168.50.11",
		"boss":      "192.168.50.10",
		"worker03":  "192.168.50.20", // ... and takes the first free one
		"worker01":  "192.168.50.22",
		"edge":      "192.168.50.21",
		"worker02":  "192.168.50.23",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("addresses %v, want %v", got, want)
	}
	if a := RegistryAddress(s.LabNetwork.Subnet); a != "192.168.50.2" {
		t.Errorf("registry at %s", a)
	}
}

func TestAddressesOfManyManagersLeaveRoomBeforeWorkers(t *testing.T) {
	s, _ := parse(t, header+"managers: 15\nworkers: 2\n")
	ApplyDefaults(s)
	if got := s.Managers.Nodes[14].Address; got != "10.247.0.24" {
		t.Errorf("manager15 at %s", got)
	}
	if got := s.Workers.Nodes[0].Address; got != "10.247.0.30" {
		t.Errorf("worker01 at %s, want .30 (after the managers' 20 addresses)", got)
	}
}

func TestBigLabGetsBiggerSubnet(t *testing.T) {
	s, pos := parse(t, header+"name: big\nmanagers: 3\nworkers: 497\n")
	ApplyDefaults(s)
	p, err := netip.ParsePrefix(s.LabNetwork.Subnet)
	if err != nil {
		t.Fatal(err)
	}
	if p.Bits() != 22 {
		t.Errorf("500 nodes got %s, want a /22", p)
	}
	if p.Overlaps(netip.MustParsePrefix("10.247.0.0/24")) {
		t.Errorf("%s overlaps the unnamed lab's 10.247.0.0/24", p)
	}
	seen := map[string]string{RegistryAddress(s.LabNetwork.Subnet): "registry"}
	for _, n := range append(append([]Node(nil), s.Managers.Nodes...), s.Workers.Nodes...) {
		a, err := netip.ParseAddr(n.Address)
		if err != nil || !p.Contains(a) {
			t.Fatalf("%s: address %q not in %s", n.Name, n.Address, p)
		}
		if prev, dup := seen[n.Address]; dup {
			t.Fatalf("%s and %s share %s", n.Name, prev, n.Address)
		}
		seen[n.Address] = n.Name
	}
	if last := s.Workers.Nodes[496]; last.Name != "worker497" {
		t.Errorf("last worker %s", last.Name)
	}
	if diags := Validate(s, "swarm.yaml", t.TempDir(), pos, inputfile.Policy{}); len(diags) > 0 {
		t.Errorf("a 500-node lab does not validate:\n%v", diags.Error())
	}
}

func TestSubnetTooSmallIsReported(t *testing.T) {
	got := lines(diagnostics(t, header+"lab_network: {subnet: 10.9.0.0/27}\nworkers: 14\n"))
	want := []string{
		"swarm.yaml:4:10: workers.address: no free address left in lab_network.subnet 10.9.0.0/27 (nor for 2 more nodes); use a larger subnet",
	}
	// one line at the workers count, however many workers got no address
	if len(got) != 1 || got[0] != want[0] {
		t.Errorf("got %v", got)
	}
}

func TestDefaultSubnet(t *testing.T) {
	if got := DefaultSubnet("", 1, 3); got != "10.247.0.0/24" {
		t.Errorf("unnamed lab: %s", got)
	}
	a, b := DefaultSubnet("lab-a", 1, 3), DefaultSubnet("lab-b", 1, 3)
	if a == b {
		t.Errorf("lab-a and lab-b both get %s", a)
	}
	if a != DefaultSubnet("lab-a", 1, 3) {
		t.Error("DefaultSubnet is not stable")
	}
	classic := netip.MustParsePrefix("10.247.0.0/24")
	for _, size := range []int{3, 300, 1000, 4000, 16000} {
		for i := 0; i < 200; i++ {
			name := fmt.Sprintf("lab-%d", i)
			p, err := netip.ParsePrefix(DefaultSubnet(name, 3, size))
			if err != nil {
				t.Fatal(err)
			}
			if p.Masked() != p {
				t.Fatalf("%s, %d workers: %s has host bits", name, size, p)
			}
			if p.Overlaps(classic) && p.Bits() > 16 {
				t.Fatalf("%s, %d workers: %s overlaps the unnamed lab", name, size, p)
			}
			if need := workerOffset(3) + size + 2; 1<<(32-p.Bits())-2 < need && p.Bits() > 16 {
				t.Fatalf("%s, %d workers: %s is too small", name, size, p)
			}
			if !netip.MustParsePrefix("10.247.0.0/16").Contains(p.Addr()) {
				t.Fatalf("%s outside 10.247.0.0/16", p)
			}
		}
	}
}

func TestValidateMessages(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"even managers warn", "managers: 2\n", []string{
			"swarm.yaml:3:11: warning: managers: 2 managers tolerate 0 lost manager(s), as 1 do, and need more of them for a quorum; use an odd number (1, 3, 5 or 7)",
		}},
		{"no managers", "managers: []\n", []string{
			"swarm.yaml:3:11: managers: a swarm needs at least one manager; set `managers: 1`",
		}},
		{"negative count once", "managers: -2\n", []string{
			"swarm.yaml:3:11: managers: -2 is not a node count; use 0 or more",
		}},
		{"bad node name with hint", "workers:\n  - name: Worker_2\n", []string{
			`swarm.yaml:4:11: workers[0].name: "Worker_2" is not a valid node name (use a-z, 0-9 and '-', at most 63 characters, starting and ending with a letter or digit); e.g. "worker-2"`,
		}},
		{"node named registry", "workers:\n  - name: registry\n", []string{
			`swarm.yaml:4:11: workers[0].name: "registry" is already the name of the registry; node names must be unique`,
		}},
		{"label key is reported at the key", "workers:\n  - name: w1\n    labels:\n      \"a b\": x\n", []string{
			`swarm.yaml:6:7: workers[0].labels.a b: "a b" is not a valid label key (letters, digits, '.', '_' and '-')`,
		}},
		{"host port twice", "managers:\n  - name: m1\n    ports: [\"5000:80\"]\n", []string{
			`swarm.yaml:5:13: managers[0].ports[0]: host port 5000 is already published by registry.port; each host port can be used once`,
		}},
		{"visualizer image gets the socket", "visualizer: dockersamples/visualizer\n", []string{
			`swarm.yaml:3:13: warning: visualizer: dockersamples/visualizer gets a manager's Docker socket, which is control of that node and the swarm (:ro limits nothing on a socket); use builtin, which only reads, or an image you trust`,
		}},
		{"explicit address skipped by assignment", "workers:\n  - name: a1\n    address: 10.247.0.10\n", nil},
		{"address clash", "managers:\n  - name: m1\n    address: 10.247.0.30\nworkers:\n  - name: a1\n    address: 10.247.0.30\n", []string{
			`swarm.yaml:8:14: workers[0].address: 10.247.0.30 is already the address of node m1`,
		}},
		{"registry address", "workers:\n  - name: a1\n    address: 10.247.0.2\n", []string{
			`swarm.yaml:5:14: workers[0].address: 10.247.0.2 is already the address of the registry`,
		}},
		{"image pushed under a registry host", "images:\n  - source: a\n    name: registry:5000/a\n", []string{
			`swarm.yaml:5:11: images[0].name: "registry:5000/a": give the name without a registry host (swarmgen prefixes registry:5000/)`,
		}},
		{"service network undefined", "services:\n  - name: s\n    image: nginx\n    networks: [n]\n", []string{
			`swarm.yaml:6:16: services[0].networks[0]: network "n" is not defined; add it under networks:`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := lines(diagnostics(t, header+tt.src))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestParsePort(t *testing.T) {
	for in, want := range map[string]Port{
		"8000:80":     {8000, 80, "tcp"},
		"53:53/udp":   {53, 53, "udp"},
		"1:65535/tcp": {1, 65535, "tcp"},
	} {
		got, err := ParsePort(in)
		if err != nil || got != want {
			t.Errorf("ParsePort(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"80", "0:80", "70000:80", "8000:80/sctp", "a:b", " 80:80", "127.0.0.1:80:80"} {
		if _, err := ParsePort(bad); err == nil {
			t.Errorf("ParsePort(%q) accepted", bad)
		}
	}
}

func TestSuggest(t *testing.T) {
	known := []string{"image", "replicas", "ports"}
	for key, want := range map[string]string{
		"imag":     ` (did you mean "image"?)`,
		"Image":    ` (did you mean "image"?)`,
		"replica":  ` (did you mean "replicas"?)`,
		"volumes":  "",
		"x":        "",
		"portsss":  ` (did you mean "ports"?)`,
		"networks": "",
	} {
		if got := Suggest(key, known); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", key, got, want)
		}
	}
}
