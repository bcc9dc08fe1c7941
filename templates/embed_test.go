package templates

import (
	"io/fs"
	"path"
	"strings"
	"testing"
)

// A template is named by its file's base name (template.ParseFS), and a
// second file of the same name would silently replace the first.
func TestBaseNamesUnique(t *testing.T) {
	seen := map[string]string{}
	err := fs.WalkDir(FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".tmpl") {
			return err
		}
		if other, ok := seen[path.Base(p)]; ok {
			t.Errorf("%s and %s have the same base name, which names the template", other, p)
		}
		seen[path.Base(p)] = p
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) < 2 || seen["bootstrap-header.sh.tmpl"] == "" {
		t.Fatalf("embedded templates %v: the bootstrap header is missing", seen)
	}
}
