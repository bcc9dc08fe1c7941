package generator

import (
	"go/build"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/swarmgen/swarmgen/"

// sharedWithRuntime are the packages outside generator/ that the generator
// may import: definitions that run nothing (internal/version reads the
// binary's own build info, for the builtin images' base tag).
var sharedWithRuntime = []string{"templates", "internal/ownlabels", "internal/endpointdef", "internal/version"}

// Compiling a spec runs no program: the generator imports none of the
// runtime side's packages (runner, lab, swarmapi, endpoint, plan, ...), and
// none of the swarmgen packages it imports runs a command (os/exec).
func TestGeneratorImportsNoRuntime(t *testing.T) {
	seen := map[string]bool{}
	var visit func(path string)
	visit = func(path string) {
		if seen[path] {
			return
		}
		seen[path] = true
		pkg, err := build.Import(path, ".", 0)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		rel := strings.TrimPrefix(path, module)
		if rel != "generator" && !strings.HasPrefix(rel, "generator/") && !slices.Contains(sharedWithRuntime, rel) {
			t.Errorf("the generator imports %s, a package of the runtime side", rel)
		}
		if slices.Contains(pkg.Imports, "os/exec") {
			t.Errorf("%s, imported by the generator, imports os/exec", rel)
		}
		for _, imp := range pkg.Imports {
			if strings.HasPrefix(imp, module) {
				visit(imp)
			}
		}
	}
	visit(module + "generator")
	if !seen[module+"generator/render"] || !seen[module+"generator/spec"] {
		t.Fatalf("walked %v: the generator's packages are missing", seen)
	}
}
