package golden

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/swarmgen/swarmgen/generator/shell"
)

// contextDigest runs the runtime's context_digest on dir (bounded: a
// digest that reads /dev/zero never ends).
func contextDigest(t *testing.T, dir string) (string, error) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "bootstrap.sh")
	body := "context_digest " + shell.Quote(dir) + " Dockerfile"
	if err := os.WriteFile(file, []byte(scriptPart(t, "classic", body)), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", file)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("context_digest %s did not return within 60s", dir)
	}
	return strings.TrimSpace(string(out)), err
}

// A build context's digest never follows a link (it digests the link's
// text: one to /dev/zero returns at once) and refuses a FIFO, naming it,
// rather than reading it forever.
func TestContextDigestLinksAndFIFOs(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "data.bin")); err != nil {
		t.Fatal(err)
	}
	first, err := contextDigest(t, dir)
	if err != nil || first == "" || strings.Contains(first, "\n") {
		t.Fatalf("a context with a link to /dev/zero: %v %q", err, first)
	}
	// the link's text is part of the digest
	os.Remove(filepath.Join(dir, "data.bin"))
	if err := os.Symlink("/dev/null", filepath.Join(dir, "data.bin")); err != nil {
		t.Fatal(err)
	}
	if other, err := contextDigest(t, dir); err != nil || other == first {
		t.Errorf("a link retargeted: %v, digest %q (before %q)", err, other, first)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "sub", "pipe"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := contextDigest(t, dir)
	if err == nil || !strings.Contains(out, "sub/pipe") || !strings.Contains(out, "not a regular file") {
		t.Errorf("a context with a FIFO: %v %q, want a refusal naming sub/pipe", err, out)
	}
}
