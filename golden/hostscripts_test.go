package golden

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// The hand-written scripts beside the generated ones (the benches, the
// CI and test entry points, the e2e provisioning and node entrypoint, the
// GitHub action's runner) pass shellcheck as the generated ones do, the
// files they source followed (-x, from their own directory).
func TestHostScriptsShellcheck(t *testing.T) {
	if !tool(t, "shellcheck", "--version") {
		return
	}
	var files []string
	for _, pattern := range []string{"bench/*.sh", "action/*.sh", "e2e/*.sh", "e2e/images/*/*.sh", "test.sh", ".ci/run"} {
		m, err := filepath.Glob(filepath.Join("..", pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 10 {
		t.Fatalf("found only %q: the layout changed, and this test must follow it", files)
	}
	args := append([]string{"-x", "-P", "SCRIPTDIR", "--severity=style"}, files...)
	if out, err := exec.Command("shellcheck", args...).CombinedOutput(); err != nil {
		t.Errorf("shellcheck %v:\n%s", files, out)
	}
}
