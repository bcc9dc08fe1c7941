package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Every script parses in its shell (zsh and fish when installed).
func TestCompletionScriptsParse(t *testing.T) {
	for shell, check := range map[string][]string{"bash": {"bash", "-n"}, "zsh": {"zsh", "-n"}, "fish": {"fish", "--no-execute"}} {
		code, script, stderr := swarmgen(t, "completion", shell)
		if code != 0 || script == "" {
			t.Errorf("completion %s: exit %d %q", shell, code, stderr)
			continue
		}
		if _, err := exec.LookPath(check[0]); err != nil {
			t.Logf("SKIPPED: %s is not installed; its script is not parsed", check[0])
			continue
		}
		cmd := exec.Command(check[0], check[1:]...)
		cmd.Stdin = strings.NewReader(script)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s does not parse the script: %v\n%s", shell, err, out)
		}
	}
	if code, _, stderr := swarmgen(t, "completion", "tcsh"); code != exitUser || !strings.Contains(stderr, "bash") {
		t.Errorf("completion tcsh: exit %d %q", code, stderr)
	}
}

// Loaded in bash, the script completes commands and flags from swarmgen.
func TestBashCompletionCompletes(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("SKIPPED: bash is not installed")
	}
	onPath(t)
	for line, want := range map[string]string{
		"swarmgen st":      "stop start status",
		"swarmgen up --wa": "--wait",
		"swarmgen com":     "completion",
	} {
		cmd := exec.Command("bash", "-c", `source <(swarmgen completion bash)
COMP_WORDS=($LINE); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
_swarmgen_complete
echo "${COMPREPLY[*]}"`)
		cmd.Env = append(os.Environ(), "LINE="+line)
		out, err := cmd.CombinedOutput()
		if got := strings.TrimSpace(string(out)); err != nil || got != want {
			t.Errorf("completing %q: %q (%v), want %q", line, got, err, want)
		}
	}
}
