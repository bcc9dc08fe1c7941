package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/swarmgen/swarmgen/generator"
)

// TestCommentsHoldOneLine: the spec's file name is written into the
// header comment of every generated file; no character of it may end that
// comment line, for a shell, a YAML reader or an editor.
func TestCommentsHoldOneLine(t *testing.T) {
	for _, sep := range []string{"\n", "\r", "\u2028", "\u2029", "\u0085", "\x0b", "\x0c", "\x1b[2K", "\xff"} {
		dir := filepath.Join(t.TempDir(), "lab"+sep+"x")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		specPath := filepath.Join(dir, "swarm"+sep+"touch pwned.yaml")
		res, err := generator.GenerateBytes(generator.Options{SpecPath: specPath, OutDir: t.TempDir()},
			[]byte("apiVersion: swarmgen.dev/v1alpha1\nkind: Lab\nname: lab\n"))
		if err != nil {
			t.Fatalf("%q: %v", sep, err)
		}
		for _, f := range res.Files {
			for i, line := range strings.Split(string(f.Data), "\n") {
				if !strings.Contains(line, "pwned") {
					continue
				}
				if !strings.HasPrefix(strings.TrimLeft(line, " "), "#") && !strings.Contains(line, "SPEC_FILE=") && !strings.Contains(line, "MESH_WHERE=") {
					t.Errorf("%q: %s:%d: the file name starts a line of its own: %q", sep, f.Path, i+1, line)
				}
				for _, r := range line {
					if r == unicode.ReplacementChar || (r != ' ' && r != '\t' && !unicode.IsPrint(r)) {
						t.Errorf("%q: %s:%d holds %U: %q", sep, f.Path, i+1, r, line)
					}
				}
			}
		}
	}
}
