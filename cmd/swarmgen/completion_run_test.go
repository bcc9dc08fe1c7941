package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/swarmgen/swarmgen/internal/testkit/stubdocker"
)

// Completing any command line runs nothing (urfave/cli#1993: `swarmgen
// down --<TAB>` ran `swarmgen down -- --generate-bash-completion`, and the
// `--` made it tear the lab down): for every command, with `--`, `-`, a
// partial flag and a partial word, the bash script calls no docker and
// writes no file next to the spec.
func TestCompletionRunsNoCommand(t *testing.T) {
	onPath(t)
	stub := stubdocker.New(t, `echo "stub docker: $*" >&2; exit 0`)
	stub.Use(t)
	dir := t.TempDir()
	spec, err := os.ReadFile(classicSpec)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "swarm.yaml"), spec, 0o644); err != nil {
		t.Fatal(err)
	}
	var lines []string
	var walk func(path string, cmds []*cli.Command)
	walk = func(path string, cmds []*cli.Command) {
		for _, c := range cmds {
			p := path + " " + c.Name
			partialFlag := "--x"
			if len(c.Flags) > 0 {
				partialFlag = "--" + c.Flags[0].Names()[0][:1]
			}
			for _, cur := range []string{"--", "-", partialFlag, "a"} {
				lines = append(lines, p+" "+cur)
			}
			lines = append(lines, p+" -- --")
			walk(p, c.Subcommands)
		}
	}
	walk("swarmgen", newApp(io.Discard, io.Discard).Commands)
	script := `source <(swarmgen completion bash)
while IFS= read -r LINE; do
  read -r -a COMP_WORDS <<<"$LINE"
  case "$LINE" in *' ') COMP_WORDS+=("") ;; esac
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  _swarmgen_complete
  # urfave/cli's protocol too, as scripts of older versions send it
  case "$LINE" in *' --') "${COMP_WORDS[@]}" --generate-bash-completion >/dev/null ;; esac
done`
	cmd := exec.Command("bash", "-c", script)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if calls := stub.Calls(); calls != "" {
		t.Errorf("completion ran docker:\n%s", calls)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("completion wrote files: %v", names)
	}
	if len(lines) < 50 {
		t.Errorf("only %d lines completed", len(lines))
	}
}

// Commands, flags, lab names (for --lab) and spec files (for -f) are
// completed.
func TestCompletionCandidates(t *testing.T) {
	onPath(t)
	stub := stubdocker.New(t, `case "$*" in ps*) printf 'lab-a\tmanager\trunning\t/x\nlab-b\tworker\texited\t/y\n' ;; esac`)
	stub.Use(t)
	dir := t.TempDir()
	for _, f := range []string{"swarm.yaml", "other.yml", "notes.txt"} {
		os.WriteFile(filepath.Join(dir, f), nil, 0o644)
	}
	os.Mkdir(filepath.Join(dir, "specs"), 0o755)
	for line, want := range map[string]string{
		"swarmgen st":              "stop start status",
		"swarmgen up --wa":         "--wait",
		"swarmgen com":             "completion",
		"swarmgen completion ":     "bash zsh fish",
		"swarmgen node ":           "stop start kill pause unpause",
		"swarmgen up -f ":          "other.yml specs/ swarm.yaml",
		"swarmgen -f s":            "specs/ swarm.yaml",
		"swarmgen status --lab ":   "lab-a lab-b",
		"swarmgen down --lab lab-": "lab-a lab-b",
		"swarmgen down -- ":        "",
	} {
		cmd := exec.Command("bash", "-c", `source <(swarmgen completion bash)
read -r -a COMP_WORDS <<<"$LINE"
case "$LINE" in *' ') COMP_WORDS+=("") ;; esac
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
_swarmgen_complete
echo "${COMPREPLY[*]}"`)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "LINE="+line)
		out, err := cmd.CombinedOutput()
		if got := strings.TrimSpace(string(out)); err != nil || got != want {
			t.Errorf("completing %q: %q (%v), want %q", line, got, err, want)
		}
	}
}
