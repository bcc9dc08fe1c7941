package generator

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/generator/diag"
)

// A spec or output directory whose path holds a newline is refused up
// front, with nothing written: the scripts keep these paths in one-line
// records that it would split.
func TestNewlineInDirectoriesIsRefused(t *testing.T) {
	base := t.TempDir()
	good, bad := filepath.Join(base, "lab"), filepath.Join(base, "my\nlab")
	for _, d := range []string{good, bad} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "swarm.yaml"), []byte("apiVersion: swarmgen.dev/v1alpha1\nkind: Lab\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ spec, out, want string }{
		{filepath.Join(bad, "swarm.yaml"), filepath.Join(base, "out1"), "the spec's directory"},
		{filepath.Join(good, "swarm.yaml"), filepath.Join(base, "out\n2"), "the output directory"},
	} {
		_, err := Generate(Options{SpecPath: tc.spec, OutDir: tc.out})
		var l diag.List
		if !errors.As(err, &l) || !strings.Contains(l.Error(), tc.want+", ") || !strings.Contains(l.Error(), `\n`) {
			t.Errorf("%q -> %q: got %v, want a refusal naming %s", tc.spec, tc.out, err, tc.want)
		}
	}
	if _, err := Generate(Options{SpecPath: filepath.Join(good, "swarm.yaml"), OutDir: filepath.Join(base, "with space")}); err != nil {
		t.Errorf("a space is no newline: %v", err)
	}
}
