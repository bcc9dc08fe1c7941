package e2e

import (
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/swarmgen/swarmgen/internal/ownlabels"
)

// quickStart is the README's quick start, line by line as written (without
// the comments); TestInitFromNothing runs each one in the lab's directory,
// and internal/doccheck checks that the README's block is exactly these
// lines and those of quickStartNotRun.
var quickStart = []string{
	`swarmgen init`,
	`swarmgen up`,
	`swarmgen status`,
	`swarmgen viz`,
	`swarmgen docker node ls`,
	`eval "$(swarmgen env)"`,
	`swarmgen down`,
}

// quickStartNotRun: quick-start lines the e2e does not run, and why.
var quickStartNotRun = map[string]string{}

// quickRun runs README quick-start lines as a user types them: through a
// shell, in the lab's directory, with swarmgen on PATH.
type quickRun struct {
	h   *harness
	ran map[string]bool
}

// cmd is the shell running line, followed in the same shell by check (a
// command that shows line did its job, or "").
func (q *quickRun) cmd(line, check string) *exec.Cmd {
	script := line
	if check != "" {
		script += " && " + check
	}
	cmd := exec.Command("sh", "-c", script)
	cmd.Dir = q.h.dir
	cmd.Env = append(append(os.Environ(), q.h.env...), "PATH="+filepath.Dir(q.h.bin)+string(os.PathListSeparator)+os.Getenv("PATH"))
	q.ran[line] = true
	return cmd
}

// run runs line (and check) to the end and returns its output.
func (q *quickRun) run(line, check string) string {
	q.h.t.Helper()
	out, err := q.cmd(line, check).CombinedOutput()
	q.h.t.Logf("$ %s\n%s", line, out)
	if err != nil {
		q.h.t.Fatalf("%s: %v\n%s", line, err, out)
	}
	return string(out)
}

// TestInitFromNothing: the README's quick start, each line as written, by
// a swarmgen installed as users install a release with Go (`go install
// .../cmd/swarmgen@VERSION`, from a file module proxy of this tree): a
// dynamic binary, run outside the source tree. `swarmgen init`, then
// `swarmgen up` with nothing built beforehand but the node and registry
// images this machine cannot pull (the echo app is builtin: up has Go
// install the static swarmgen of that version and builds the app from
// it), the URL the summary prints answering from the echo service, then
// status, viz, docker, env and down; then the committed files alone
// (standalone). Only what this machine needs is changed in the starter
// spec: offline images, no privileged containers, no routing mesh (no IPVS
// here: the echo service is then published in host mode, so it runs on
// the manager), and ports and a name of its own beside the other e2e labs
// (the registry's port is the one init found free: 5000 unless taken).
func TestInitFromNothing(t *testing.T) {
	needEngine(t)
	h := newHarness(t, "")
	// the swarmgen a user gets from go install ...@VERSION: dynamic, outside
	// the source tree; up has Go build the static one for the builtin images
	start := time.Now()
	g := installFromProxy(t)
	h.bin, h.env = g.Bin, append(h.env, g.Env...)
	t.Logf("TIMING module proxy and go install of a dynamic swarmgen: %s", time.Since(start).Round(time.Millisecond))
	q := &quickRun{h: h, ran: map[string]bool{}}
	if err := os.Remove(filepath.Join(h.dir, "swarm.yaml")); err != nil {
		t.Fatal(err)
	}
	q.run("swarmgen init", "test -s swarm.yaml && test -s swarm.schema.json")
	raw, err := os.ReadFile(filepath.Join(h.dir, "swarm.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	spec := regexp.MustCompile(`(?m)^(  port: )[0-9]+ `).ReplaceAllString(string(raw), "${1}15007 ")
	if !strings.Contains(spec, "\n  port: 15007 ") {
		t.Fatalf("the starter spec has no registry port any more; update this test:\n%s", spec)
	}
	for _, r := range [][2]string{
		{"# name: lab-a ", "name: e2e-init #"},
		{"# routing_mesh: true ", "routing_mesh: false #"},
		{"image: registry:3.0.0", "image: swarmgen-e2e/registry:3"},
		{"image: docker:28.5.2-dind", "image: swarmgen-e2e/dind:bookworm"},
		{"privileged: true ", "privileged: false "},
		{`"8000:8000"`, `"18000:8000"`},
		{`"9000:9000"`, `"19007:9000"`},
		{"image: gihyodocker/nginx-proxy:latest", "image: registry:5000/gihyodocker/nginx-proxy:latest"},
		{"    name: yutsuki/echo:latest ", "    name: yutsuki/echo:latest\n  - source: swarmgen-e2e/nginx-proxy:latest\n    name: gihyodocker/nginx-proxy:latest #"},
		{"    replicas: 1\n", "    replicas: 1\n    constraints: [node.role == manager]\n"},
	} {
		if !strings.Contains(spec, r[0]) {
			t.Fatalf("the starter spec has no %q any more; update this test:\n%s", r[0], spec)
		}
		spec = strings.Replace(spec, r[0], r[1], 1)
	}
	if err := os.WriteFile(filepath.Join(h.dir, "swarm.yaml"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	out := q.run("swarmgen up", "")
	t.Logf("TIMING swarmgen up (the static swarmgen built by go install first): %s", time.Since(start).Round(time.Millisecond))
	if !strings.Contains(out, "http://127.0.0.1:18000") {
		t.Errorf("the summary does not name the echo URL:\n%s", out)
	}
	checkBuiltByGoInstall(t, g)
	checkEcho(t, "swarmgen up")
	if _, err := httpGet("http://127.0.0.1:19007/"); err != nil {
		t.Errorf("the visualizer URL: %v", err)
	}

	if out := q.run("swarmgen status", ""); !strings.Contains(out, "worker03") || !strings.Contains(out, "echo") {
		t.Errorf("swarmgen status does not show worker03 and the echo service:\n%s", out)
	}
	checkQuickViz(t, q)
	if out := q.run("swarmgen docker node ls", ""); strings.Count(out, "Ready") != 4 {
		t.Errorf("swarmgen docker node ls does not list 4 Ready nodes:\n%s", out)
	}
	// docker itself, pointed at the lab; swarmgen still finds the lab from that shell
	if out := q.run(`eval "$(swarmgen env)"`, "docker node ls && swarmgen status"); strings.Count(out, "worker0") < 6 {
		t.Errorf("docker node ls and swarmgen status after eval \"$(swarmgen env)\" do not list the workers:\n%s", out)
	}
	q.run("swarmgen down", "")
	if left := labObjects(t, "e2e-init"); left != "" {
		t.Errorf("swarmgen down left containers, networks or volumes of the lab:\n%s", left)
	}
	standalone(t, h.dir)
	for _, line := range quickStart {
		if !q.ran[line] {
			t.Errorf("the quick-start line %q was not run; run it here or move it to quickStartNotRun with the reason", line)
		}
	}
}

// checkBuiltByGoInstall checks that up, run by the dynamic swarmgen g,
// had Go install the static linux one of the same version into the user
// cache, and made the builtin images' base from it.
func checkBuiltByGoInstall(t *testing.T, g goInstalled) {
	t.Helper()
	// go install puts it in bin/ of the GOPATH it is given: the engine's
	// architecture is this machine's here
	static := filepath.Join(g.Cache, "swarmgen", g.Version, "bin", "swarmgen")
	if _, err := os.Stat(static); err != nil {
		t.Fatalf("up did not go install the static swarmgen into the user cache: %v", err)
	}
	if dynamic(t, static) {
		t.Errorf("%s, which up had Go install, is linked dynamically", static)
	}
	data, err := os.ReadFile(static)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("sha256:%x", sha256.Sum256(data))
	base := "swarmgen/swarmgen:devel" // no release: model.BuiltinBaseDevel
	if got := docker(t, "image", "inspect", "--format", `{{index .Config.Labels "`+ownlabels.Context+`"}}`, base); got != want {
		t.Errorf("the builtin images' base %s holds the swarmgen of digest %s, not the one go install built (%s)", base, got, want)
	}
	if got := strings.TrimSpace(goOut(t, nil, "version", "-m", static)); !strings.Contains(got, module+"\t"+g.Version) {
		t.Errorf("the static swarmgen is not %s@%s:\n%s", module, g.Version, got)
	}
}

// checkQuickViz runs `swarmgen viz` as the quick start does (it serves
// until interrupted, on 127.0.0.1:8080) and reads the lab's nodes from it.
func checkQuickViz(t *testing.T, q *quickRun) {
	t.Helper()
	cmd := q.cmd("swarmgen viz", "")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // the shell and swarmgen, stopped together
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		_ = cmd.Wait()
		t.Logf("$ swarmgen viz\n%s", out.String())
	}()
	var body string
	var err error
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Second) {
		if body, err = httpGet("http://127.0.0.1:8080/api/state"); err == nil && strings.Contains(body, `"worker03"`) {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("swarmgen viz: http://127.0.0.1:8080/api/state does not list worker03: %v\n%s", err, body)
			return
		}
	}
}

// standalone copies the files a user commits (the generated ones, not
// .swarmgen/) of the lab in dir to a clean directory and brings the lab up
// there with `bash bootstrap.sh` alone, no swarmgen on PATH (a teammate
// who cloned them), the builtin echo image built from the committed
// builtin/ Dockerfiles; then `bash teardown.sh`.
func standalone(t *testing.T, dir string) {
	t.Helper()
	clean := t.TempDir()
	for _, name := range []string{"bootstrap.sh", "teardown.sh", "docker-compose.yml", "stack", "builtin"} {
		if out, err := exec.Command("cp", "-R", filepath.Join(dir, name), clean).CombinedOutput(); err != nil {
			t.Fatalf("copying %s: %v\n%s", name, err, out)
		}
	}
	var path []string
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		if _, err := os.Stat(filepath.Join(d, "swarmgen")); err != nil {
			path = append(path, d)
		}
	}
	env := append(os.Environ(), "PATH="+strings.Join(path, string(os.PathListSeparator)))
	run := func(script string) string {
		cmd := exec.Command("bash", script)
		cmd.Dir, cmd.Env = clean, env
		out, err := cmd.CombinedOutput()
		t.Logf("$ bash %s (no swarmgen)\n%s", script, out)
		if err != nil {
			t.Fatalf("bash %s: %v", script, err)
		}
		return string(out)
	}
	t.Cleanup(func() { _ = exec.Command("bash", filepath.Join(clean, "teardown.sh")).Run() })
	run("bootstrap.sh")
	checkEcho(t, "bootstrap.sh alone")
	run("teardown.sh")
}

// checkEcho waits up to a minute for the lab's echo URL to answer, as the
// echo app does, after what brought the lab up.
func checkEcho(t *testing.T, after string) {
	t.Helper()
	checkEchoAt(t, "http://127.0.0.1:18000/", after)
}

// checkEchoAt is checkEcho of the echo app at url.
func checkEchoAt(t *testing.T, url, after string) {
	t.Helper()
	var body string
	var err error
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Second) {
		if body, err = httpGet(url); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: the echo URL does not answer: %v", after, err)
		}
	}
	if !strings.HasPrefix(body, "Hello Docker!! from ") {
		t.Errorf("%s: the echo URL answered %q, not the echo app", after, body)
	}
}
