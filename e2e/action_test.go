package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	swarmlab "github.com/swarmgen/swarmgen/internal/lab"
)

const actionSpec = `apiVersion: swarmgen.dev/v1alpha1
kind: Lab
name: e2e-action
routing_mesh: false
registry:
  image: swarmgen-e2e/registry:3
  port: 15012
nodes:
  image: swarmgen-e2e/dind:bookworm
  privileged: false
managers: 1
workers: 0
images:
  - source: yutsuki/echo:latest
services:
  - name: echo
    image: registry:5000/yutsuki/echo:latest
`

// actionFailSpec is another lab whose service no node can take (none is a
// Windows node), so it stays pending for ever; a constraint on labels or
// host names would be refused by validate.
var actionFailSpec = strings.NewReplacer("name: e2e-action\n", "name: e2e-action-fail\n", "port: 15012", "port: 15013").
	Replace(actionSpec) + "    constraints: [node.platform.os == windows]\n"

// TestAction runs the GitHub action's script (action/run.sh) as the runner
// would: inputs in INPUT_*, outputs, environment and PATH written to the
// files GITHUB_OUTPUT, GITHUB_ENV and GITHUB_PATH name. A later step finds
// the lab through them, and the down mode removes it; when up fails, the
// logs bundle is where action.yml's upload step looks.
func TestAction(t *testing.T) {
	needEngine(t)
	t.Run("up, a later step, down", func(t *testing.T) {
		h := newHarness(t, actionSpec)
		gh := newRunnerFiles(t)
		start := time.Now()
		out, err := gh.run(h.dir, "", "INPUT_SPEC=swarm.yaml", "INPUT_WAIT=4m")
		if err != nil {
			t.Fatalf("run.sh: %v\n%s", err, out)
		}
		t.Logf("run.sh (up by default): %s\n%s", time.Since(start).Round(time.Millisecond), out)
		outputs := gh.read(t, "GITHUB_OUTPUT")
		spec := filepath.Join(h.dir, "swarm.yaml")
		bin := filepath.Join(gh.temp, "swarmgen-bin", "swarmgen")
		for k, want := range map[string]string{"lab": "e2e-action", "spec": spec, "dir": h.dir, "bin": bin, "logs": "", "context": "swarmgen-e2e-action"} {
			if outputs[k] != want {
				t.Errorf("output %s = %q, want %q", k, outputs[k], want)
			}
		}
		env := gh.read(t, "GITHUB_ENV")
		if env["SWARMGEN_FILE"] != spec || env["SWARMGEN_OUT"] != h.dir || env["SWARMGEN_LAB"] != "e2e-action" {
			t.Errorf("GITHUB_ENV: %v", env)
		}
		if path := gh.lines(t, "GITHUB_PATH"); len(path) != 1 || path[0] != filepath.Dir(bin) {
			t.Errorf("GITHUB_PATH: %q, want %s", path, filepath.Dir(bin))
		}

		// A later step: `swarmgen status` with no flags, from elsewhere.
		var st swarmlab.Status
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Second) {
			out, err := gh.step(t.TempDir(), env, "swarmgen status --json")
			i := strings.Index(out, "{")
			if err == nil && i >= 0 && json.Unmarshal([]byte(out[i:]), &st) == nil && converged("echo")(&st) == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("a later step's swarmgen status --json: %v\n%s", err, out)
			}
		}

		// The down mode as the last step runs it: only the environment.
		start = time.Now()
		if out, err := gh.run(t.TempDir(), "down", envList(env)...); err != nil {
			t.Fatalf("run.sh down: %v\n%s", err, out)
		}
		t.Logf("run.sh down: %s", time.Since(start).Round(time.Millisecond))
		if left := labObjects(t, "e2e-action"); left != "" {
			t.Errorf("down left the lab's containers, networks or volumes: %s", left)
		}
	})

	t.Run("up fails, logs bundle, down", func(t *testing.T) {
		h := newHarness(t, actionFailSpec)
		gh := newRunnerFiles(t)
		start := time.Now()
		// the wait bounds every step (the registry, the engines), so it is
		// long enough for a loaded machine: only convergence can use it up
		out, err := gh.run(h.dir, "up", "INPUT_SPEC="+filepath.Join(h.dir, "swarm.yaml"), "INPUT_WAIT=90s")
		t.Logf("run.sh up (failing): %s\n%s", time.Since(start).Round(time.Millisecond), out)
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			t.Fatalf("run.sh up with a service that cannot converge: %v, want a failure\n%s", err, out)
		}
		if !strings.Contains(out, "✗ Waiting for services to converge") {
			t.Fatalf("run.sh up failed before the services' convergence, not where the spec makes it fail:\n%s", out)
		}
		bundle := filepath.Join(gh.temp, "swarmgen-logs", "swarmgen-logs-e2e-action-fail.tar.gz")
		if got := gh.read(t, "GITHUB_OUTPUT")["logs"]; got != bundle {
			t.Errorf("output logs = %q, want %s", got, bundle)
		}
		if !strings.Contains(out, "::error::swarmgen up failed") {
			t.Errorf("no error annotation:\n%s", out)
		}
		files := untar(t, bundle)
		for _, name := range []string{"manager/container.log", "generated/docker-compose.yml", "swarm/tasks.txt"} {
			if _, ok := files[name]; !ok {
				t.Errorf("the bundle has no %s", name)
			}
		}
		if tasks := files["swarm/tasks.txt"]; !strings.Contains(tasks, "no suitable node") {
			t.Errorf("the bundle's tasks do not say why echo is pending:\n%s", tasks)
		}
		if out, err := gh.run(t.TempDir(), "down", envList(gh.read(t, "GITHUB_ENV"))...); err != nil {
			t.Fatalf("run.sh down: %v\n%s", err, out)
		}
		if left := labObjects(t, "e2e-action-fail"); left != "" {
			t.Errorf("down left the lab's containers, networks or volumes: %s", left)
		}
	})
}

// runnerFiles are what a GitHub runner gives a step: a temp dir and the
// files a step writes its outputs, environment and PATH to.
type runnerFiles struct {
	temp  string
	files map[string]string
}

func newRunnerFiles(t *testing.T) *runnerFiles {
	dir := t.TempDir()
	gh := &runnerFiles{temp: filepath.Join(dir, "runner-temp"), files: map[string]string{}}
	if err := os.Mkdir(gh.temp, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH"} {
		gh.files[name] = filepath.Join(dir, strings.ToLower(name))
		if err := os.WriteFile(gh.files[name], nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return gh
}

// run runs action/run.sh MODE (no argument if mode is "") in dir with env
// added to the runner's.
func (gh *runnerFiles) run(dir, mode string, env ...string) (string, error) {
	script, err := filepath.Abs("../action/run.sh")
	if err != nil {
		return "", err
	}
	cmd := exec.Command(script, mode)
	if mode == "" {
		cmd = exec.Command(script)
	}
	cmd.Dir = dir
	cmd.Env = append(gh.environ(), env...)
	for name, file := range gh.files {
		cmd.Env = append(cmd.Env, name+"="+file)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	return out.String(), err
}

// step runs a later step's shell command, as a `run:` step would, with the
// environment and PATH the action left.
func (gh *runnerFiles) step(dir string, env map[string]string, script string) (string, error) {
	path := strings.Join(append(gh.linesOf(gh.files["GITHUB_PATH"]), os.Getenv("PATH")), string(os.PathListSeparator))
	cmd := exec.Command("bash", "-c", script)
	cmd.Dir = dir
	cmd.Env = append(gh.environ(), append(envList(env), "PATH="+path)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// environ is the test's environment without what a runner sets per step
// or the action exports.
func (gh *runnerFiles) environ() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SWARMGEN_FILE=") && !strings.HasPrefix(kv, "SWARMGEN_OUT=") &&
			!strings.HasPrefix(kv, "INPUT_") && !strings.HasPrefix(kv, "GITHUB_") {
			env = append(env, kv)
		}
	}
	return append(env, "RUNNER_TEMP="+gh.temp)
}

// read parses the KEY=VALUE lines of one of the runner files.
func (gh *runnerFiles) read(t *testing.T, name string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, line := range gh.lines(t, name) {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Errorf("%s: line %q is not KEY=VALUE", name, line)
		}
		if _, dup := m[k]; dup {
			t.Errorf("%s: %s written twice", name, k)
		}
		m[k] = v
	}
	return m
}

func (gh *runnerFiles) lines(t *testing.T, name string) []string {
	t.Helper()
	if _, err := os.Stat(gh.files[name]); err != nil {
		t.Fatal(err)
	}
	return gh.linesOf(gh.files[name])
}

func (gh *runnerFiles) linesOf(file string) []string {
	raw, _ := os.ReadFile(file)
	var lines []string
	for _, l := range strings.Split(string(raw), "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

func envList(env map[string]string) []string {
	var l []string
	for k, v := range env {
		l = append(l, k+"="+v)
	}
	return l
}

// untar reads the files of an export-logs bundle, by their names in it.
func untar(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(tr)
		files[strings.TrimPrefix(hdr.Name, "swarmgen-logs/")] = string(data)
	}
}
