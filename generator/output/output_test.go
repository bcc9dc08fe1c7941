package output

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/swarmgen/swarmgen/generator/render"
)

func set(version string, stacks ...string) []render.File {
	files := []render.File{
		{Path: "bootstrap.sh", Data: []byte(GeneratedMarker + " " + version + "\n"), Mode: 0o755},
		{Path: "docker-compose.yml", Data: []byte(GeneratedMarker + " " + version + "\n"), Mode: 0o644},
		{Path: "teardown.sh", Data: []byte(GeneratedMarker + " " + version + "\n"), Mode: 0o755},
	}
	for _, s := range stacks {
		files = append(files, render.File{Path: "stack/" + s + ".yml", Data: []byte(GeneratedMarker + " " + version + "\n"), Mode: 0o644})
	}
	return files
}

// snapshot is every file under dir with its content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			out[rel] = string(data)
		}
		return nil
	})
	return out
}

// A failed write leaves the old set as it was: no new file beside old
// ones, no temporary file, and an error that says so.
func TestWriteIsAllOrNothing(t *testing.T) {
	for name, breakIt := range map[string]func(t *testing.T, dir string){
		"teardown.sh is a directory": func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "teardown.sh"))
			os.Mkdir(filepath.Join(dir, "teardown.sh"), 0o755)
		},
		"a stack file is a directory": func(t *testing.T, dir string) {
			os.Mkdir(filepath.Join(dir, "stack", "new.yml"), 0o755)
		},
		"stack/ is not writable": func(t *testing.T, dir string) {
			if os.Geteuid() == 0 {
				t.Skip("root writes into any directory")
			}
			os.Chmod(filepath.Join(dir, "stack"), 0o555)
			t.Cleanup(func() { os.Chmod(filepath.Join(dir, "stack"), 0o755) })
		},
		"stack is a file": func(t *testing.T, dir string) {
			os.RemoveAll(filepath.Join(dir, "stack"))
			os.WriteFile(filepath.Join(dir, "stack"), []byte("x"), 0o644)
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := Write(dir, set("v1", "web")); err != nil {
				t.Fatal(err)
			}
			breakIt(t, dir)
			before := snapshot(t, dir)
			changed, err := Write(dir, set("v2", "web", "new"))
			if err == nil {
				t.Fatalf("write succeeded: %v", changed)
			}
			if !strings.Contains(err.Error(), "no file was changed") || len(changed) != 0 {
				t.Errorf("error %q, changed %v: want no change, said", err, changed)
			}
			if after := snapshot(t, dir); !mapsEqual(before, after) {
				t.Errorf("the files changed:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

func TestWriteReplacesTheSetAndRemovesStaleStacks(t *testing.T) {
	dir := t.TempDir()
	if _, err := Write(dir, set("v1", "web", "old")); err != nil {
		t.Fatal(err)
	}
	changed, err := Write(dir, set("v2", "web"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"bootstrap.sh", "docker-compose.yml", "teardown.sh", "stack/web.yml", "stack/old.yml (removed)"}
	if !slices.Equal(changed, want) {
		t.Errorf("changed %v, want %v", changed, want)
	}
	got := snapshot(t, dir)
	if len(got) != 4 || got["bootstrap.sh"] != GeneratedMarker+" v2\n" {
		t.Errorf("files after the second write: %v", got)
	}
	if st, _ := os.Stat(filepath.Join(dir, "bootstrap.sh")); st.Mode().Perm() != 0o755 {
		t.Errorf("bootstrap.sh mode %v", st.Mode())
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// A hostile output directory: every entry that is not a regular file
// swarmgen wrote is refused by Write and Diff, by name, without being
// followed, opened or printed (a link to a secret, to /dev/zero, a FIFO,
// a linked stack/ directory), and nothing is written.
func TestHostileOutputDirectory(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "environ")
	if err := os.WriteFile(secret, []byte("CI_TOKEN=hunter2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	elsewhere := t.TempDir()
	for name, tc := range map[string]struct {
		plant func(dir string) error
		entry string
	}{
		"teardown.sh links to a secret": {func(dir string) error { return os.Symlink(secret, filepath.Join(dir, "teardown.sh")) }, "teardown.sh is a symlink"},
		"stale stack links to /dev/zero": {func(dir string) error {
			return os.Symlink("/dev/zero", filepath.Join(dir, "stack", "old.yml"))
		}, "old.yml is a symlink"},
		"bootstrap.sh is a FIFO": {func(dir string) error { return syscall.Mkfifo(filepath.Join(dir, "bootstrap.sh"), 0o600) }, "bootstrap.sh is a named pipe"},
		"stack/ links elsewhere": {func(dir string) error {
			if err := os.Remove(filepath.Join(dir, "stack")); err != nil {
				return err
			}
			return os.Symlink(elsewhere, filepath.Join(dir, "stack"))
		}, "stack is a symlink"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.Mkdir(filepath.Join(dir, "stack"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := tc.plant(dir); err != nil {
				t.Fatal(err)
			}
			before := snapshotNames(t, dir)
			done := make(chan [2]error, 1)
			go func() {
				_, derr := Diff(dir, set("v1", "web"))
				_, werr := Write(dir, set("v1", "web"))
				done <- [2]error{derr, werr}
			}()
			var errs [2]error
			select {
			case errs = <-done:
			case <-time.After(20 * time.Second): // generous: a refusal takes microseconds
				t.Fatal("Diff or Write opened what it should have refused")
			}
			for i, err := range errs {
				if err == nil || !strings.Contains(err.Error(), tc.entry) || strings.Contains(err.Error(), "hunter2") {
					t.Errorf("%s: got %v, want a refusal naming %q", []string{"Diff", "Write"}[i], err, tc.entry)
				}
			}
			if after := snapshotNames(t, dir); !slices.Equal(before, after) {
				t.Errorf("the output directory changed: %q -> %q", before, after)
			}
			if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
				t.Errorf("files were written through the link: %d", len(entries))
			}
		})
	}
}

// snapshotNames lists dir's entries (not following links) with their types.
func snapshotNames(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel+" "+d.Type().String())
		}
		return nil
	})
	return out
}

// A builtin image the spec no longer has leaves no Dockerfile behind; a
// Dockerfile of the user's own there (no generated marker) stays.
func TestWriteRemovesStaleBuiltinDockerfiles(t *testing.T) {
	dir := t.TempDir()
	files := append(set("v1"),
		render.File{Path: "builtin/echo.Dockerfile", Data: []byte(GeneratedMarker + " v1\n"), Mode: 0o644},
		render.File{Path: "builtin/visualizer.Dockerfile", Data: []byte(GeneratedMarker + " v1\n"), Mode: 0o644})
	if _, err := Write(dir, files); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "builtin", "mine.Dockerfile"), []byte("FROM scratch\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	changed, err := Write(dir, append(set("v1"), files[len(files)-1]))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(changed, []string{"builtin/echo.Dockerfile (removed)"}) {
		t.Errorf("changed %v, want the echo Dockerfile removed", changed)
	}
	got := snapshot(t, dir)
	if _, ok := got[filepath.Join("builtin", "echo.Dockerfile")]; ok {
		t.Error("builtin/echo.Dockerfile is still there")
	}
	if _, ok := got[filepath.Join("builtin", "mine.Dockerfile")]; !ok {
		t.Error("the user's own Dockerfile was removed")
	}
}
