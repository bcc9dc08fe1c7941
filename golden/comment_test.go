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
		// a directory holding it is refused (the scripts' one-line records
		// keep directories), unless it is not UTF-8 at all; the file's own
		// name is written, escaped
		dir := filepath.Join(t.TempDir(), "lab"+sep+"x")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		spec := []byte("apiVersion: swarmgen.dev/v1alpha1\nkind: Lab\nname: lab\n")
		_, err := generator.GenerateBytes(generator.Options{SpecPath: filepath.Join(dir, "swarm.yaml"), OutDir: t.TempDir()}, spec)
		if sep != "\xff" && (err == nil || !strings.Contains(err.Error(), "the spec's directory")) {
			t.Errorf("%q: a spec directory holding it: got %v, want it refused", sep, err)
		}
		specPath := filepath.Join(t.TempDir(), "swarm"+sep+"touch pwned.yaml")
		res, err := generator.GenerateBytes(generator.Options{SpecPath: specPath, OutDir: t.TempDir()}, spec)
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
