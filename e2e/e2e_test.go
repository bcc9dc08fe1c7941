// Package e2e runs the real swarmgen binary against a real Docker engine:
// it brings the classic lab up from e2e/testdata/swarm.yaml with the
// offline images of e2e/provision.sh and checks the cluster it gets.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	swarmlab "github.com/swarmgen/swarmgen/internal/lab"
	"github.com/swarmgen/swarmgen/internal/testkit/goldenfile"
)

var _ = goldenfile.Update // every test package accepts -update

const (
	lab          = "e2e"
	registryPort = 15000
	vizPort      = 19000
)

var requiredImages = []string{
	"swarmgen-e2e/dind:bookworm", "swarmgen-e2e/registry:3", "yutsuki/echo:latest",
	"swarmgen-e2e/nginx-proxy:latest",
}

// needEngine skips loudly on a laptop without an engine; with
// SWARMGEN_REQUIRE_E2E=1 (test.sh, CI) a missing engine is a failure.
func needEngine(t *testing.T) {
	var missing []string
	if err := exec.Command("docker", "info").Run(); err != nil {
		missing = append(missing, "a running Docker engine")
	}
	if err := exec.Command("docker", "compose", "version").Run(); err != nil {
		missing = append(missing, "docker compose v2")
	}
	if len(missing) == 0 {
		for _, img := range requiredImages {
			if err := exec.Command("docker", "image", "inspect", img).Run(); err != nil {
				missing = append(missing, "image "+img)
			}
		}
	}
	if len(missing) == 0 {
		return
	}
	notRunnable(t, "missing "+strings.Join(missing, ", ")+"; run ./e2e/provision.sh (or ./test.sh) first")
}

// notRunnable skips the test loudly, or fails it under
// SWARMGEN_REQUIRE_E2E=1 (test.sh, CI), where every e2e test must run.
func notRunnable(t *testing.T, why string) {
	t.Helper()
	msg := "END-TO-END TEST NOT RUN: " + why
	if os.Getenv("SWARMGEN_REQUIRE_E2E") == "1" {
		t.Fatal(msg)
	}
	fmt.Fprintf(os.Stderr, "\n!!!!!!!!!!\n!!! SKIPPED: %s\n!!!!!!!!!!\n\n", msg)
	t.Skip(msg)
}

type harness struct {
	t   *testing.T
	bin string
	dir string
	env []string // added to swarmgen's environment, e.g. DOCKER_HOST of the lab's engine
}

func (h *harness) swarmgen(args ...string) (string, error) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	full := append([]string{args[0], "-f", filepath.Join(h.dir, "swarm.yaml"), "-o", h.dir}, args[1:]...)
	if args[0] == "docker" { // docker passes everything through after -f/-o
		full = append([]string{"docker", "-f", filepath.Join(h.dir, "swarm.yaml"), "-o", h.dir}, args[1:]...)
	}
	cmd := exec.CommandContext(ctx, h.bin, full...)
	cmd.Env = append(os.Environ(), h.env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	h.t.Logf("$ swarmgen %s\n%s", strings.Join(args, " "), out.String())
	return out.String(), err
}

func (h *harness) must(args ...string) string {
	h.t.Helper()
	out, err := h.swarmgen(args...)
	if err != nil {
		h.t.Fatalf("swarmgen %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// docker runs the docker CLI against the host's engine.
func docker(t *testing.T, args ...string) string {
	t.Helper()
	return dockerEnv(t, nil, args...)
}

// dockerEnv runs the docker CLI with env added to its environment (a
// harness's env: DOCKER_HOST of the engine its lab runs on).
func dockerEnv(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("docker", args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func (h *harness) status() *swarmlab.Status {
	h.t.Helper()
	st, err := h.tryStatus()
	if err != nil {
		h.t.Fatal(err)
	}
	return st
}

func (h *harness) tryStatus() (*swarmlab.Status, error) {
	out, err := h.swarmgen("status", "--json")
	if err != nil {
		return nil, fmt.Errorf("status --json: %v\n%s", err, out)
	}
	var st swarmlab.Status
	if i := strings.Index(out, "{"); i < 0 || json.Unmarshal([]byte(out[i:]), &st) != nil {
		return nil, fmt.Errorf("status --json printed no JSON:\n%s", out)
	}
	return &st, nil
}

var execCommand = exec.Command

// waitFor polls cond until it holds or the timeout passes.
func (h *harness) waitFor(what string, timeout time.Duration, cond func(*swarmlab.Status) error) *swarmlab.Status {
	h.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		// a swarm electing a leader (after a heal, a restart) answers no
		// status for a moment: that is waited for like the condition
		st, err := h.tryStatus()
		if err == nil {
			if err = cond(st); err == nil {
				return st
			}
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("%s: not within %s: %v", what, timeout, err)
		}
		time.Sleep(time.Second)
	}
}

func service(st *swarmlab.Status, name string) *swarmlab.ServiceStatus {
	for i := range st.Services {
		if st.Services[i].Name == name {
			return &st.Services[i]
		}
	}
	return nil
}

func converged(names ...string) func(*swarmlab.Status) error {
	return func(st *swarmlab.Status) error {
		for _, n := range names {
			svc := service(st, n)
			if svc == nil {
				return fmt.Errorf("service %s missing", n)
			}
			if svc.Desired == 0 || svc.Running != svc.Desired {
				return fmt.Errorf("service %s: %d/%d running on ready nodes", n, svc.Running, svc.Desired)
			}
		}
		return nil
	}
}

func httpGet(url string) (string, error) {
	c := http.Client{Timeout: 3 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return string(body), fmt.Errorf("%s: HTTP %d", url, resp.StatusCode)
	}
	return string(body), nil
}

// labObjects lists the containers, networks and volumes labelled as name's.
func labObjects(t *testing.T, name string) string {
	return strings.Join([]string{
		docker(t, "ps", "-aq", "--filter", "label=dev.swarmgen.lab="+name),
		docker(t, "network", "ls", "-q", "--filter", "label=dev.swarmgen.lab="+name),
		docker(t, "volume", "ls", "-q", "--filter", "label=dev.swarmgen.lab="+name),
	}, "")
}

// upChanged matches what bootstrap.sh says when it changes something
// (docker's own words, e.g. a deprecation notice, may say "removed").
var upChanged = regexp.MustCompile(`(?m)^ +(stack \S+ deployed from|service \S+ created|created overlay network|\S+ pushed$|\S+ joined as|swarm initialised|node \S+ drained and removed|\S+ left a swarm|label \S+ (on|removed from) |(stack|service|network|volume) \S+ removed$|certificates made|docker context \S+ ->)`)

func TestClassicLab(t *testing.T) {
	needEngine(t)
	root, _ := filepath.Abs("..")
	h := &harness{t: t, bin: filepath.Join(t.TempDir(), "swarmgen"), dir: t.TempDir()}
	build := exec.Command("go", "build", "-o", h.bin, "./cmd/swarmgen")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0") // static: it is also the visualizer image
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	spec, err := os.ReadFile("testdata/swarm.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(h.dir, "swarm.yaml"), spec, 0o644); err != nil {
		t.Fatal(err)
	}
	// a lab left by an interrupted run would make this one a no-op
	_, _ = h.swarmgen("down")
	// a context of the user's own, which down must leave alone
	otherContext := "e2e-other-" + fmt.Sprint(time.Now().UnixNano())
	docker(t, "context", "create", otherContext, "--docker", "host=unix:///var/run/docker.sock")
	t.Cleanup(func() { _ = exec.Command("docker", "context", "rm", "-f", otherContext).Run() })
	// restarts with the engine, as a service beside the lab would
	bystander := "e2e-bystander-" + fmt.Sprint(time.Now().UnixNano())
	docker(t, "run", "-d", "--restart", "unless-stopped", "--network", "none", "--name", bystander, "swarmgen-e2e/registry:3")
	t.Cleanup(func() {
		if t.Failed() {
			_, _ = h.swarmgen("export-logs", filepath.Join(root, "e2e", "out", "logs"))
		}
		_, _ = h.swarmgen("down")
		_ = exec.Command("docker", "rm", "-f", bystander).Run()
	})

	start := time.Now()
	h.must("up", "--wait", "4m")
	t.Logf("cold up: %s", time.Since(start).Round(time.Millisecond))

	st := h.waitFor("4 nodes ready", time.Minute, func(st *swarmlab.Status) error {
		ready, leaders := 0, 0
		for _, n := range st.Nodes {
			if n.State == "ready" {
				ready++
			}
			if n.Leader {
				leaders++
			}
		}
		if ready != 4 || leaders != 1 {
			return fmt.Errorf("%d ready, %d leaders: %+v", ready, leaders, st.Nodes)
		}
		return nil
	})
	t.Logf("nodes: %+v", st.Nodes)

	catalog, err := httpGet(fmt.Sprintf("http://127.0.0.1:%d/v2/_catalog", registryPort))
	if err != nil || !strings.Contains(catalog, `"yutsuki/echo"`) {
		t.Fatalf("registry catalog %q (%v) lacks yutsuki/echo", catalog, err)
	}
	docker(t, "exec", lab+"-worker01", "docker", "pull", "-q", "registry:5000/yutsuki/echo:latest")

	t.Run("scale", func(t *testing.T) {
		h.must("docker", "service", "scale", "--detach", "echo=6")
		st := h.waitFor("echo at 6/6", 2*time.Minute, converged("echo"))
		nodes := map[string]bool{}
		for _, task := range service(st, "echo").Tasks {
			nodes[task.Node] = true
		}
		if len(nodes) < 3 {
			t.Errorf("6 echo tasks on %d nodes, want at least 3: %+v", len(nodes), service(st, "echo").Tasks)
		}
	})

	t.Run("stacks", func(t *testing.T) {
		st := h.waitFor("stacks converged", 2*time.Minute, converged("echo_nginx", "echo_api", "visualizer_app"))
		for _, name := range []string{"echo_nginx", "echo_api"} {
			svc := service(st, name)
			if len(svc.Tasks) != 3 {
				t.Errorf("%s has %d tasks, want 3", name, len(svc.Tasks))
			}
			for _, task := range svc.Tasks {
				if !strings.HasPrefix(task.Node, "worker") {
					t.Errorf("%s task %s runs on %s, not on a worker", name, task.Name, task.Node)
				}
			}
		}
		if viz := service(st, "visualizer_app"); len(viz.Tasks) != 1 || viz.Tasks[0].Node != "manager" {
			t.Errorf("visualizer tasks %+v, want one on manager", viz.Tasks)
		}
		// nginx publishes port 80 in host mode on each worker, reachable at
		// the worker's fixed lab address
		addr := docker(t, "inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", lab+"-worker01")
		hosts := map[string]bool{}
		var lastErr error
		for i := 0; i < 60 && len(hosts) < 2; i++ {
			body, err := httpGet("http://" + addr + "/")
			if err != nil {
				lastErr = err
				time.Sleep(500 * time.Millisecond)
				continue
			}
			if !strings.Contains(body, "Hello") {
				t.Fatalf("nginx answered %q, not the echo app", body)
			}
			hosts[strings.TrimSpace(body)] = true
		}
		if len(hosts) < 2 {
			t.Errorf("requests through nginx reached %d api task(s) %v, want more than one (last error %v)", len(hosts), hosts, lastErr)
		}
		if _, err := httpGet(fmt.Sprintf("http://127.0.0.1:%d/", vizPort)); err != nil {
			t.Errorf("visualizer: %v", err)
		}
	})

	t.Run("docker endpoint", func(t *testing.T) { checkEndpoint(t, h, lab, lab+"-manager", 4) })

	t.Run("visualizer page", func(t *testing.T) {
		b := startBrowser(t)
		if err := b.navigate(fmt.Sprintf("http://127.0.0.1:%d/", vizPort)); err != nil {
			t.Fatal(err)
		}
		if _, err := b.waitEval(`document.querySelectorAll("[data-node]").length`, "4", 15*time.Second); err != nil {
			t.Fatalf("the page does not show the 4 nodes: %v", err)
		}
		var names []string
		if err := b.eval(`Array.from(document.querySelectorAll("[data-node]")).map(e => e.dataset.node).sort()`, &names); err != nil {
			t.Fatal(err)
		}
		if strings.Join(names, " ") != "manager worker01 worker02 worker03" {
			t.Errorf("page shows nodes %v", names)
		}
		// the page's task cards per service match docker service ps
		st := h.waitFor("stacks converged", time.Minute, converged("echo", "echo_nginx", "echo_api", "visualizer_app"))
		for _, svc := range st.Services {
			expr := fmt.Sprintf(`document.querySelectorAll('[data-service=%q]').length`, svc.Name)
			if _, err := b.waitEval(expr, fmt.Sprint(len(svc.Tasks)), 5*time.Second); err != nil {
				t.Errorf("service %s: docker service ps has %d running tasks: %v", svc.Name, len(svc.Tasks), err)
			}
		}
		if err := os.MkdirAll(filepath.Join(root, "e2e", "out"), 0o755); err == nil {
			shot := filepath.Join(root, "e2e", "out", "visualizer.png")
			if err := b.screenshot(shot); err != nil {
				t.Errorf("screenshot: %v", err)
			} else {
				t.Logf("screenshot: %s", shot)
			}
		}
		// the open page streams (server-sent events), as in any browser
		conn := `document.getElementById("conn").dataset.conn`
		if _, err := b.waitEval(conn, `"live"`, 15*time.Second); err != nil {
			t.Errorf("the page's connection indicator: %v", err)
		}
		// it follows a change without a reload
		h.must("docker", "service", "scale", "--detach", "echo=2")
		echoCards := `document.querySelectorAll('[data-service="echo"]').length`
		took, err := b.waitEval(echoCards, "2", 30*time.Second)
		if err != nil {
			t.Errorf("the page did not show echo scaled to 2: %v", err)
		}
		t.Logf("page showed the scale to 2 after %s (a figure, not a check)", took.Round(10*time.Millisecond))
		// the visualizer's server restarts (a new task): the page notices,
		// reconnects by itself and streams again
		h.must("docker", "service", "update", "--force", "--detach", "visualizer_app")
		if _, err := b.waitEval(conn+` === "live"`, "false", time.Minute); err != nil {
			t.Errorf("the page never noticed its server going away: %v", err)
		}
		took, err = b.waitEval(conn, `"live"`, 2*time.Minute)
		if err != nil {
			t.Fatalf("the page did not reconnect to the restarted server: %v", err)
		}
		t.Logf("page live again %s after it noticed the restart", took.Round(10*time.Millisecond))
		h.must("docker", "service", "scale", "--detach", "echo=3")
		if _, err := b.waitEval(echoCards, "3", 30*time.Second); err != nil {
			t.Errorf("after the reconnect the page did not show echo scaled to 3: %v", err)
		}
		if _, err := b.waitEval(conn, `"live"`, 5*time.Second); err != nil {
			t.Errorf("the page fell back to polling after the reconnect: %v", err)
		}
		// the forced update is over (it bumps the service's version until then)
		for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(time.Second) {
			state := strings.TrimSpace(h.must("docker", "service", "inspect", "--format", "{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}", "visualizer_app"))
			if state == "completed" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the visualizer's forced update did not complete: %q", state)
			}
		}
	})

	t.Run("a service scaled by hand is scaled back", func(t *testing.T) {
		// echo runs several tasks since the subtests above scaled it; the
		// spec says 1
		running := func() []string {
			return strings.Fields(docker(t, "exec", lab+"-manager", "docker", "service", "ps", "-q", "--filter", "desired-state=running", "echo"))
		}
		id := func() string {
			return strings.TrimSpace(docker(t, "exec", lab+"-manager", "docker", "service", "inspect", "--format", "{{.ID}}", "echo"))
		}
		idBefore, before := id(), running()
		if len(before) < 2 {
			t.Fatalf("echo runs %d task(s) before, want the several the subtests above scaled it to", len(before))
		}
		out := h.must("up", "-v")
		if !strings.Contains(out, fmt.Sprintf("service echo: replicas %d -> 1 (changed outside swarmgen)", len(before))) || !strings.Contains(out, "service echo scaled back to 1") {
			t.Errorf("up does not say it scaled echo back:\n%s", out)
		}
		after := running()
		if id() != idBefore || len(after) != 1 || !slices.Contains(before, after[0]) {
			t.Errorf("echo %s with tasks %q after up, want service %s with one of its tasks %q: scaled, not created again", id(), after, idBefore, before)
		}
	})

	t.Run("second up is a no-op", func(t *testing.T) {
		// echo back to the spec's replicas: up sets a service scaled by
		// hand back (drift), which is a change
		h.must("docker", "service", "scale", "echo=1")
		ids := docker(t, "ps", "-q", "--no-trunc", "--filter", "label=dev.swarmgen.lab="+lab)
		versions := serviceVersions(t)
		start := time.Now()
		out := h.must("up", "-v")
		t.Logf("second up: %s (a figure, not a check: bench/noop-up.sh measures it)", time.Since(start).Round(time.Millisecond))
		// every step saw nothing to do and said so
		for _, want := range []string{"stack echo unchanged", "stack visualizer unchanged", "service echo unchanged",
			"yutsuki/echo:latest unchanged", "the swarm is up", "docker context swarmgen-e2e unchanged"} {
			if !strings.Contains(out, want) {
				t.Errorf("second up does not say %q:\n%s", want, out)
			}
		}
		if m := upChanged.FindString(out); m != "" {
			t.Errorf("second up changed something (%q):\n%s", m, out)
		}
		if again := docker(t, "ps", "-q", "--no-trunc", "--filter", "label=dev.swarmgen.lab="+lab); again != ids {
			t.Errorf("containers changed:\n%s\nthen\n%s", ids, again)
		}
		if again := serviceVersions(t); again != versions {
			t.Errorf("service versions changed:\n%s\nthen\n%s", versions, again)
		}
	})

	t.Run("stop and start", func(t *testing.T) {
		stopAndStart(t, h, lab, registryPort, "swarmgen stop", func() { h.must("stop") },
			"echo", "echo_nginx", "echo_api", "visualizer_app")
	})

	t.Run("reconcile an edited spec", func(t *testing.T) {
		edited := strings.Replace(string(spec), "workers: 3", `workers:
  - name: worker01
  - name: worker02
    labels:
      disk: ssd
  - name: worker04
    labels:
      zone: edge`, 1)
		edited = strings.Replace(edited, "stacks:\n", `stacks:
  - name: edge
    services:
      app:
        image: registry:5000/yutsuki/echo:latest
        deploy:
          replicas: 2
          placement:
            constraints: [node.labels.zone == edge]
`, 1)
		// an overlay network made by hand with a name the spec now lists:
		// it is there, so neither plan nor up makes it
		h.must("docker", "network", "create", "--driver", "overlay", "byhand")
		byHand := h.must("docker", "network", "inspect", "--format", "{{.ID}}", "byhand")
		edited = strings.Replace(edited, "networks:\n  - name: ch03\n", "networks:\n  - name: ch03\n  - name: byhand\n", 1)
		if err := os.WriteFile(filepath.Join(h.dir, "swarm.yaml"), []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
		plan := h.must("plan")
		for _, want := range []string{"+ node worker04", "- node worker03", "+ label worker04: zone=edge", "+ stack edge"} {
			if !strings.Contains(plan, want) {
				t.Errorf("plan lacks %q:\n%s", want, plan)
			}
		}
		if strings.Contains(plan, "byhand") {
			t.Errorf("plan lists the network made by hand:\n%s", plan)
		}
		h.must("up")
		if id := h.must("docker", "network", "inspect", "--format", "{{.ID}}", "byhand"); id != byHand {
			t.Errorf("network byhand is %s after up, was %s: up made it again", id, byHand)
		}
		st := h.waitFor("converged after the edit", 3*time.Minute, converged("echo", "echo_nginx", "echo_api", "visualizer_app", "edge_app"))
		for _, n := range st.Nodes {
			if n.Name == "worker03" {
				t.Errorf("worker03 is still in the swarm: %+v", n)
			}
		}
		for _, svc := range st.Services {
			for _, task := range svc.Tasks {
				if task.Node == "worker03" {
					t.Errorf("%s still on removed worker03", task.Name)
				}
				if svc.Name == "edge_app" && task.Node != "worker04" {
					t.Errorf("%s on %s, want worker04 (zone=edge)", task.Name, task.Node)
				}
			}
		}
		if left := docker(t, "ps", "-aq", "--filter", "name=^"+lab+"-worker03$"); left != "" {
			t.Errorf("worker03's container is still there")
		}
		if left := docker(t, "volume", "ls", "-q", "--filter", "name="+lab+"_worker03-docker"); left != "" {
			t.Errorf("worker03's volume is still there: %s", left)
		}
		if plan := h.must("plan"); !strings.Contains(plan, "No changes") {
			t.Errorf("plan after up is not empty:\n%s", plan)
		}

		// A label dropped from the spec goes; one set by hand stays.
		h.must("docker", "node", "update", "--label-add", "owner=me", "worker02")
		edited = strings.Replace(edited, "    labels:\n      disk: ssd\n", "", 1)
		if err := os.WriteFile(filepath.Join(h.dir, "swarm.yaml"), []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
		if plan := h.must("plan"); !strings.Contains(plan, "- label worker02: disk") || strings.Contains(plan, "owner") {
			t.Errorf("plan after dropping disk=ssd from worker02:\n%s", plan)
		}
		h.must("up")
		labels := h.must("docker", "node", "inspect", "--format", "{{json .Spec.Labels}}", "worker02")
		if strings.Contains(labels, `"disk"`) || !strings.Contains(labels, `"owner":"me"`) {
			t.Errorf("worker02's labels after up: %s (want disk gone, owner=me kept)", labels)
		}
		if plan := h.must("plan"); !strings.Contains(plan, "No changes") {
			t.Errorf("plan after the label went is not empty:\n%s", plan)
		}
	})

	t.Run("worker failure", func(t *testing.T) {
		docker(t, "kill", lab+"-worker01")
		h.waitFor("services converged without worker01", 3*time.Minute, func(st *swarmlab.Status) error {
			if err := converged("echo", "echo_nginx", "echo_api", "visualizer_app")(st); err != nil {
				return err
			}
			for _, svc := range st.Services {
				for _, task := range svc.Tasks {
					if task.Node == "worker01" {
						return fmt.Errorf("%s still on worker01", task.Name)
					}
				}
			}
			if n := len(service(st, "echo_api").Tasks); n != 3 {
				return fmt.Errorf("echo_api has %d tasks", n)
			}
			return nil
		})
	})

	h.must("down")
	contextGone(t, h, lab, otherContext)
	if left := labObjects(t, lab); left != "" {
		t.Errorf("down left objects of the lab behind: %s", left)
	}
	if state := docker(t, "inspect", "--format", "{{.State.Running}}", bystander); state != "true" {
		t.Errorf("a container beside the lab did not survive down (running=%s)", state)
	}
}

// stopAndStart stops h's lab with stop (swarmgen stop, or its engine
// going down and up again), starts it with swarmgen start, and checks it
// is the same lab: the same node IDs, the services converged again, the
// same registry catalog (the registry publishes registryPort).
func stopAndStart(t *testing.T, h *harness, lab string, registryPort int, what string, stop func(), services ...string) {
	t.Helper()
	catalogURL := fmt.Sprintf("http://127.0.0.1:%d/v2/_catalog", registryPort)
	ids := nodeIDs(h.status())
	catalog, _ := httpGet(catalogURL)
	stop()
	if running := dockerEnv(t, h.env, "ps", "-q", "--filter", "label=dev.swarmgen.lab="+lab); running != "" {
		t.Fatalf("lab containers still running after %s: %s", what, running)
	}
	start := time.Now()
	h.must("start")
	t.Logf("start after %s: %s", what, time.Since(start).Round(time.Millisecond))
	st := h.waitFor("converged after "+what, 2*time.Minute, converged(services...))
	t.Logf("converged %s after %s", time.Since(start).Round(time.Millisecond), what)
	if again := nodeIDs(st); again != ids {
		t.Errorf("node IDs changed across %s:\n%s\nthen\n%s", what, ids, again)
	}
	if again, _ := httpGet(catalogURL); again != catalog {
		t.Errorf("registry catalog changed across %s: %q then %q", what, catalog, again)
	}
}

// nodeIDs are the swarm's node names with their IDs, one per line.
func nodeIDs(st *swarmlab.Status) string {
	var lines []string
	for _, n := range st.Nodes {
		lines = append(lines, n.Name+" "+n.ID)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func serviceVersions(t *testing.T) string {
	out := docker(t, "exec", lab+"-manager", "sh", "-c", `docker service inspect --format '{{.Spec.Name}} {{.Version.Index}}' $(docker service ls -q)`)
	lines := strings.Split(out, "\n")
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
