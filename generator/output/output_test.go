package output

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

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
