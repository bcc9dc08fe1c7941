package exportlogs

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The generated files copied into a bundle are the lab directory's own
// regular files: a symlinked stack file (to a secret, or to /dev/zero),
// a FIFO or a linked stack/ directory is left out, by name, and what it
// points at never reaches the bundle.
func TestCopyGeneratedCopiesOnlyOwnFiles(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(secret, []byte("aws_secret_access_key=wJalrXUtnFEMI\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	from, to := t.TempDir(), t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Mkdir(filepath.Join(from, "stack"), 0o755))
	must(os.WriteFile(filepath.Join(from, "bootstrap.sh"), []byte("#!/bin/bash\n"), 0o755))
	must(os.WriteFile(filepath.Join(from, "stack", "web.yml"), []byte("services: {}\n"), 0o644))
	must(os.Symlink(secret, filepath.Join(from, "stack", "notes.yml")))
	must(os.Symlink("/dev/zero", filepath.Join(from, "stack", "zero.yml")))
	must(syscall.Mkfifo(filepath.Join(from, "teardown.sh"), 0o600))

	done := make(chan error, 1)
	go func() { done <- copyGenerated(from, to) }()
	select {
	case err := <-done:
		must(err)
	case <-time.After(20 * time.Second): // generous: nothing here takes a millisecond
		t.Fatal("copyGenerated opened a FIFO or read /dev/zero")
	}
	var got []string
	filepath.WalkDir(to, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(to, p)
			got = append(got, rel)
			if data, _ := os.ReadFile(p); strings.Contains(string(data), "wJalrXUtnFEMI") {
				t.Errorf("%s holds the linked secret", rel)
			}
		}
		return nil
	})
	if want := "NOT-COPIED.txt bootstrap.sh stack/web.yml"; strings.Join(got, " ") != want {
		t.Errorf("bundle holds %q, want %s", got, want)
	}
	note, _ := os.ReadFile(filepath.Join(to, "NOT-COPIED.txt"))
	for _, name := range []string{"stack/notes.yml is a symlink", "stack/zero.yml is a symlink", "teardown.sh is a named pipe"} {
		if !strings.Contains(string(note), name) {
			t.Errorf("NOT-COPIED.txt lacks %q:\n%s", name, note)
		}
	}
}
