package inputfile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestReadRefusesWhatIsNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"/dev/zero": "is not a regular file but a device",
		fifo:        "is not a regular file but a named pipe",
		dir:         "is not a regular file but a directory",
	} {
		// a read of /dev/zero or a FIFO would never end: bound it
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		done := make(chan error, 1)
		go func() { _, err := Read(name, 1<<20); done <- err }()
		select {
		case err := <-done:
			if err == nil || err.Error() != want {
				t.Errorf("Read(%s) = %v, want %q", name, err, want)
			}
		case <-ctx.Done():
			t.Errorf("Read(%s) did not return", name)
		}
		cancel()
	}
}

func TestReadRefusesLargeFiles(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.yml")
	if err := os.WriteFile(p, []byte(strings.Repeat("x", 101)), 0o644); err != nil {
		t.Fatal(err)
	}
	var tl *TooLargeError
	if _, err := Read(p, 100); !errors.As(err, &tl) || tl.Size != 101 {
		t.Errorf("Read of 101 bytes with a limit of 100: %v", err)
	}
	if data, err := Read(p, 101); err != nil || len(data) != 101 {
		t.Errorf("Read at the limit: %d bytes, %v", len(data), err)
	}
}

func TestResolveKeepsTheSpecInItsDirectory(t *testing.T) {
	root := t.TempDir()
	spec := filepath.Join(root, "lab")
	if err := os.MkdirAll(filepath.Join(spec, "stacks"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(root, "secret"), []byte("x"), 0o600)
	os.WriteFile(filepath.Join(spec, "stacks", "ok.yml"), []byte("x"), 0o600)
	os.Symlink("../../secret", filepath.Join(spec, "stacks", "out.yml"))
	os.Symlink("ok.yml", filepath.Join(spec, "stacks", "in.yml"))
	for name, outside := range map[string]bool{
		"stacks/ok.yml":                      false,
		"./stacks/in.yml":                    false, // a symlink that stays inside
		"stacks/missing.yml":                 false, // reported by the read, not here
		"stacks/../stacks/x":                 false,
		"../secret":                          true,
		"stacks/../../secret":                true,
		"stacks/out.yml":                     true, // a symlink out of the tree
		"/etc/passwd":                        true,
		filepath.Join(spec, "stacks/ok.yml"): false, // absolute, but inside
	} {
		_, err := Policy{}.Resolve(spec, name)
		if got := errors.Is(err, ErrOutside); got != outside || (!outside && err != nil) {
			t.Errorf("Resolve(%q) = %v, want outside=%v", name, err, outside)
		}
		if _, err := (Policy{AllowOutside: true}).Resolve(spec, name); err != nil {
			t.Errorf("Resolve(%q) with AllowOutside = %v", name, err)
		}
	}
}
