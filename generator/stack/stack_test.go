package stack

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/swarmgen/swarmgen/generator/diag"
	"github.com/swarmgen/swarmgen/generator/inputfile"
	"github.com/swarmgen/swarmgen/generator/spec"
	"github.com/swarmgen/swarmgen/generator/workload"
	"github.com/swarmgen/swarmgen/internal/testkit/goldenfile"
)

var _ = goldenfile.Update // so that `go test ./... -update` is accepted here

// loadFile loads content as the stack file stacks/s.yml of a spec.
func loadFile(t *testing.T, content string, mesh bool) (*Stack, []string) {
	t.Helper()
	return loadFileIn(t, t.TempDir(), content, mesh)
}

// loadFileIn is loadFile in a spec directory of the test's own.
func loadFileIn(t *testing.T, dir, content string, mesh ...bool) (*Stack, []string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "stacks"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "stacks", "s.yml"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	st, diags := Load(Input{
		Stack: spec.Stack{Name: "s", DeployAs: "s", File: "stacks/s.yml"},
		Path:  "stacks[0]", SpecFile: "swarm.yaml", SpecDir: dir,
		SpecPos: spec.Pos{Line: 3, Col: 5}, RoutingMesh: len(mesh) == 0 || mesh[0],
	})
	return st, lines(diags)
}

// loadInline loads services (compose YAML) as an inline stack of a spec
// whose stacks[0].services starts at line 1.
func loadInline(t *testing.T, services string, mesh bool) (*Stack, []string) {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(services), &doc); err != nil {
		t.Fatal(err)
	}
	st, diags := Load(Input{
		Stack: spec.Stack{Name: "s", DeployAs: "s", Services: *doc.Content[0]},
		Path:  "stacks[0]", SpecFile: "swarm.yaml", SpecDir: t.TempDir(),
		SpecPos: spec.Pos{Line: 1, Col: 1}, RoutingMesh: mesh,
	})
	return st, lines(diags)
}

func lines(l diag.List) []string {
	var out []string
	for _, d := range l.Sorted() {
		out = append(out, d.String())
	}
	return out
}

func TestFileStackKeepsCommentsAndAddsVersion(t *testing.T) {
	src := `# top comment
# second line

services:
  web:
    image: nginx   # trailing
    # before ports
    ports: ["8080:80"]
# foot
`
	st, diags := loadFile(t, src, true)
	if len(diags) > 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	want := `# top comment
# second line

version: "3.8"
services:
  web:
    image: nginx # trailing
    # before ports
    ports: ["8080:80"]
# foot
`
	if string(st.Body) != want {
		t.Errorf("body:\n%s\nwant:\n%s", st.Body, want)
	}
}

func TestFileStackKeepsVersionAndInterpolation(t *testing.T) {
	src := "version: '3.9'\nservices:\n  web:\n    image: nginx:${TAG:-1.27}\n    deploy:\n      replicas: ${N:-2}\n"
	st, diags := loadFile(t, src, true)
	if len(diags) > 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	if string(st.Body) != src {
		t.Errorf("body changed:\n%s", st.Body)
	}
	// the checks see the defaults
	if w := st.Workloads[0]; w.Image != "nginx:1.27" || w.Replicas != 2 {
		t.Errorf("workload %+v", w)
	}
}

func TestWithoutRoutingMesh(t *testing.T) {
	src := `x-deploy: &deploy
  replicas: 2
x-svc: &svc
  image: nginx
  deploy:
    replicas: 1
    endpoint_mode: vip
services:
  short:
    image: nginx
    ports:
      - "8080:80"       # kept comment
      - "127.0.0.1:8443:443"
      - 9090
      - "53:53/udp"
      - "7000-7001:8000-8001"
  long:
    image: nginx
    deploy: *deploy
    ports:
      - target: 80
        published: 81
        mode: ingress
  merged:
    <<: *svc
    ports: ["82:80"]
`
	st, diags := loadFile(t, src, false)
	wantDiags := []string{
		"stacks/s.yml:7:20: warning: services.merged.deploy.endpoint_mode: vip needs IPVS, which routing_mesh: false says this kernel lacks; using dnsrr",
		`stacks/s.yml:13:9: warning: services.short.ports[1]: "127.0.0.1:8443:443": swarm services cannot bind one host address (docker stack deploy ignores 127.0.0.1); the port is published on every address of the node`,
		"stacks/s.yml:23:15: warning: services.long.ports[0].mode: ingress needs the routing mesh, which routing_mesh: false turns off; using host",
	}
	if !reflect.DeepEqual(diags, wantDiags) {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(diags, "\n"), strings.Join(wantDiags, "\n"))
	}
	if st == nil {
		t.Fatal("no stack")
	}
	var body map[string]any
	if err := yaml.Unmarshal(st.Body, &body); err != nil {
		t.Fatal(err)
	}
	services := body["services"].(map[string]any)
	ports := func(svc string) []any { return services[svc].(map[string]any)["ports"].([]any) }
	hostPort := func(pub, target int, proto string) map[string]any {
		m := map[string]any{"target": target, "mode": "host"}
		if pub != 0 {
			m["published"] = pub
		}
		if proto != "" {
			m["protocol"] = proto
		}
		return m
	}
	wantShort := []any{hostPort(8080, 80, ""), hostPort(8443, 443, ""), hostPort(0, 9090, ""), hostPort(53, 53, "udp"), hostPort(7000, 8000, ""), hostPort(7001, 8001, "")}
	if got := ports("short"); !reflect.DeepEqual(got, wantShort) {
		t.Errorf("short ports %v\nwant %v", got, wantShort)
	}
	if got := ports("long"); !reflect.DeepEqual(got, []any{hostPort(81, 80, "")}) {
		t.Errorf("long ports %v", got)
	}
	if got := ports("merged"); !reflect.DeepEqual(got, []any{hostPort(82, 80, "")}) {
		t.Errorf("merged ports %v", got)
	}
	for name, svc := range services {
		d := svc.(map[string]any)["deploy"].(map[string]any)
		if d["endpoint_mode"] != "dnsrr" {
			t.Errorf("%s: endpoint_mode %v", name, d["endpoint_mode"])
		}
	}
	// the merged deploy kept its replicas, the aliased one too
	if d := services["merged"].(map[string]any)["deploy"].(map[string]any); d["replicas"] != 1 {
		t.Errorf("merged deploy lost its replicas: %v", d)
	}
	if d := services["long"].(map[string]any)["deploy"].(map[string]any); d["replicas"] != 2 {
		t.Errorf("aliased deploy lost its replicas: %v", d)
	}
	if !strings.Contains(string(st.Body), "- target: 80 # kept comment\n") {
		t.Errorf("the port's comment is lost:\n%s", st.Body)
	}
	// the checks see host-mode ports
	for _, w := range st.Workloads {
		for _, p := range w.Ports {
			if !p.HostMode {
				t.Errorf("%s: %+v is not in host mode", w.Name, p)
			}
		}
	}
}

func TestWithoutRoutingMeshBadPorts(t *testing.T) {
	_, diags := loadInline(t, "web:\n  image: nginx\n  ports:\n    - \"8000-8001:80\"\n    - \"abc\"\n", false)
	want := []string{
		`swarm.yaml:4:7: stacks[0].services.web.ports[0]: "8000-8001:80": a range of published ports for one target only works with the routing mesh; with routing_mesh: false publish each port on its own, e.g. "8080:80"`,
		`swarm.yaml:5:7: stacks[0].services.web.ports[1]: "abc" is not a port (invalid containerPort: abc); write PUBLISHED:TARGET, e.g. "8080:80", a TARGET alone, or the long syntax {published: 8080, target: 80}`,
	}
	if !reflect.DeepEqual(diags, want) {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(diags, "\n"), strings.Join(want, "\n"))
	}
}

func TestComposeErrorsPointAtTheField(t *testing.T) {
	tests := []struct {
		name, services string
		want           []string
	}{
		{"unknown service field", "web:\n  image: nginx\n  imag: x\n",
			[]string{`swarm.yaml:3:3: stacks[0].services.web.imag: unknown field (did you mean "image"?)`}},
		{"unknown deploy field", "web:\n  image: nginx\n  deploy:\n    replica: 2\n",
			[]string{`swarm.yaml:4:5: stacks[0].services.web.deploy.replica: unknown field (did you mean "replicas"?)`}},
		{"wrong type", "web:\n  image: nginx\n  deploy:\n    replicas: three\n",
			[]string{`swarm.yaml:4:15: stacks[0].services.web.deploy.replicas: must be a whole number, got "three"`}},
		{"bad size", "web:\n  image: nginx\n  deploy:\n    resources:\n      limits:\n        memory: lots\n",
			[]string{`swarm.yaml:6:17: stacks[0].services.web.deploy.resources.limits.memory: must be a size such as 512m or 1g, got 'lots'`}},
		{"undefined network", "web:\n  image: nginx\n  networks:\n    - default\n    - back\n",
			[]string{`swarm.yaml:5:7: stacks[0].services.web.networks: network "back" is not declared in the stack's top-level networks: section; declare it there (with external: true for a network the lab creates from the spec's networks:)`}},
		{"undefined volume", "web:\n  image: nginx\n  volumes:\n    - data:/data\n",
			[]string{`swarm.yaml:4:7: stacks[0].services.web.volumes: volume "data" is not declared in the stack's top-level volumes: section; declare it there`}},
		{"undefined dependency", "web:\n  image: nginx\n  depends_on: [db]\n",
			[]string{`swarm.yaml:3:16: stacks[0].services.web.depends_on: depends on "db", which is not a service of this stack; remove it or add that service`}},
		{"bad port", "web:\n  image: nginx\n  ports: [\"80:abc\"]\n",
			[]string{`swarm.yaml:3:11: stacks[0].services.web.ports[0]: "80:abc" is not a port (invalid containerPort: abc); write PUBLISHED:TARGET, e.g. "8080:80", a TARGET alone, or the long syntax {published: 8080, target: 80}`}},
		{"no image", "web:\n  build: .\n",
			[]string{`swarm.yaml:1:1: stacks[0].services.web.image: docker stack deploy needs an image for every service (it ignores build:); add image:, e.g. an image built under the spec's images: as registry:5000/NAME`}},
		{"duplicate key", "web:\n  image: a\n  image: b\n",
			[]string{`swarm.yaml:3:3: stacks[0].services.web.image: duplicate key (first defined at line 2); remove one of them`}},
		{"bad deploy mode", "web:\n  image: a\n  deploy:\n    mode: globl\n",
			[]string{`swarm.yaml:4:11: stacks[0].services.web.deploy.mode: "globl" is not a deploy mode; use replicated (the default) or global (one task on every eligible node)`}},
		{"bad constraint", "web:\n  image: a\n  deploy:\n    placement:\n      constraints:\n        - node.role == worker\n        - node.zone == a\n",
			[]string{`swarm.yaml:7:11: stacks[0].services.web.deploy.placement.constraints[1]: "node.zone == a": unknown constraint key "node.zone" (use node.id, node.hostname, node.role, node.platform.os, node.platform.arch, node.labels.<key> or engine.labels.<key>)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := loadInline(t, tt.services, true)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestFileStackErrors(t *testing.T) {
	tests := []struct {
		name, content string
		want          []string
	}{
		{"not YAML", "services:\n  web:\n    ports: [\"80:80\"\n", []string{
			"stacks/s.yml:3:12: not valid YAML: did not find expected ',' or ']' in the block or list that starts on this line; check the indentation and brackets of the lines below it"}},
		{"empty", "", []string{
			"stacks/s.yml:1:1: a stack file must be a mapping with services: (compose file format, as docker stack deploy reads it)"}},
		{"empty mapping", "{}\n", []string{
			"stacks/s.yml:1:1: a stack file must be a mapping with services: (compose file format, as docker stack deploy reads it)"}},
		{"version 2", "version: '2.4'\nservices:\n  web:\n    image: nginx\n", []string{
			`stacks/s.yml:1:10: version: "2.4": docker stack deploy reads only version 3 stack files; use version: "3.8" (or remove version: and swarmgen writes "3.8")`}},
		{"error inside", "services:\n  web:\n    image: nginx\n    deploy:\n      replicas: many\n", []string{
			`stacks/s.yml:5:17: services.web.deploy.replicas: must be a whole number, got "many"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := loadFile(t, tt.content, true)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestWorkloads(t *testing.T) {
	st, diags := loadInline(t, `api:
  image: registry:5000/echo
  ports: ["8080:80", {target: 9000, published: 9000, mode: host}]
  deploy:
    replicas: 3
    placement:
      constraints: [node.role == worker]
      max_replicas_per_node: 1
agent:
  image: agent
  deploy:
    mode: global
`, true)
	if len(diags) > 0 || st == nil {
		t.Fatalf("diagnostics: %v", diags)
	}
	want := []workload.Workload{
		{Name: "s_agent", Image: "agent", Global: true, Replicas: 1},
		{Name: "s_api", Image: "registry:5000/echo", Replicas: 3, MaxPerNode: 1, Constraints: []string{"node.role == worker"},
			Ports: []workload.Port{{Published: 8080, Target: 80, Protocol: "tcp"}, {Published: 9000, Target: 9000, Protocol: "tcp", HostMode: true}}},
	}
	at := map[string]string{}
	for i, w := range st.Workloads {
		for k, d := range w.At {
			at[w.Name+" "+k] = d.String()
		}
		st.Workloads[i].Where, st.Workloads[i].At = diag.Diagnostic{}, nil
	}
	if !reflect.DeepEqual(st.Workloads, want) {
		t.Errorf("workloads:\n%+v\nwant:\n%+v", st.Workloads, want)
	}
	wantAt := map[string]string{
		"s_agent image":        "swarm.yaml:10:10: stacks[0].services.agent.image: ",
		"s_agent replicas":     "swarm.yaml:9:1: stacks[0].services.agent: ",
		"s_agent constraints":  "swarm.yaml:9:1: stacks[0].services.agent: ",
		"s_api image":          "swarm.yaml:2:10: stacks[0].services.api.image: ",
		"s_api replicas":       "swarm.yaml:5:15: stacks[0].services.api.deploy.replicas: ",
		"s_api constraints":    "swarm.yaml:7:20: stacks[0].services.api.deploy.placement.constraints: ",
		"s_api constraints[0]": "swarm.yaml:7:21: stacks[0].services.api.deploy.placement.constraints[0]: ",
		"s_api ports[0]":       "swarm.yaml:3:11: stacks[0].services.api.ports[0]: ",
		"s_api ports[1]":       "swarm.yaml:3:22: stacks[0].services.api.ports[1]: ",
	}
	if !reflect.DeepEqual(at, wantAt) {
		t.Errorf("positions:\n%v\nwant:\n%v", at, wantAt)
	}
}

func TestInlineStackAnchors(t *testing.T) {
	var doc yaml.Node
	src := `x-img: &img nginx:1.27
x-deploy: &deploy
  replicas: 2
services:
  web:
    image: *img
    deploy:
      <<: *deploy
      placement: &place
        constraints: [node.role == worker]
    ports: ["80:80"]
  api:
    image: *img
    deploy:
      placement: *place
`
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	services := get(doc.Content[0], "services")
	before, _ := yaml.Marshal(&doc)
	st, diags := Load(Input{
		Stack: spec.Stack{Name: "s", DeployAs: "s", Services: *services},
		Path:  "stacks[0]", SpecFile: "swarm.yaml", SpecDir: t.TempDir(),
		SpecPos: spec.Pos{Line: 1, Col: 1}, RoutingMesh: false,
	})
	if len(diags) > 0 || st == nil {
		t.Fatalf("diagnostics: %v", lines(diags))
	}
	want := `version: "3.8"
services:
  web:
    image: nginx:1.27
    deploy:
      replicas: 2
      placement: &place
        constraints: [node.role == worker]
      endpoint_mode: dnsrr
    ports: [{target: 80, published: 80, mode: host}]
  api:
    image: nginx:1.27
    deploy:
      placement: *place
      endpoint_mode: dnsrr
`
	if string(st.Body) != want {
		t.Errorf("body:\n%s\nwant:\n%s", st.Body, want)
	}
	// the spec's own nodes are not rewritten
	if after, _ := yaml.Marshal(&doc); string(after) != string(before) {
		t.Errorf("Load changed the spec:\n%s", after)
	}
	for _, w := range st.Workloads {
		if w.Image != "nginx:1.27" || len(w.Constraints) != 1 {
			t.Errorf("%s: %+v", w.Name, w)
		}
	}
}

// A file a stack names is checked before compose-go or docker stack
// deploy could read it: with --allow-outside-spec-dir a FIFO or a device
// is still refused, at once and by name, and extends: to one is never
// followed (compose-go would hang on the FIFO, or read /dev/zero until
// memory runs out).
func TestStackFilesAreCheckedBeforeReading(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFO here:", err) // not a result: the other cases still run below
	}
	for name, tc := range map[string]struct{ stack, want string }{
		"extends a FIFO":     {"services:\n  web: {image: nginx, extends: {file: " + fifo + ", service: x}}\n", "services.web.extends: docker stack deploy does not read extends:"},
		"include /dev/zero":  {"include: [/dev/zero]\nservices:\n  web: {image: nginx}\n", "include: docker stack deploy does not read include:"},
		"env_file a FIFO":    {"services:\n  web: {image: nginx, env_file: " + fifo + "}\n", "services.web.env_file: \"" + fifo + "\" is not a regular file but a named pipe"},
		"secret /dev/zero":   {"services:\n  web: {image: nginx}\nsecrets:\n  k: {file: /dev/zero}\n", "secrets.k.file: \"/dev/zero\" is not a regular file but a device"},
		"config a directory": {"services:\n  web: {image: nginx}\nconfigs:\n  k: {file: /}\n", "configs.k.file: \"/\" is not a regular file but a directory"},
	} {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(filepath.Join(dir, "s.yml"), []byte(tc.stack), 0o644); err != nil {
				t.Fatal(err)
			}
			done := make(chan []string, 1)
			go func() {
				_, diags := Load(Input{
					Stack: spec.Stack{Name: "s", DeployAs: "s", File: "s.yml"},
					Path:  "stacks[0]", SpecFile: "swarm.yaml", SpecDir: dir, RoutingMesh: true,
					Files: inputfile.Policy{AllowOutside: true},
				})
				done <- lines(diags)
			}()
			select {
			case got := <-done:
				if len(got) != 1 || !strings.Contains(got[0], tc.want) {
					t.Errorf("got %q, want one error with %q", got, tc.want)
				}
			case <-time.After(20 * time.Second): // generous: a refusal takes milliseconds
				t.Fatal("Load read a file it should have refused")
			}
		})
	}
}

// Without --allow-outside-spec-dir, a path a stack names that leads out
// of the spec's directory (by .., by an absolute path, or through a
// symlink) is refused with its field.
func TestStackFilesStayInTheSpecDir(t *testing.T) {
	dir := t.TempDir()
	// paths start at the stack file's directory, stacks/
	if err := os.MkdirAll(filepath.Join(dir, "stacks"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc", filepath.Join(dir, "stacks", "etc")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app.env"), []byte("A=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, got := loadFileIn(t, dir, "services:\n  web: {image: nginx, env_file: [../app.env, ../../x.env, etc/passwd, etc/new]}\nsecrets:\n  k: {file: /etc/shadow}\n")
	want := []string{
		`stacks/s.yml:2:46: services.web.env_file[1]: "../../x.env" is outside the spec's directory`,
		`stacks/s.yml:2:59: services.web.env_file[2]: "etc/passwd" is outside the spec's directory`,
		`stacks/s.yml:2:71: services.web.env_file[3]: "etc/new" is outside the spec's directory`,
		`stacks/s.yml:4:13: secrets.k.file: "/etc/shadow" is outside the spec's directory`,
	}
	if len(got) != len(want) {
		t.Fatalf("got %q", got)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("got  %s\nwant %s...", got[i], want[i])
		}
	}
}
