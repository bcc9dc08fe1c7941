package runner

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
