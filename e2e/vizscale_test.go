package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The visualizer's page at 100 nodes, in Chromium, from the demo's fake
// swarm (no lab needed): the nodes wrap into rows grouped by role (no page
// that scrolls sideways), a click on a service in the legend shows that
// service's nodes alone, and nodes group by a label's value; the timeline
// sums the swarm up above them. Leaves a
// screenshot in e2e/out/visualizer-100.png.
func TestVisualizerAtScale(t *testing.T) {
	root, _ := filepath.Abs("..")
	bin := filepath.Join(t.TempDir(), "demo")
	build := exec.Command("go", "build", "-o", bin, "./internal/viz/internal/demo")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the demo: %v\n%s", err, out)
	}
	demo := exec.Command(bin, "-addr", "127.0.0.1:0", "-nodes", "100", "-tasks", "400", "-period", "1h")
	stdout, err := demo.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = demo.Process.Kill(); _ = demo.Wait() })
	url, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("the demo printed no address: %v", err)
	}
	b := startBrowser(t)
	if err := b.call(b.session, "Emulation.setDeviceMetricsOverride", map[string]any{"width": 1400, "height": 1000, "deviceScaleFactor": 1, "mobile": false}, nil); err != nil {
		t.Fatal(err)
	}
	if err := b.navigate(strings.TrimSpace(url) + "?transport=poll"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.waitEval(`document.querySelectorAll("[data-node]").length`, "100", 30*time.Second); err != nil {
		t.Fatalf("the page does not show the 100 nodes: %v", err)
	}
	var groups []string
	if err := b.eval(`Array.from(document.querySelectorAll(".nodegroup")).map(g => g.dataset.group + " " + g.querySelectorAll("[data-node]").length)`, &groups); err != nil {
		t.Fatal(err)
	}
	if strings.Join(groups, ", ") != "manager 3, worker 97" {
		t.Errorf("groups %q, want the 3 managers, then the 97 workers", groups)
	}
	// the timeline above the nodes: one line so far, that sums the swarm up
	if _, err := b.waitEval(`Array.from(document.querySelectorAll("#timeline li")).map(li => li.dataset.kind + " " + li.querySelector(".tx").textContent).join("|")`,
		`"watch watching: node01 leads; 100 nodes, 100 ready"`, 5*time.Second); err != nil {
		t.Errorf("the timeline: %v", err)
	}
	sideways := `document.documentElement.scrollWidth > document.documentElement.clientWidth`
	var scrolls bool
	if err := b.eval(sideways, &scrolls); err != nil || scrolls {
		t.Errorf("the page scrolls sideways at 100 nodes (%v)", err)
	}
	if err := os.MkdirAll(filepath.Join(root, "e2e", "out"), 0o755); err == nil {
		if err := b.screenshot(filepath.Join(root, "e2e", "out", "visualizer-100.png")); err != nil {
			t.Errorf("screenshot: %v", err)
		}
	}

	// one service alone: a click on its legend entry
	var service string
	if err := b.eval(`document.querySelector(".leg:not([data-legend^=logs]):not([data-legend^=monitor])").dataset.legend`, &service); err != nil {
		t.Fatal(err)
	}
	if err := b.eval(fmt.Sprintf(`document.querySelector('[data-legend=%q]').click(), true`, service), new(bool)); err != nil {
		t.Fatal(err)
	}
	var want, shown int
	if err := b.eval(fmt.Sprintf(`new Set(Array.from(document.querySelectorAll('.task[data-service=%q]')).map(c => c.closest("[data-node]") && c.closest("[data-node]").dataset.node).filter(Boolean)).size`, service), &want); err != nil {
		t.Fatal(err)
	}
	if err := b.eval(`document.querySelectorAll(".node[data-node]:not(.filtered-out)").length`, &shown); err != nil {
		t.Fatal(err)
	}
	if shown != want || want == 0 || want >= 100 {
		t.Errorf("after a click on %s: %d nodes shown, want the %d that run it", service, shown, want)
	}
	var others int
	if err := b.eval(fmt.Sprintf(`Array.from(document.querySelectorAll(".task:not([hidden])")).filter(c => c.dataset.service !== %q).length`, service), &others); err != nil || others != 0 {
		t.Errorf("other services' tasks still shown: %d (%v)", others, err)
	}
	if _, err := b.waitEval(`document.getElementById("filter").value`, fmt.Sprintf("%q", "service:"+service), time.Second); err != nil {
		t.Errorf("the filter box does not say what is shown: %v", err)
	}

	// grouped by a label's value: every node once, under its zone
	if err := b.eval(`(g => { g.value = "label:zone"; g.dispatchEvent(new Event("change")); return true })(document.getElementById("group"))`, new(bool)); err != nil {
		t.Fatal(err)
	}
	var zones []string
	if err := b.eval(`Array.from(document.querySelectorAll(".nodegroup")).map(g => g.dataset.group)`, &zones); err != nil {
		t.Fatal(err)
	}
	var total int
	if err := b.eval(`document.querySelectorAll(".nodegroup [data-node]").length`, &total); err != nil {
		t.Fatal(err)
	}
	if len(zones) < 2 || !strings.HasPrefix(zones[0], "zone=") || total != 100 {
		t.Errorf("grouped by zone: groups %q holding %d nodes, want zone=... groups holding all 100", zones, total)
	}
}
