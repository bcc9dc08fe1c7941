package golden

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// runSteps runs the generated bootstrap.sh of the classic case up to its
// first step, with body appended: its helpers and step machinery, against
// stand-ins for the real work.
func runSteps(t *testing.T, body string) (string, error) {
	t.Helper()
	raw, err := os.ReadFile("classic/out/bootstrap.sh")
	if err != nil {
		t.Fatal(err)
	}
	script := string(raw)
	cut := strings.Index(script, "\nstep preflight preflight\n")
	if cut < 0 {
		t.Fatal("bootstrap.sh has no `step preflight preflight` line")
	}
	cmd := exec.Command("bash", "-c", script[:cut]+"\n"+body)
	cmd.Dir = t.TempDir()
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// A step stops at its first failing command (set -e is live in it), and
// the script stops at the failing step.
func TestStepStopsAtTheFirstFailure(t *testing.T) {
	out, err := runSteps(t, `
broken() { false; echo "went on after a failure"; }
step broken broken
echo "went on after a failed step"
`)
	if err == nil {
		t.Fatalf("a failing step exited 0:\n%s", out)
	}
	if !strings.Contains(out, "<== broken FAILED") || strings.Contains(out, "went on") {
		t.Errorf("output:\n%s", out)
	}
}

// The pushes run in the background; their step waits for them and fails
// with their output when they fail.
func TestBackgroundPushReportsItsFailure(t *testing.T) {
	out, err := runSteps(t, `
push_images() { say "pushing one"; false; say "went on after a failure"; }
start_push
step push-images pushed
echo "went on after a failed step"
`)
	if err == nil {
		t.Fatalf("a failing push exited 0:\n%s", out)
	}
	for _, want := range []string{"==> push-images", "pushing one", "<== push-images FAILED"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "went on") {
		t.Errorf("went on after a failure:\n%s", out)
	}

	out, err = runSteps(t, `
push_images() { sleep 0.3; say "pushed two"; }
start_push
step push-images pushed
`)
	if err != nil || !strings.Contains(out, "pushed two") || !strings.Contains(out, "<== push-images ok") {
		t.Errorf("a good push: %v\n%s", err, out)
	}
}
