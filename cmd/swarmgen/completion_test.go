package main

import (
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
