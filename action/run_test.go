package action

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/internal/testkit/stubdocker"
)

// stubScenario stands in for go and swarmgen: `go build -o PATH` and `go
// install` (GOBIN) put the stand-in itself there as swarmgen; swarmgen
// writes each call's words, one a line between < and >, into
// $STUB_DIR/argv, and render writes the generated files as $RENDER says
// (machines: a bootstrap.sh whose header has LAB=; containers: a
// docker-compose.yml with name:; fail: exit 2).
const stubScenario = `case "$CMD" in
go)
  case "$1" in
    build) out=$3 ;;
    install) out=$GOBIN/swarmgen ;;
  esac
  mkdir -p "${out%/*}" && cp "$STUB_DIR/docker" "$out" && chmod +x "$out" ;;
swarmgen)
  { echo "call"; printf '<%s>\n' "$@"; } >>"$STUB_DIR/argv"
  case "$1" in
    --version) echo "swarmgen stub" ;;
    render)
      case "${RENDER:-}" in
        machines) printf '#!/usr/bin/env bash\nPROVIDER=machines\nLAB='"'"'fleet'"'"'\n# --- runtime ---\nLAB=wrong\n' >"$5/bootstrap.sh" ;;
        containers) printf 'name: "echo-lab"\n' >"$5/docker-compose.yml"; printf "API_CONTEXT=''\n" >"$5/bootstrap.sh" ;;
        fail) echo "swarm.yaml:3:1 name: bad" >&2; exit 2 ;;
      esac ;;
    up) exit "${UP_RC:-0}" ;;
  esac ;;
esac`

// runAction runs run.sh MODE as the runner would, with the stand-ins on
// PATH, in a spec directory holding swarm.yaml; env are the INPUT_*
// variables. It returns stderr and stdout, the GITHUB_OUTPUT file, the
// words of each swarmgen call, and the error.
func runAction(t *testing.T, mode string, env ...string) (out, outputs string, calls [][]string, err error) {
	t.Helper()
	stub := stubdocker.New(t, stubScenario, "go", "swarmgen")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "swarm.yaml"), []byte("name: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	temp := t.TempDir()
	ghOutput := filepath.Join(temp, "output")
	script, _ := filepath.Abs("run.sh")
	cmd := exec.Command("bash", script, mode)
	cmd.Dir = dir
	cmd.Env = append(stub.Env(), append([]string{"RUNNER_TEMP=" + temp, "GITHUB_OUTPUT=" + ghOutput,
		"GITHUB_ENV=" + filepath.Join(temp, "env"), "GITHUB_PATH=" + filepath.Join(temp, "path")}, env...)...)
	b, err := cmd.CombinedOutput()
	o, _ := os.ReadFile(ghOutput)
	argv, _ := os.ReadFile(filepath.Join(stub.Dir, "argv"))
	for _, c := range strings.Split(string(argv), "call\n")[1:] {
		var words []string
		for _, w := range strings.Split(strings.TrimSuffix(c, "\n"), "\n") {
			words = append(words, strings.TrimSuffix(strings.TrimPrefix(w, "<"), ">"))
		}
		calls = append(calls, words)
	}
	return string(b), string(o), calls, err
}

// upCall is the words of the swarmgen up call, or nil.
func upCall(calls [][]string) []string {
	for _, c := range calls {
		if len(c) > 0 && c[0] == "up" {
			return c
		}
	}
	return nil
}

// commandLine is a line the runner would take for a workflow command.
var commandLine = regexp.MustCompile(`(?m)^[ \t]*::`)

// checkErrorLine: a failed run printed exactly one workflow command, a
// ::error:: line, and no other.
func checkErrorLine(t *testing.T, name, out string) {
	t.Helper()
	lines := commandLine.FindAllStringIndex(out, -1)
	if len(lines) != 1 || !strings.Contains(out, "\n::error::") && !strings.HasPrefix(out, "::error::") {
		t.Errorf("%s: want one workflow command, a ::error:: line:\n%s", name, out)
	}
}

// A lab of machines has no docker-compose.yml: its name is LAB= in the
// header of bootstrap.sh (not a LAB= of the runtime after it); a lab of
// containers is its compose project. A render that fails, or files that
// name no lab, fail with a ::error:: line.
func TestRunLabName(t *testing.T) {
	for render, want := range map[string]string{"machines": "lab=fleet\n", "containers": "lab=echo-lab\n"} {
		out, outputs, calls, err := runAction(t, "up", "RENDER="+render)
		if err != nil {
			t.Fatalf("%s: %v\n%s", render, err, out)
		}
		if !strings.Contains(outputs, want) || upCall(calls) == nil {
			t.Errorf("%s: outputs %q, want %q, and an up call (%q):\n%s", render, outputs, want, calls, out)
		}
	}
	for _, render := range []string{"fail", "none"} {
		out, _, calls, err := runAction(t, "up", "RENDER="+render)
		if err == nil || upCall(calls) != nil {
			t.Errorf("render %s: run.sh went on (%v, %q):\n%s", render, err, calls, out)
		}
		checkErrorLine(t, "render "+render, out)
	}
	// any other failure (set -e) says so too: an output file that cannot
	// be written
	out, _, _, err := runAction(t, "up", "RENDER=containers", "GITHUB_OUTPUT=/nonexistent/output")
	if err == nil {
		t.Fatalf("an unwritable GITHUB_OUTPUT: run.sh succeeded:\n%s", out)
	}
	checkErrorLine(t, "unwritable GITHUB_OUTPUT", out)
}

// A spec input holding a newline (or a CR, or %) reaches the log escaped
// as workflow-command data: its second line starts no command.
func TestRunEscapesInputs(t *testing.T) {
	for spec, escaped := range map[string]string{
		"x\n::warning::pwned":  "/x%0A::warning::pwned (input spec)",
		"x\r\n::add-mask::y":   "/x%0D%0A::add-mask::y (input spec)",
		"x%0A::warning::pwned": "/x%250A::warning::pwned (input spec)",
	} {
		out, _, _, err := runAction(t, "up", "INPUT_SPEC="+spec)
		if err == nil {
			t.Fatalf("spec %q: run.sh succeeded:\n%s", spec, out)
		}
		checkErrorLine(t, "spec "+spec, out)
		if !strings.Contains(out, escaped) {
			t.Errorf("spec %q: no %q in:\n%s", spec, escaped, out)
		}
	}
	// a version input is printed too
	out, _, _, err := runAction(t, "up", "RENDER=containers", "INPUT_VERSION=v1\n::warning::pwned")
	if err == nil {
		t.Fatalf("version with a newline: run.sh succeeded:\n%s", out)
	}
	checkErrorLine(t, "version", out)
}

// args: flags of up, each its own word, never evaluated by a shell;
// anything but a flag, and the flags the other inputs set, are refused
// before anything runs.
func TestRunArgs(t *testing.T) {
	mark := filepath.Join(t.TempDir(), "evaluated")
	out, _, calls, err := runAction(t, "up", "RENDER=machines", "INPUT_ARGS=--yes\n  -v\t--allow-outside-spec-dir ")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	up := strings.Join(upCall(calls), " ")
	if !strings.HasSuffix(up, " --wait=5m --yes -v --allow-outside-spec-dir") {
		t.Errorf("up called as %q", up)
	}
	if len(calls) < 2 || calls[1][0] != "render" || calls[1][len(calls[1])-1] != "--allow-outside-spec-dir" {
		t.Errorf("render is not given --allow-outside-spec-dir: %q", calls)
	}
	for _, args := range []string{
		"--yes $(touch " + mark + ")",
		"--yes; touch " + mark,
		"--yes `touch " + mark + "`",
		"--yes *",
		"yes",
		"--",
		"--label='a b'",
		"--file=/etc/passwd",
		"-o /tmp",
		"--wait=1s",
	} {
		out, _, calls, err := runAction(t, "up", "RENDER=machines", "INPUT_ARGS="+args)
		if err == nil || len(calls) != 0 {
			t.Errorf("args %q: not refused before swarmgen ran (%v, %q):\n%s", args, err, calls, out)
		}
		checkErrorLine(t, "args "+args, out)
		if !strings.Contains(out, "input args") {
			t.Errorf("args %q: the error does not name the input:\n%s", args, out)
		}
	}
	if _, err := os.Stat(mark); err == nil {
		t.Error("an args input was evaluated by a shell")
	}
}
