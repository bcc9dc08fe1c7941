package runner

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeBootstrap is a bootstrap.sh that reports two steps as the real one
// does, the summary printing the lab's URLs.
const fakeBootstrap = `echo '==> preflight'
echo '<== preflight ok 0s'
echo '==> summary'
echo 'echo: http://127.0.0.1:8000'
echo '<== summary ok 0s'
`

func upOutput(t *testing.T, opt UpOptions) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bootstrap.sh"), []byte(fakeBootstrap), 0o755); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	opt.Dir, opt.Out = dir, &out
	if err := Up(context.Background(), opt); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// Off a terminal (or with NO_COLOR: the caller says TTY false) steps are
// plain lines with no escape code; on one, a spinner redraws the line.
func TestUpPrintsPlainLinesOffATerminal(t *testing.T) {
	plain := upOutput(t, UpOptions{})
	if want := " ✓ Checking the host (0s)\n ✓ Summary (0s)\necho: http://127.0.0.1:8000\n"; plain != want {
		t.Errorf("plain output %q, want %q", plain, want)
	}
	if tty := upOutput(t, UpOptions{TTY: true}); !strings.Contains(tty, "\r\033[K") {
		t.Errorf("on a terminal the spinner is drawn: %q", tty)
	}
}

func TestUpQuietPrintsNothing(t *testing.T) {
	if out := upOutput(t, UpOptions{Quiet: true, TTY: true, Verbose: true}); out != "" {
		t.Errorf("--quiet printed %q", out)
	}
}

// A line of 64 KiB or more (a step's long output) is read like any other:
// a bufio.Scanner without a Buffer stopped there, bash blocked on a pipe
// nobody read and up hung forever, whatever its context said.
func TestUpReadsLongLines(t *testing.T) {
	dir := t.TempDir()
	script := `echo '==> preflight'
head -c 200000 /dev/zero | tr '\0' x; echo
echo '<== preflight ok 0s'
echo '==> summary'
echo 'after the long line'
echo '<== summary ok 0s'
`
	os.WriteFile(filepath.Join(dir, "bootstrap.sh"), []byte(script), 0o755)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- Up(ctx, UpOptions{Dir: dir, Out: &out}) }()
	select {
	case err := <-done:
		if err != nil || !strings.Contains(out.String(), "after the long line") {
			t.Errorf("up: %v, output %q", err, out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("up hung on a line of 200000 bytes (its context ended after 20s)")
	}
}

// A child the script leaves running with its stderr does not keep up
// waiting once the script is done.
func TestUpDoesNotWaitForAChildsPipes(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "bootstrap.sh"), []byte("sleep 30 >&2 &\n"+fakeBootstrap), 0o755)
	start := time.Now()
	if err := Up(context.Background(), UpOptions{Dir: dir, Out: io.Discard}); err != nil {
		t.Fatalf("up: %v", err)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("up waited %v for a child's stderr", d)
	}
}

// A failed step's error reaches the user even when its stderr arrives
// after the step's end line (two pipes: their order is not kept).
func TestFailedStepKeepsItsLastWords(t *testing.T) {
	dir := t.TempDir()
	script := `echo '==> wait-converged'
echo '<== wait-converged FAILED 1.9s'
sleep 0.3
echo 'error: service nowhere: swarm rejected its task on worker01' >&2
exit 1
`
	os.WriteFile(filepath.Join(dir, "bootstrap.sh"), []byte(script), 0o755)
	var out bytes.Buffer
	err := Up(context.Background(), UpOptions{Dir: dir, Out: &out})
	var se *StepError
	if !errors.As(err, &se) || se.Step != "wait-converged" || !strings.Contains(se.Output, "swarm rejected its task on worker01") {
		t.Errorf("want the step's error in its output, got %#v (%v)", se, err)
	}
}

// A script that fails outside any step (after the last, say) is not
// reported as a step with no name.
func TestStepErrorBetweenSteps(t *testing.T) {
	err := &StepError{Output: "error: no manager answers for the swarm\n"}
	if got := err.Error(); got != "bootstrap.sh failed between its steps:\nerror: no manager answers for the swarm" {
		t.Errorf("%q", got)
	}
}
