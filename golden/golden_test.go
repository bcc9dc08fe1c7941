// Package golden holds the golden cases: golden/<case>/swarm.yaml and the
// exact files swarmgen writes for it under golden/<case>/out/, and
// golden/bad/<name>.yaml with the exact error output in <name>.err.
package golden

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/swarmgen/swarmgen/generator"
	"github.com/swarmgen/swarmgen/generator/diag"
	"github.com/swarmgen/swarmgen/generator/stack"
	"github.com/swarmgen/swarmgen/internal/testkit/goldenfile"
	"github.com/swarmgen/swarmgen/templates"
)

// requireTools makes a missing shellcheck or docker compose fatal; CI
// sets it so the checks can never be skipped there.
var requireTools = os.Getenv("SWARMGEN_REQUIRE_TOOLS") == "1"

func cases(t *testing.T) []string {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && e.Name() != "bad" {
			if _, err := os.Stat(filepath.Join(e.Name(), "swarm.yaml")); err == nil {
				out = append(out, e.Name())
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no golden cases found")
	}
	return out
}

func generate(t *testing.T, dir string) *generator.Result {
	t.Helper()
	t.Chdir(dir)
	res, err := generator.Generate(generator.Options{SpecPath: "swarm.yaml", OutDir: "out"})
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	return res
}

func TestGoldenCases(t *testing.T) {
	for _, name := range cases(t) {
		t.Run(name, func(t *testing.T) {
			res := generate(t, name)
			var got []string
			for _, f := range res.Files {
				path, data := f.Path, f.Data
				if path == "bootstrap.sh" {
					// the lab's header is the case's own; the runtime
					// after it is the same for every case
					path, data = headerFile, splitBootstrap(t, data)
				}
				goldenfile.Check(t, filepath.Join("out", path), data)
				got = append(got, path)
			}
			sort.Strings(got)
			// no stale expected file may hide in out/
			var want []string
			_ = filepath.WalkDir("out", func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					rel, _ := filepath.Rel("out", p)
					want = append(want, filepath.ToSlash(rel))
				}
				return nil
			})
			sort.Strings(want)
			if !*goldenfile.Update && strings.Join(want, " ") != strings.Join(got, " ") {
				t.Errorf("out/ holds %v, swarmgen writes %v", want, got)
			}
			var warnings bytes.Buffer
			for _, d := range res.Warnings.Sorted() {
				warnings.WriteString(d.String() + "\n")
			}
			if warnings.Len() > 0 || fileExists("warnings.txt") {
				goldenfile.Check(t, "warnings.txt", warnings.Bytes())
			}
			again := generate(t, ".")
			for i := range res.Files {
				if !bytes.Equal(res.Files[i].Data, again.Files[i].Data) {
					t.Errorf("%s: two renders of one spec differ", res.Files[i].Path)
				}
			}
			loadBack(t, res)
			shellcheck(t, res)
			composeConfig(t)
		})
	}
}

// headerFile is, in a case's out/, the header of the bootstrap.sh it
// generates: the runtime after it is the same bytes for every lab
// (TestRuntimeIsTheSameInEveryCase), so it is not kept once a case.
const headerFile = "bootstrap.header.sh"

// splitBootstrap is the header of a generated bootstrap.sh; t fails unless
// the rest is the runtime, byte for byte.
func splitBootstrap(t *testing.T, script []byte) []byte {
	t.Helper()
	header, runtime, ok := bytes.Cut(script, []byte(templates.RuntimeStart))
	if !ok {
		t.Fatalf("bootstrap.sh has no line %q", strings.TrimSpace(templates.RuntimeStart))
	}
	if !bytes.Equal(append([]byte(templates.RuntimeStart), runtime...), templates.Runtime) {
		t.Errorf("the part of bootstrap.sh after its header is not the runtime (templates/runtime) byte for byte")
	}
	return header
}

// bootstrapScript is golden case name's bootstrap.sh: its header, then the
// runtime.
func bootstrapScript(t *testing.T, name string) string {
	t.Helper()
	header, err := os.ReadFile(filepath.Join(name, "out", headerFile))
	if err != nil {
		t.Fatal(err)
	}
	return string(header) + string(templates.Runtime)
}

// Every golden case's bootstrap.sh is its own header and then the same
// runtime: nothing past the header depends on the lab.
func TestRuntimeIsTheSameInEveryCase(t *testing.T) {
	var first, firstCase string
	for _, name := range cases(t) {
		res, err := generator.Generate(generator.Options{SpecPath: filepath.Join(name, "swarm.yaml"), OutDir: filepath.Join(name, "out")})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, f := range res.Files {
			if f.Path != "bootstrap.sh" {
				continue
			}
			i := bytes.Index(f.Data, []byte(templates.RuntimeStart))
			if i < 0 {
				t.Fatalf("%s: bootstrap.sh has no runtime", name)
			}
			if header := f.Data[:i]; name == "classic" && bytes.Count(header, []byte("\n")) > 150 {
				t.Errorf("%s: a header of %d lines; at most 150", name, bytes.Count(header, []byte("\n")))
			}
			if rest := string(f.Data[i:]); first == "" {
				first, firstCase = rest, name
			} else if rest != first {
				t.Errorf("the runtime of %s differs from %s's", name, firstCase)
			}
		}
	}
	if first != string(templates.Runtime) {
		t.Errorf("the runtime of %s is not templates.Runtime", firstCase)
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func tool(t *testing.T, name string, args ...string) bool {
	t.Helper()
	if err := exec.Command(name, args...).Run(); err != nil {
		if requireTools {
			t.Fatalf("%s is required (SWARMGEN_REQUIRE_TOOLS=1) but does not run: %v", name, err)
		}
		t.Logf("SKIPPED: %s not available (%v); CI runs this check", name, err)
		return false
	}
	return true
}

func shellcheck(t *testing.T, res *generator.Result) {
	if !tool(t, "shellcheck", "--version") {
		return
	}
	for _, f := range res.Files {
		if strings.HasSuffix(f.Path, ".sh") {
			// the whole generated file (out/ keeps only bootstrap.sh's header)
			file := filepath.Join(t.TempDir(), path.Base(f.Path))
			if err := os.WriteFile(file, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command("shellcheck", "--severity=style", file).CombinedOutput()
			if err != nil {
				t.Errorf("shellcheck %s:\n%s", f.Path, out)
			}
		}
	}
}

// composeConfig runs `docker compose config -q` on the written golden
// files: docker's own reading of them, not just compose-go's.
func composeConfig(t *testing.T) {
	if *goldenfile.Update || !fileExists("out/docker-compose.yml") || !tool(t, "docker", "compose", "version") {
		return // a lab of machines has no compose file
	}
	cmd := exec.Command("docker", "compose", "-f", "docker-compose.yml", "config", "-q")
	cmd.Dir = "out"
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("docker compose config -q: %v\n%s", err, out)
	}
}

func TestBadSpecs(t *testing.T) {
	t.Chdir("bad")
	specs, _ := filepath.Glob("*.yaml")
	if len(specs) == 0 {
		t.Fatal("no bad specs found")
	}
	for _, spec := range specs {
		name := strings.TrimSuffix(spec, ".yaml")
		t.Run(name, func(t *testing.T) {
			out := t.TempDir()
			_, err := generator.Generate(generator.Options{SpecPath: spec, OutDir: out})
			var l diag.List
			if !errors.As(err, &l) {
				t.Fatalf("want validation errors, got %v", err)
			}
			goldenfile.Check(t, name+".err", []byte(l.Error()+"\n"))
			if entries, _ := os.ReadDir(out); len(entries) != 0 {
				t.Errorf("an invalid spec wrote %d files", len(entries))
			}
		})
	}
}

// loadBack loads every compose and stack file swarmgen wrote with
// compose-go, as docker compose and docker stack deploy will read them.
func loadBack(t *testing.T, res *generator.Result) {
	t.Helper()
	for _, f := range res.Files {
		var err error
		switch {
		case f.Path == "docker-compose.yml":
			_, err = loader.LoadWithContext(context.Background(), types.ConfigDetails{
				WorkingDir:  "out",
				ConfigFiles: []types.ConfigFile{{Filename: f.Path, Content: f.Data}},
				Environment: types.Mapping{},
			}, func(o *loader.Options) { o.SkipResolveEnvironment = true })
		case strings.HasPrefix(f.Path, "stack/"):
			_, err = stack.Validate(strings.TrimSuffix(path.Base(f.Path), ".yml"), ".", f.Data)
		}
		if err != nil {
			t.Errorf("%s does not load with compose-go: %v", f.Path, err)
		}
	}
}
