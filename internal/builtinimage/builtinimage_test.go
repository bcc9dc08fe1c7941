package builtinimage

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The builtin images' context is in the output directory, swarmgen's: a
// Dockerfile there that is a symlink is refused, and what it points at is
// neither read nor written.
func TestWriteIfChangedRefusesALink(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "target")
	if err := os.WriteFile(outside, []byte("theirs\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "Dockerfile")
	if err := os.Symlink(outside, link); err != nil {
		t.Fatal(err)
	}
	err := writeIfChanged(link, []byte("FROM scratch\n"), 0o644)
	if err == nil || !strings.Contains(err.Error(), "is a symlink") {
		t.Fatalf("got %v, want the link refused", err)
	}
	if data, _ := os.ReadFile(outside); string(data) != "theirs\n" {
		t.Errorf("the link's target changed: %q", data)
	}
	if err := writeIfChanged(filepath.Join(dir, "new"), []byte("x"), 0o644); err != nil {
		t.Errorf("a new file: %v", err)
	}
}
