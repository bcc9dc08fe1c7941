package e2e

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	vizAuthLab          = "e2e-vizauth"
	vizAuthRegistryPort = 15010
	vizAuthPort         = 19008
)

var vizAuthSpec = fmt.Sprintf(`apiVersion: swarmgen.dev/v1alpha1
kind: Lab
name: %s
routing_mesh: false
registry:
  image: swarmgen-e2e/registry:3
  port: %d
nodes:
  image: swarmgen-e2e/dind:bookworm
  privileged: false
managers:
  - name: manager
    ports: ["%d:9000"]
workers: 1
visualizer:
  auth:
    user: admin
    password_file: visualizer-password
`, vizAuthLab, vizAuthRegistryPort, vizAuthPort)

// TestVisualizerAuth: with visualizer.auth in the spec, the in-lab
// visualizer answers 401 without the password and 200 with it; the
// password is in no generated file, output or export-logs bundle; an
// unchanged password file changes nothing, a changed one makes a new
// secret version (the old one pruned) that the visualizer then asks for.
// Then the timeline, live: a partition made by hand (swarmgen net) shows in
// the open page of the in-lab visualizer (the swarm's own view: the worker
// Down, then Ready) and in swarmgen viz on the host, which also reads the
// fault and marks the worker cut off.
func TestVisualizerAuth(t *testing.T) {
	needEngine(t)
	h := newHarness(t, vizAuthSpec)
	const first, second = "e2e-first-pw-4f1c", "e2e-second-pw-9a7d"
	pwFile := filepath.Join(h.dir, "visualizer-password")
	writePW := func(pw string) {
		if err := os.WriteFile(pwFile, []byte(pw+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var outputs strings.Builder
	run := func(args ...string) string {
		out := h.must(args...)
		outputs.WriteString(out)
		return out
	}
	writePW(first)
	run("up", "--wait", "4m", "-v")
	h.waitFor("visualizer up", 2*time.Minute, converged("visualizer_app"))

	url := fmt.Sprintf("http://127.0.0.1:%d/", vizAuthPort)
	expect := func(path string, want int, cred ...string) {
		t.Helper()
		var got int
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(500 * time.Millisecond) {
			got = statusOf(url+path, cred...)
			if got == want || time.Now().After(deadline) {
				break
			}
		}
		if got != want {
			t.Errorf("GET /%s as %q: %d, want %d", path, cred, got, want)
		}
	}
	for _, path := range []string{"", "api/state", "events"} {
		expect(path, http.StatusUnauthorized)
		expect(path, http.StatusUnauthorized, "admin", "wrong")
	}
	expect("", http.StatusOK, "admin", first)
	expect("api/state", http.StatusOK, "admin", first)

	versions := func() []string {
		out := h.must("docker", "secret", "ls", "--format", "{{.Name}}")
		var names []string
		for _, l := range strings.Fields(out) {
			if strings.HasPrefix(l, "visualizer-auth-") {
				names = append(names, l)
			}
		}
		return names
	}
	v1 := versions()
	if len(v1) != 1 {
		t.Fatalf("secret versions after the first up: %v", v1)
	}

	// unchanged: nothing to do, the same version
	if plan := run("plan"); !strings.Contains(plan, "No changes") {
		t.Errorf("plan with an unchanged password file:\n%s", plan)
	}
	run("up", "--wait", "4m")
	if v := versions(); len(v) != 1 || v[0] != v1[0] {
		t.Errorf("an unchanged password file: versions %v, want %v", v, v1)
	}

	// changed: a new version, the stack redeployed, the old one pruned
	writePW(second)
	plan := run("plan")
	for _, want := range []string{"~ secret visualizer-auth", "~ stack visualizer", "- secret " + v1[0]} {
		if !strings.Contains(plan, want) {
			t.Errorf("plan after a password change lacks %q:\n%s", want, plan)
		}
	}
	if v := versions(); len(v) != 1 || v[0] != v1[0] {
		t.Errorf("plan changed the secrets: %v", v)
	}
	run("up", "--wait", "4m", "-v")
	h.waitFor("visualizer up again", 2*time.Minute, converged("visualizer_app"))
	if v := versions(); len(v) != 1 || v[0] == v1[0] {
		t.Errorf("after a password change: versions %v (old %v)", v, v1)
	}
	expect("api/state", http.StatusOK, "admin", second)
	expect("api/state", http.StatusUnauthorized, "admin", first)

	// the password is nowhere but in its file and the secret
	bundle := filepath.Join(t.TempDir(), "logs")
	run("export-logs", bundle)
	if out, err := exec.Command("grep", "-rlE", first+"|"+second, h.dir, bundle, "--exclude=visualizer-password").CombinedOutput(); err == nil {
		t.Errorf("the password is in files:\n%s", out)
	}
	if s := outputs.String(); strings.Contains(s, first) || strings.Contains(s, second) {
		t.Errorf("the password is in swarmgen's output")
	}

	t.Run("timeline", func(t *testing.T) { checkTimeline(t, h, url, "admin", second) })
}

// checkTimeline opens the in-lab visualizer (url, with the password) and
// swarmgen viz on the host, cuts worker01 off with swarmgen net partition,
// heals, and checks what each page's timeline and node view show.
func checkTimeline(t *testing.T, h *harness, url, user, pass string) {
	h.waitFor("2 nodes ready", 2*time.Minute, nodesReadyAnd(2, converged("visualizer_app")))
	inLab := startBrowser(t)
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	if err := inLab.call(inLab.session, "Network.enable", map[string]any{}, nil); err != nil {
		t.Fatal(err)
	}
	if err := inLab.call(inLab.session, "Network.setExtraHTTPHeaders", map[string]any{"headers": map[string]string{"Authorization": "Basic " + auth}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := inLab.navigate(url); err != nil {
		t.Fatal(err)
	}

	hostViz := exec.Command(h.bin, "viz", "-f", filepath.Join(h.dir, "swarm.yaml"), "-o", h.dir, "--listen", "127.0.0.1:0")
	stdout, err := hostViz.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	hostViz.Stderr = &stderr
	if err := hostViz.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = hostViz.Process.Kill()
		_ = hostViz.Wait()
		if t.Failed() {
			t.Logf("swarmgen viz on the host said:\n%s", stderr.String())
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	hostURL := line[strings.LastIndex(line, " ")+1:]
	if err != nil || !strings.HasPrefix(hostURL, "http://127.0.0.1:") {
		t.Fatalf("swarmgen viz printed %q (%v)\n%s", line, err, stderr.String())
	}
	onHost := startBrowser(t)
	if err := onHost.navigate(strings.TrimSpace(hostURL) + "/"); err != nil {
		t.Fatal(err)
	}

	event := func(kind, node string) string {
		return fmt.Sprintf(`!!document.querySelector('#timeline li[data-kind=%q][data-nodes~=%q]')`, kind, node)
	}
	cutoff := `(n => n ? n.dataset.cutoff || "" : "no node")(document.querySelector('[data-node="worker01"]'))`
	for name, b := range map[string]*browser{"in-lab": inLab, "host": onHost} {
		if _, err := b.waitEval(`document.querySelectorAll("#timeline li[data-kind=watch]").length`, "1", time.Minute); err != nil {
			var text string
			_ = b.eval(`document.body.innerText.slice(0, 800)`, &text)
			req, _ := http.NewRequest("GET", url+"api/state", nil)
			req.SetBasicAuth(user, pass)
			state := ""
			if resp, err := http.DefaultClient.Do(req); err == nil {
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				state = string(body[:min(len(body), 300)]) + " ... timeline: " + fmt.Sprint(strings.Contains(string(body), `"timeline"`))
			}
			t.Fatalf("the %s page shows no timeline: %v\npage:\n%s\nin-lab api/state: %s", name, err, text, state)
		}
	}

	start := time.Now()
	h.must("net", "partition", "worker01")
	if _, err := inLab.waitEval(event("down", "worker01"), "true", 2*time.Minute); err != nil {
		t.Errorf("the in-lab page's timeline does not show worker01 Down: %v", err)
	}
	t.Logf("TIMING in-lab page: worker01 Down %s after the partition", time.Since(start).Round(100*time.Millisecond))
	if _, err := onHost.waitEval(event("fault", "worker01"), "true", 2*time.Minute); err != nil {
		t.Errorf("the host page's timeline does not show the fault on worker01: %v", err)
	}
	// the fault is a label of the swarm's node: the in-lab page knows it too
	if _, err := inLab.waitEval(event("fault", "worker01"), "true", time.Minute); err != nil {
		t.Errorf("the in-lab page's timeline does not show the fault on worker01: %v", err)
	}
	if _, err := onHost.waitEval(cutoff, `"fault"`, 30*time.Second); err != nil {
		t.Errorf("the host page does not mark worker01 cut off: %v", err)
	}
	if _, err := onHost.waitEval(event("down", "worker01"), "true", time.Minute); err != nil {
		t.Errorf("the host page's timeline does not show worker01 Down: %v", err)
	}
	root, _ := filepath.Abs("..")
	if err := os.MkdirAll(filepath.Join(root, "e2e", "out"), 0o755); err == nil {
		if err := onHost.screenshot(filepath.Join(root, "e2e", "out", "visualizer-timeline.png")); err != nil {
			t.Errorf("screenshot: %v", err)
		}
	}

	start = time.Now()
	h.must("net", "heal")
	if _, err := inLab.waitEval(event("ready", "worker01"), "true", 2*time.Minute); err != nil {
		t.Errorf("the in-lab page's timeline does not show worker01 Ready again: %v", err)
	}
	t.Logf("TIMING in-lab page: worker01 Ready %s after heal", time.Since(start).Round(100*time.Millisecond))
	if _, err := onHost.waitEval(event("healed", "worker01"), "true", 2*time.Minute); err != nil {
		t.Errorf("the host page's timeline does not show the fault healed: %v", err)
	}
	if _, err := onHost.waitEval(cutoff, `""`, 30*time.Second); err != nil {
		t.Errorf("the host page still marks worker01 cut off: %v", err)
	}
	var lines []string
	if err := onHost.eval(`Array.from(document.querySelectorAll("#timeline li")).map(li => li.textContent)`, &lines); err == nil {
		t.Logf("host page timeline, newest first:\n%s", strings.Join(lines, "\n"))
	}
}

// statusOf is the HTTP status of a GET, 0 when there is no answer.
func statusOf(url string, cred ...string) int {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return 0
	}
	if len(cred) == 2 {
		req.SetBasicAuth(cred[0], cred[1])
	}
	c := http.Client{Timeout: 3 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}
