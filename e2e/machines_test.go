package e2e

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	swarmlab "github.com/swarmgen/swarmgen/internal/lab"
)

// The lab of TestMachines: machines of the fixture (machines_fixture_test.go),
// each a Docker endpoint with mutual TLS.
const (
	machLab       = "e2e-machines"
	machOwnImage  = "e2e-mach/own:latest" // the test's own image on every machine: down must leave it
	machOwnCtr    = "e2e-mach-own"        // the test's own container on m1, running through up and down
	machOwnVolume = "e2e-mach-own-data"
	machProxyPort = 8080 // host-mode port of the stack's proxy on w2
)

// machNode is a node entry of the spec: its machine and its labels.
type machNode struct {
	m      *machine
	labels string // YAML flow mapping, or ""
}

// machSpec is the lab's spec for the given manager and workers: the
// registry runs on the manager, the echo app (builtin) and a proxy (a host
// image) are pushed to it, and stack web puts echo on the machines labelled
// tier=app and the proxy, with a host-mode port, on those labelled
// tier=edge: a request to the proxy's machine reaches echo over the
// overlay network e2e-net.
func machSpec(manager machNode, workers ...machNode) string {
	entry := func(n machNode) string {
		s := fmt.Sprintf("  - name: %s\n    endpoint: %s\n    tls: ./certs/%s\n    address: %s\n", n.m.Name, n.m.Endpoint(), n.m.Name, n.m.IP)
		if n.labels != "" {
			s += "    labels: " + n.labels + "\n"
		}
		return s
	}
	var b strings.Builder
	fmt.Fprintf(&b, `# machines of the e2e fixture, reachable only as TLS endpoints; no IPVS here
apiVersion: swarmgen.dev/v1alpha1
kind: Lab
name: %s
routing_mesh: false
take_over_swarm: false
registry:
  machine: %s
  image: swarmgen-e2e/registry:3
managers:
`, machLab, manager.m.Name)
	b.WriteString(entry(manager))
	b.WriteString("workers:\n")
	for _, w := range workers {
		b.WriteString(entry(w))
	}
	fmt.Fprintf(&b, `images:
  - builtin: echo
    name: e2e/echo:latest
  - source: swarmgen-e2e/nginx-proxy:latest
    name: e2e/proxy:latest
networks:
  - name: e2e-net
stacks:
  - name: web
    services:
      echo:
        image: registry:5000/e2e/echo:latest
        deploy:
          replicas: 2
          placement:
            constraints: [node.labels.tier == app]
        networks: [e2e-net]
      proxy:
        image: registry:5000/e2e/proxy:latest
        environment:
          BACKEND_HOST: web_echo:8080
        deploy:
          placement:
            constraints: [node.labels.tier == edge]
        ports:
          - "%d:80"
        networks: [e2e-net]
    networks:
      e2e-net:
        external: true
`, machProxyPort)
	return b.String()
}

// TestMachines: the same spec, the same commands, on real machines (issue
// 11). Three machines of the fixture (a manager, two workers) that swarmgen
// reaches only through their TLS endpoints (a docker wrapper first on PATH
// refuses docker exec and any call naming a machine's container; the host
// engine's events must show no exec, cp or attach on them):
//   - a machine already in another swarm is refused, and nothing changes;
//   - up --yes forms the swarm, runs the registry on m1, pushes the images
//     (none of which the machines had or could pull), deploys a stack whose
//     echo service is placed by a node label and answers, over the overlay
//     network, through a proxy's host-mode port on another machine;
//   - a second up changes nothing (plan: no changes; the machines hold the
//     same containers, networks, images and volumes);
//   - a fourth machine added to the spec: up without --yes asks and changes
//     nothing, up --yes joins it;
//   - down --yes leaves every machine as it was before up (swarm inactive,
//     the same containers, networks, images, volumes and certs.d), the
//     test's own container on m1 still running.
func TestMachines(t *testing.T) {
	needImages(t, machImage, "swarmgen-e2e/registry:3", "yutsuki/echo:latest", "swarmgen-e2e/nginx-proxy:latest")
	dir := t.TempDir()
	f := newFleet(t, filepath.Join(dir, "certs"))
	wrap := newDockerWrapper(t)
	h := &harness{t: t, bin: machinesBinary(t), dir: dir, env: wrap.Env()}
	// a failed test still takes the lab down (its docker context) before
	// the fleet goes (registered after newFleet: cleanups run in reverse)
	t.Cleanup(func() {
		if t.Failed() {
			root, _ := filepath.Abs("..")
			_, _ = h.swarmgen("export-logs", filepath.Join(root, "e2e", "out", "logs-"+t.Name()))
		}
		_, _ = h.swarmgen("down", "--yes")
	})
	start := time.Now()
	f.Add(map[string]int{"m1": 11, "w1": 21, "w2": 22})
	m1, w1, w2 := f.Get("m1"), f.Get("w1"), f.Get("w2")
	wrap.Forbid(t, f.All()...)
	t.Logf("TIMING 3 machines answering through TLS: %s", time.Since(start).Round(time.Millisecond))

	// what the machines hold of their own: an image on each (loaded, as
	// nothing can be pulled), and on m1, which gets the registry and the
	// swarm's leader, a running container and a volume
	for _, m := range f.All() {
		loadOwnImage(t, m)
	}
	m1.Docker(t, "volume", "create", machOwnVolume)
	m1.Docker(t, "run", "-d", "--name", machOwnCtr, "--restart", "unless-stopped", "-v", machOwnVolume+":/data", machOwnImage)
	before := map[string]machineState{}
	certsD := map[string][]string{}
	snapshot := func(m *machine) {
		before[m.Name] = m.State(t)
		certsD[m.Name] = m.HostFiles(t, machOwnImage, "/etc/docker/certs.d")
	}
	for _, m := range f.All() {
		snapshot(m)
	}
	writeSpec := func(spec string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "swarm.yaml"), []byte(spec), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeSpec(machSpec(machNode{m: m1}, machNode{m: w1, labels: "{tier: app}"}, machNode{m: w2, labels: "{tier: edge}"}))

	t.Run("a machine in another swarm is refused", func(t *testing.T) {
		w2.Docker(t, "swarm", "init", "--advertise-addr", w2.IP)
		cluster := w2.Docker(t, "info", "--format", "{{.Swarm.Cluster.ID}}")
		// the engine makes docker_gwbridge a moment after swarm init
		waitMachines(t, "w2's docker_gwbridge", 30*time.Second, func() error {
			if nets := w2.Docker(t, "network", "ls", "--format", "{{.Name}}"); !strings.Contains(nets, "docker_gwbridge") {
				return fmt.Errorf("w2's networks: %s", strings.Fields(nets))
			}
			return nil
		})
		w2state := w2.State(t)
		out, err := h.swarmgen("up", "--yes", "--wait", "2m")
		if err == nil {
			t.Errorf("up with w2 in another swarm succeeded:\n%s", out)
		}
		if !strings.Contains(out, "w2") || !strings.Contains(out, "take_over_swarm") {
			t.Errorf("the refusal does not name w2 and take_over_swarm:\n%s", out)
		}
		if got := w2.Docker(t, "info", "--format", "{{.Swarm.Cluster.ID}}"); got != cluster {
			t.Errorf("w2's swarm %s became %q", cluster, got)
		}
		if d := w2state.Diff(w2.State(t)); d != "" {
			t.Errorf("the refused up changed w2:\n%s", d)
		}
		for _, m := range []*machine{m1, w1} {
			if d := before[m.Name].Diff(m.State(t)); d != "" {
				t.Errorf("the refused up changed %s:\n%s", m.Name, d)
			}
		}
		w2.Docker(t, "swarm", "leave", "--force")
		// leaving keeps docker_gwbridge: w2 is now a machine that was in a
		// swarm once, whose bridge down must leave alone
		snapshot(w2)
	})

	t.Run("plan changes nothing", func(t *testing.T) {
		plan := h.must("plan")
		for _, want := range []string{"+ node m1", "+ node w1", "+ node w2", "+ stack web"} {
			if !strings.Contains(plan, want) {
				t.Errorf("plan lacks %q:\n%s", want, plan)
			}
		}
		for _, m := range f.All() {
			if d := before[m.Name].Diff(m.State(t)); d != "" {
				t.Errorf("plan changed %s:\n%s", m.Name, d)
			}
		}
	})
	if t.Failed() {
		t.FailNow()
	}

	start = time.Now()
	h.must("up", "--yes", "--wait", "4m")
	t.Logf("TIMING cold up on 3 machines: %s", time.Since(start).Round(time.Millisecond))
	h.waitFor("3 machines ready, stack web converged", 2*time.Minute, nodesReadyAnd(3, converged("web_echo", "web_proxy")))
	checkMachineLab(t, f, wrap, "m1 w1 w2")

	t.Run("the registry takes only the lab's client certificate", func(t *testing.T) {
		checkRegistryClientAuth(t, dir, f)
	})

	t.Run("the docker context reaches the leader", func(t *testing.T) {
		// the host's docker context swarmgen-LAB is the leader's endpoint
		// (m1's tcp with TLS): through it, the swarm's nodes; swarmgen env
		// names it, and a shell that evals it still runs swarmgen
		ctx := "swarmgen-" + machLab
		out, err := exec.Command("docker", "--context", ctx, "node", "ls", "--format", "{{.Hostname}}").CombinedOutput()
		if got := strings.Join(strings.Fields(string(out)), " "); err != nil || got != "m1 w1 w2" {
			t.Errorf("docker --context %s node ls: %v, nodes %q, want m1 w1 w2", ctx, err, got)
		}
		if env := h.must("env"); !strings.Contains(env, "export DOCKER_CONTEXT='"+ctx+"'\n") {
			t.Errorf("swarmgen env:\n%s", env)
		}
		if unset := h.must("env", "--unset"); unset != "unset DOCKER_CONTEXT\n" {
			t.Errorf("swarmgen env --unset: %q", unset)
		}
		sh := exec.Command("bash", "-c", `eval "$("$1" env -f "$3/swarm.yaml" -o "$3")" && [ "$DOCKER_CONTEXT" = "$2" ] && "$1" plan -f "$3/swarm.yaml" -o "$3"`,
			"sh", h.bin, ctx, dir)
		sh.Env = append(os.Environ(), h.env...)
		if out, err := sh.CombinedOutput(); err != nil || !strings.Contains(string(out), "No changes") {
			t.Errorf("eval swarmgen env; swarmgen plan: %v\n%s", err, out)
		}
	})

	t.Run("--lab finds the lab from another directory", func(t *testing.T) {
		checkMachineLabByName(t, h, w1)
	})

	t.Run("second up changes nothing", func(t *testing.T) {
		states := map[string]machineState{}
		for _, m := range f.All() {
			states[m.Name] = m.State(t)
		}
		versions := machineServiceVersions(t, m1)
		if plan := h.must("plan"); !strings.Contains(plan, "No changes") {
			t.Errorf("plan after up is not empty:\n%s", plan)
		}
		since := time.Now()
		out := h.must("up", "--yes", "-v")
		until := time.Now()
		if m := upChanged.FindString(out); m != "" {
			t.Errorf("second up changed something (%q):\n%s", m, out)
		}
		for _, m := range f.All() {
			if d := states[m.Name].Diff(m.State(t)); d != "" {
				t.Errorf("second up changed %s:\n%s", m.Name, d)
			}
		}
		// nothing was written, started, stopped or restarted, and no
		// network, volume or swarm object changed, as each machine's own
		// engine recorded it. A read may create and remove a container that
		// never runs and copy out of it (archive-path), e.g. to compare
		// certs.d: shown, not refused; a copy into one (extract-to-dir)
		// writes the machine's files and is a change.
		for _, m := range f.All() {
			for _, ev := range m.Events(t, since, until) {
				typ, action, _ := strings.Cut(ev, " ")
				action, _, _ = strings.Cut(action, " ")
				switch {
				case typ == "container" && (action == "create" || action == "destroy" || action == "archive-path"),
					typ == "image" && (action == "import" || action == "delete" || action == "untag" || action == "tag"):
					t.Logf("second up on %s (not a change of the lab): %s", m.Name, ev)
				default:
					t.Errorf("second up changed something on %s: its engine recorded %q", m.Name, ev)
				}
			}
		}
		if again := machineServiceVersions(t, m1); again != versions {
			t.Errorf("service versions changed:\n%s\nthen\n%s", versions, again)
		}
	})

	t.Run("a fourth machine joins", func(t *testing.T) {
		w3 := f.Add(map[string]int{"w3": 23})[0]
		wrap.Forbid(t, w3)
		loadOwnImage(t, w3)
		snapshot(w3)
		writeSpec(machSpec(machNode{m: m1}, machNode{m: w1, labels: "{tier: app}"}, machNode{m: w2, labels: "{tier: edge}"}, machNode{m: w3}))
		if plan := h.must("plan"); !strings.Contains(plan, "+ node w3") || strings.Contains(plan, "- node") {
			t.Errorf("plan with w3 added:\n%s", plan)
		}
		// without --yes (and nobody to answer) up asks and changes nothing
		out, _ := h.swarmgen("up")
		if got := w3.Docker(t, "info", "--format", "{{.Swarm.LocalNodeState}}"); got != "inactive" {
			t.Errorf("up without --yes, stdin closed, made w3 %s:\n%s", got, out)
		}
		h.must("up", "--yes", "--wait", "4m")
		h.waitFor("4 machines ready, stack web converged", 2*time.Minute, nodesReadyAnd(4, converged("web_echo", "web_proxy")))
		checkMachineLab(t, f, wrap, "m1 w1 w2 w3")
	})

	// down --lab NAME from another directory, by the lab's record: without
	// --yes (and nobody to answer) it shows the plan, asks and changes
	// nothing; with --yes it runs the lab's own teardown.sh
	elsewhere := t.TempDir()
	out, _ := h.swarmgenIn(elsewhere, nil, "down", "--lab", machLab)
	if got := m1.Docker(t, "info", "--format", "{{.Swarm.LocalNodeState}}"); got != "active" || !strings.Contains(out, "pass --yes") {
		t.Errorf("down --lab without --yes, stdin closed, left m1 %s:\n%s", got, out)
	}
	start = time.Now()
	if out, err := h.swarmgenIn(elsewhere, nil, "down", "--lab", machLab, "--yes"); err != nil {
		t.Fatalf("down --lab %s --yes: %v\n%s", machLab, err, out)
	}
	t.Logf("TIMING down on 4 machines: %s", time.Since(start).Round(time.Millisecond))
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		t.Errorf("down --lab wrote %d files in the directory it ran in", len(entries))
	}
	if out, err := h.swarmgenIn(elsewhere, nil, "list"); err != nil || strings.Contains(out, machLab) {
		t.Errorf("swarmgen list after down: %v\n%s", err, out)
	}
	for _, m := range f.All() {
		if d := before[m.Name].Diff(m.State(t)); d != "" {
			t.Errorf("down left %s other than it found it:\n%s", m.Name, d)
		}
		if got := m.HostFiles(t, machOwnImage, "/etc/docker/certs.d"); strings.Join(got, " ") != strings.Join(certsD[m.Name], " ") {
			t.Errorf("%s: /etc/docker/certs.d holds %q after down, %q before up", m.Name, got, certsD[m.Name])
		}
	}
	if running := m1.Docker(t, "inspect", "--format", "{{.State.Running}} {{.RestartCount}}", machOwnCtr); running != "true 0" {
		t.Errorf("the test's own container on m1 after down: running, restarts = %s", running)
	}
	if out, err := exec.Command("docker", "context", "inspect", "swarmgen-"+machLab).CombinedOutput(); err == nil {
		t.Errorf("down left the docker context swarmgen-%s:\n%s", machLab, out)
	}
	f.NoHostAccess(t)
	wrap.Refused(t)
}

// swarmgenIn runs swarmgen in dir with args as they are (no -f, no -o),
// env added to the harness's.
func (h *harness) swarmgenIn(dir string, env []string, args ...string) (string, error) {
	h.t.Helper()
	cmd := exec.Command(h.bin, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), h.env...), env...)
	out, err := cmd.CombinedOutput()
	h.t.Logf("$ (in %s) %sswarmgen %s\n%s", dir, strings.Join(append(env, ""), " "), strings.Join(args, " "), out)
	return string(out), err
}

// checkMachineLabByName checks that the running lab is found by its name
// alone, from a directory without its spec, through its record (the docker
// context up registered): list shows it and its directory; status, docker,
// env and export-logs read it with --lab (or $SWARMGEN_LAB); node refuses
// it; nothing is written where they run.
func checkMachineLabByName(t *testing.T, h *harness, w1 *machine) {
	t.Helper()
	elsewhere := t.TempDir()
	must := func(env []string, args ...string) string {
		t.Helper()
		out, err := h.swarmgenIn(elsewhere, env, args...)
		if err != nil {
			t.Fatalf("swarmgen %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	var labs []swarmlab.LabInfo
	if err := json.Unmarshal([]byte(must(nil, "list", "--json")), &labs); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range labs {
		if l.Name == machLab {
			found = true
			if l.Kind != swarmlab.KindMachines || l.Dir != h.dir || !strings.HasPrefix(l.Endpoint, "tcp://127.0.0.1:") {
				t.Errorf("list --json shows %+v, want a lab of machines in %s", l, h.dir)
			}
		}
	}
	if !found {
		t.Errorf("list --json does not show %s: %+v", machLab, labs)
	}
	if out := must(nil, "list"); !strings.Contains(out, "machines (m1 at tcp://127.0.0.1:") || !strings.Contains(out, h.dir) {
		t.Errorf("swarmgen list:\n%s", out)
	}
	for _, env := range [][]string{nil, {"SWARMGEN_LAB=" + machLab}} {
		args := []string{"status", "--json"}
		if env == nil {
			args = append(args, "--lab", machLab)
		}
		var st swarmlab.Status
		if err := json.Unmarshal([]byte(must(env, args...)), &st); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, n := range st.Nodes {
			names = append(names, n.Name)
		}
		if st.Leader != "m1" || strings.Join(names, " ") != "m1 w1 w2" || converged("web_echo", "web_proxy")(&st) != nil {
			t.Errorf("%s swarmgen %s: leader %s, nodes %v, services %+v", strings.Join(env, " "), strings.Join(args, " "), st.Leader, names, st.Services)
		}
	}
	if out := must(nil, "docker", "--lab", machLab, "node", "ls", "--format", "{{.Hostname}}"); strings.Join(strings.Fields(out), " ") != "m1 w1 w2" {
		t.Errorf("swarmgen docker --lab %s node ls: %q", machLab, out)
	}
	if out := must(nil, "env", "--lab", machLab); !strings.HasPrefix(out, "export DOCKER_CONTEXT='swarmgen-"+machLab+"'\n") {
		t.Errorf("swarmgen env --lab %s:\n%s", machLab, out)
	}
	logs := filepath.Join(t.TempDir(), "logs")
	must(nil, "export-logs", "--lab", machLab, logs)
	for _, f := range []string{"swarm/nodes.json", "swarm/services.json", "m1/docker-info.txt", "generated/bootstrap.sh"} {
		if _, err := os.Stat(filepath.Join(logs, f)); err != nil {
			t.Errorf("export-logs --lab: %v", err)
		}
	}
	if out, err := h.swarmgenIn(elsewhere, nil, "node", "stop", "--lab", machLab, "w1"); err == nil || !strings.Contains(out, "does not stop or restart machines") {
		t.Errorf("node stop --lab of a lab of machines: %v\n%s", err, out)
	}
	if got := w1.Docker(t, "info", "--format", "{{.Swarm.LocalNodeState}}"); got != "active" {
		t.Errorf("w1 is %s after a refused node stop", got)
	}
	if out, err := h.swarmgenIn(elsewhere, nil, "status", "--lab", "no-such-lab"); err == nil || !strings.Contains(out, `no lab named "no-such-lab"`) {
		t.Errorf("status --lab no-such-lab: %v\n%s", err, out)
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		t.Errorf("--lab wrote %d files in the directory it ran in", len(entries))
	}
}

// checkMachineLab checks the running lab on the fleet's machines: the
// swarm's nodes (names want, every one Ready, labels from the spec), the
// registry pulled from the machine registry's address, the echo tasks on
// the labelled machine, an answer from echo over the overlay network
// through the proxy's host-mode port on w2, and that swarmgen reached the
// machines only through their endpoints.
func checkMachineLab(t *testing.T, f *fleet, wrap *dockerWrapper, want string) {
	t.Helper()
	m1, w2 := f.Get("m1"), f.Get("w2")
	nodes := strings.Split(m1.Docker(t, "node", "ls", "--format", "{{.Hostname}} {{.Status}} {{.ManagerStatus}}"), "\n")
	sort.Strings(nodes)
	var names []string
	for _, n := range nodes {
		fields := strings.Fields(n)
		names = append(names, fields[0])
		if fields[1] != "Ready" || (fields[0] == "m1") != (len(fields) == 3 && fields[2] == "Leader") {
			t.Errorf("node %q: want Ready, the leader m1 alone", n)
		}
	}
	if strings.Join(names, " ") != want {
		t.Errorf("the swarm's nodes: %v, want %s", names, want)
	}
	if got := m1.Docker(t, "node", "inspect", "--format", "{{index .Spec.Labels \"tier\"}}", "w1"); got != "app" {
		t.Errorf("w1's label tier = %q, want app", got)
	}
	registry := m1.IP + ":5000"
	if img := m1.Docker(t, "service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", "web_echo"); !strings.HasPrefix(img, registry+"/e2e/echo:latest") {
		t.Errorf("web_echo's image %q is not from the registry on m1 (%s)", img, registry)
	}
	if tasks := m1.Docker(t, "service", "ps", "--filter", "desired-state=running", "--format", "{{.Node}}", "web_echo"); strings.Join(strings.Fields(tasks), " ") != "w1 w1" {
		t.Errorf("web_echo's tasks on %q, want both on w1 (tier=app)", tasks)
	}
	var body string
	waitMachines(t, "echo answering through the proxy on w2", time.Minute, func() error {
		var err error
		body, err = httpGet(fmt.Sprintf("http://%s:%d/", w2.IP, machProxyPort))
		return err
	})
	if !strings.HasPrefix(body, "Hello Docker!! from ") {
		t.Errorf("the proxy on w2 answered %q, not echo", body)
	}
	f.NoHostAccess(t)
	wrap.Refused(t)
	reached := false
	for _, c := range wrap.Calls(t) {
		if strings.Contains(c, m1.Endpoint()) || strings.Contains(c, "context") {
			reached = true
		}
	}
	if !reached {
		t.Errorf("no docker call through the wrapper reached m1's endpoint or a context: the wrapper proved nothing:\n%s", strings.Join(wrap.Calls(t), "\n"))
	}
}

// loadOwnImage puts the test's own image on m (the echo stand-in under a
// name of the test's: nothing swarmgen pushes or runs).
func loadOwnImage(t *testing.T, m *machine) {
	t.Helper()
	m.LoadImage(t, "yutsuki/echo:latest")
	m.Docker(t, "tag", "yutsuki/echo:latest", machOwnImage)
	m.Docker(t, "rmi", "yutsuki/echo:latest")
}

// machinesBinary builds swarmgen, or takes SWARMGEN_E2E_MACHINES_BIN (a
// static build of another tree, e.g. a branch being worked on).
func machinesBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("SWARMGEN_E2E_MACHINES_BIN"); bin != "" {
		return bin
	}
	return buildSwarmgen(t)
}

// machineServiceVersions lists each service's name and version on the
// manager m (a redeploy bumps the version).
func machineServiceVersions(t *testing.T, m *machine) string {
	t.Helper()
	ids := strings.Fields(m.Docker(t, "service", "ls", "-q"))
	return m.Docker(t, append([]string{"service", "inspect", "--format", "{{.Spec.Name}} {{.Version.Index}}"}, ids...)...)
}

// checkRegistryClientAuth checks the lab registry on m1, whose port is
// published on every interface of the machine: a client without a
// certificate, or with one of another CA (the fleet's own client
// certificate for m1's engine), cannot begin a push; the lab's client
// certificate (dir's .swarmgen/tls/registry/client, which every machine's
// certs.d holds beside the CA) is answered.
func checkRegistryClientAuth(t *testing.T, dir string, f *fleet) {
	t.Helper()
	m1 := f.Get("m1")
	registry := m1.IP + ":5000"
	tlsDir := filepath.Join(dir, ".swarmgen", "tls", "registry")
	caPEM, err := os.ReadFile(filepath.Join(tlsDir, "server", "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatalf("no certificate in %s/server/ca.pem", tlsDir)
	}
	client := func(certDir string) *http.Client {
		conf := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		if certDir != "" {
			pair, err := tls.LoadX509KeyPair(filepath.Join(certDir, "cert.pem"), filepath.Join(certDir, "key.pem"))
			if err != nil {
				t.Fatal(err)
			}
			conf.Certificates = []tls.Certificate{pair}
		}
		return &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{TLSClientConfig: conf}}
	}
	for name, certDir := range map[string]string{"no client certificate": "", "a certificate of another CA": m1.CertDir} {
		// the first request of a push: start a blob upload
		resp, err := client(certDir).Post("https://"+registry+"/v2/e2e/intruder/blobs/uploads/", "application/octet-stream", nil)
		if err == nil {
			resp.Body.Close()
			t.Errorf("%s: the registry on %s began a push: %s", name, registry, resp.Status)
		} else if !strings.Contains(err.Error(), "certificate") {
			t.Errorf("%s: refused, but not for the client certificate: %v", name, err)
		} else {
			t.Logf("%s: refused: %v", name, err)
		}
	}
	resp, err := client(filepath.Join(tlsDir, "client")).Get("https://" + registry + "/v2/")
	if err != nil {
		t.Fatalf("the lab's client certificate: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the lab's client certificate: GET /v2/ answered %s", resp.Status)
	}
	for _, m := range f.All() {
		got := strings.Join(m.HostFiles(t, machOwnImage, "/etc/docker/certs.d"), " ")
		for _, want := range []string{registry + "/ca.crt", registry + "/client.cert", registry + "/client.key"} {
			if !strings.Contains(" "+got+" ", " "+want+" ") {
				t.Errorf("%s: /etc/docker/certs.d holds %q, without %s", m.Name, got, want)
			}
		}
	}
}
