package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	swarmlab "github.com/swarmgen/swarmgen/internal/lab"
)

const (
	viz30Lab          = "e2e-viz30"
	viz30RegistryPort = 15050
	viz30Managers     = 3
	viz30Workers      = 27
)

// A bare lab as bench/scale.sh makes it, 30 nodes, with the builtin
// visualizer and one small service on every worker (no TLS endpoint: the
// test does not use it, and it saves a few seconds).
var viz30Spec = fmt.Sprintf(`apiVersion: swarmgen.dev/v1alpha1
kind: Lab
name: %s
routing_mesh: false
docker_endpoint: false
registry: {image: swarmgen-e2e/registry:3, port: %d}
nodes: {image: swarmgen-e2e/dind:bookworm, privileged: false}
managers: %d
workers: %d
images:
  - source: yutsuki/echo:latest
visualizer: builtin
services:
  - name: echo
    image: registry:5000/yutsuki/echo:latest
    mode: global
    constraints: [node.role == worker]
`, viz30Lab, viz30RegistryPort, viz30Managers, viz30Workers)

// TestVisualizerThirtyNodes: a real 30-node lab (3 managers, 27 workers)
// comes up with `swarmgen up`, every node Ready; `swarmgen status` sums
// the nodes up per role and state; the visualizer page, served by
// `swarmgen viz` on the host and opened in Chromium, shows the 30 nodes
// grouped by role without scrolling sideways, and a click on a service
// shows that service's nodes alone. Leaves a screenshot in
// e2e/out/visualizer-30.png (docs/visualizer-30.png is a copy of one).
func TestVisualizerThirtyNodes(t *testing.T) {
	needEngine(t)
	const nodes = viz30Managers + viz30Workers
	root, _ := filepath.Abs("..")
	start := time.Now()
	watchNeighbours(t) // reports after the lab is down
	h := newHarness(t, viz30Spec)

	up := time.Now()
	h.must("up", "--wait", "8m")
	t.Logf("up of %d nodes: %s (a figure, not a check)", nodes, time.Since(up).Round(100*time.Millisecond))

	// every node Ready, the service on every worker
	st := h.waitFor("30 nodes ready, echo on every worker", 2*time.Minute, func(st *swarmlab.Status) error {
		ready := 0
		for _, n := range st.Nodes {
			if n.State == "ready" && n.Availability == "active" {
				ready++
			}
		}
		if ready != nodes || len(st.Nodes) != nodes {
			return fmt.Errorf("%d nodes, %d ready and active, want %d", len(st.Nodes), ready, nodes)
		}
		return converged("echo", "visualizer_app")(st)
	})
	if svc := service(st, "echo"); svc.Running != viz30Workers {
		t.Errorf("echo runs %d tasks, want one on each of the %d workers", svc.Running, viz30Workers)
	}
	t.Logf("nodes Ready: %d", len(st.Nodes))

	// status at this size: a line per role and state, not 30 node lines
	took := time.Now()
	out := h.must("status")
	t.Logf("status of %d nodes: %s (a figure, not a check)", nodes, time.Since(took).Round(10*time.Millisecond))
	for _, want := range []string{
		fmt.Sprintf(`(?m)^manager +ready +active +%d +manager01\.\.%02d$`, viz30Managers, viz30Managers),
		fmt.Sprintf(`(?m)^worker +ready +active +%d +worker01\.\.%02d$`, viz30Workers, viz30Workers),
		fmt.Sprintf(`(?m)^echo +global +%d/%d +`, viz30Workers, viz30Workers),
		`(?m)^visualizer_app +replicated +1/1 +manager0[1-3]$`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("status lacks a line matching %s:\n%s", want, out)
		}
	}
	if lines := strings.Count(out, "\n"); lines > 15 {
		t.Errorf("status prints %d lines for %d nodes, want a summary:\n%s", lines, nodes, out)
	}

	// the page, from the host
	url := serveViz(t, h)
	b := startBrowser(t)
	if err := b.call(b.session, "Emulation.setDeviceMetricsOverride", map[string]any{"width": 1400, "height": 1000, "deviceScaleFactor": 1, "mobile": false}, nil); err != nil {
		t.Fatal(err)
	}
	if err := b.navigate(url); err != nil {
		t.Fatal(err)
	}
	if _, err := b.waitEval(`document.querySelectorAll("[data-node][data-state=ready]").length`, strconv.Itoa(nodes), 30*time.Second); err != nil {
		t.Fatalf("the page does not show the %d nodes ready: %v", nodes, err)
	}
	if _, err := b.waitEval(`document.querySelectorAll('.task[data-service="echo"]').length`, strconv.Itoa(viz30Workers), 30*time.Second); err != nil {
		t.Errorf("the page does not show echo's %d tasks: %v", viz30Workers, err)
	}
	var groups []string
	if err := b.eval(`Array.from(document.querySelectorAll(".nodegroup")).map(g => g.dataset.group + " " + g.querySelectorAll("[data-node]").length)`, &groups); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("manager %d, worker %d", viz30Managers, viz30Workers); strings.Join(groups, ", ") != want {
		t.Errorf("groups %q, want %s", groups, want)
	}
	sideways := `(e => e.scrollWidth > e.clientWidth)(document.scrollingElement)`
	for _, width := range []int{1400, 1024} {
		if err := b.call(b.session, "Emulation.setDeviceMetricsOverride", map[string]any{"width": width, "height": 1000, "deviceScaleFactor": 1, "mobile": false}, nil); err != nil {
			t.Fatal(err)
		}
		var scrolls bool
		if err := b.eval(sideways, &scrolls); err != nil || scrolls {
			t.Errorf("the page scrolls sideways at %d nodes, %d pixels wide (%v)", nodes, width, err)
		}
	}
	// the whole page in one picture: as tall as it is at 1400 pixels wide
	if err := b.call(b.session, "Emulation.setDeviceMetricsOverride", map[string]any{"width": 1400, "height": 400, "deviceScaleFactor": 1, "mobile": false}, nil); err != nil {
		t.Fatal(err)
	}
	var height int
	if err := b.eval(`document.scrollingElement.scrollHeight`, &height); err != nil {
		t.Fatal(err)
	}
	if err := b.call(b.session, "Emulation.setDeviceMetricsOverride", map[string]any{"width": 1400, "height": min(height, 2400), "deviceScaleFactor": 1, "mobile": false}, nil); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "e2e", "out"), 0o755); err == nil {
		shot := filepath.Join(root, "e2e", "out", "visualizer-30.png")
		if err := b.screenshot(shot); err != nil {
			t.Errorf("screenshot: %v", err)
		} else {
			t.Logf("screenshot: %s", shot)
		}
	}

	// one service alone, from its legend entry, then all again
	pick := func(service string, want int) {
		t.Helper()
		if err := b.eval(fmt.Sprintf(`document.querySelector('.leg[data-legend=%q]').click(), true`, service), new(bool)); err != nil {
			t.Fatal(err)
		}
		var shown []string
		if err := b.eval(`Array.from(document.querySelectorAll(".node[data-node]:not(.filtered-out)")).map(n => n.dataset.node)`, &shown); err != nil {
			t.Fatal(err)
		}
		var running []string // the nodes st says run it
		for _, task := range service0(st, service).Tasks {
			running = append(running, task.Node)
		}
		if len(shown) != want || len(shown) != len(running) {
			t.Errorf("after a click on %s: nodes shown %v, want the %d that run it: %v", service, shown, want, running)
		}
		var others int
		if err := b.eval(fmt.Sprintf(`Array.from(document.querySelectorAll(".task:not([hidden])")).filter(c => c.dataset.service !== %q).length`, service), &others); err != nil || others != 0 {
			t.Errorf("after a click on %s, other services' tasks still shown: %d (%v)", service, others, err)
		}
		summary := fmt.Sprintf("%q", fmt.Sprintf("showing %d of %d nodes", want, nodes))
		if _, err := b.waitEval(`document.getElementById("summary").textContent.replace(/^.*· /, "")`, summary, time.Second); err != nil {
			t.Errorf("the summary does not say what is shown: %v", err)
		}
	}
	pick("echo", viz30Workers)
	var managersShown int
	if err := b.eval(`document.querySelectorAll('.node[data-role=manager]:not(.filtered-out)').length`, &managersShown); err != nil || managersShown != 0 {
		t.Errorf("echo alone: %d managers still shown (%v)", managersShown, err)
	}
	pick("visualizer_app", 1)
	if err := b.eval(`document.querySelector('.leg[data-legend="visualizer_app"]').click(), true`, new(bool)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.waitEval(`document.querySelectorAll(".node[data-node]:not(.filtered-out)").length`, strconv.Itoa(nodes), time.Second); err != nil {
		t.Errorf("a second click does not show every node again: %v", err)
	}

	down := time.Now()
	h.must("down")
	t.Logf("down of %d nodes: %s (a figure, not a check)", nodes, time.Since(down).Round(100*time.Millisecond))
	if left := labObjects(t, viz30Lab); left != "" {
		t.Errorf("down left objects of %s: %s", viz30Lab, left)
	}
	t.Logf("whole test: %s", time.Since(start).Round(time.Second))
}

// service0 is service(st, name), or an empty one.
func service0(st *swarmlab.Status, name string) swarmlab.ServiceStatus {
	if svc := service(st, name); svc != nil {
		return *svc
	}
	return swarmlab.ServiceStatus{Name: name}
}

// serveViz starts `swarmgen viz` on the host for h's lab, on a free port,
// and returns the page's address.
func serveViz(t *testing.T, h *harness) string {
	t.Helper()
	cmd := exec.Command(h.bin, "viz", "-f", filepath.Join(h.dir, "swarm.yaml"), "-o", h.dir, "--listen", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), h.env...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("swarmgen viz printed no address: %v", err)
	}
	i := strings.Index(line, "http://")
	if i < 0 {
		t.Fatalf("swarmgen viz printed %q", line)
	}
	return strings.TrimSpace(line[i:]) + "/"
}

// neighbours samples the kernel's neighbour (ARP) table while a test runs:
// its size at the peak, and how often it was full (table_fulls), from
// /proc/net/stat/arp_cache.
type neighbours struct {
	t          *testing.T
	mu         sync.Mutex
	peak       int
	fulls0     int
	limit      string
	stop, done chan struct{}
}

func watchNeighbours(t *testing.T) *neighbours {
	n := &neighbours{t: t, stop: make(chan struct{}), done: make(chan struct{})}
	limit, _ := os.ReadFile("/proc/sys/net/ipv4/neigh/default/gc_thresh3")
	n.limit = strings.TrimSpace(string(limit))
	_, n.fulls0 = arpCache()
	go func() {
		defer close(n.done)
		for {
			entries, _ := arpCache()
			n.mu.Lock()
			n.peak = max(n.peak, entries)
			n.mu.Unlock()
			select {
			case <-n.stop:
				return
			case <-time.After(250 * time.Millisecond):
			}
		}
	}()
	t.Cleanup(n.report) // after the lab is down: the harness's cleanup comes first
	return n
}

func (n *neighbours) report() {
	close(n.stop)
	<-n.done
	_, fulls := arpCache()
	n.t.Logf("neighbour table: full %d times during the test (gc_thresh3 %s); at most %d entries, loopback and permanent ones included, which the limit does not count (figures, not checks)", fulls-n.fulls0, n.limit, n.peak)
}

// arpCache reads the entries and table_fulls columns of
// /proc/net/stat/arp_cache (hexadecimal; every CPU's line repeats the
// table-wide entries count, table_fulls is per CPU).
func arpCache() (entries, fulls int) {
	data, err := os.ReadFile("/proc/net/stat/arp_cache")
	if err != nil {
		return 0, 0
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) < 2 {
		return 0, 0
	}
	head := strings.Fields(lines[0])
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if i, ok := col["entries"]; ok && i < len(f) {
			v, _ := strconv.ParseInt(f[i], 16, 64)
			entries = int(v)
		}
		if i, ok := col["table_fulls"]; ok && i < len(f) {
			v, _ := strconv.ParseInt(f[i], 16, 64)
			fulls += int(v)
		}
	}
	return entries, fulls
}
