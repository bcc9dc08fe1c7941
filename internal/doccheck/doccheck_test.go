package doccheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const root = "../.."

// docs are the markdown files whose examples are checked.
func docs(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{filepath.Join(root, "README.md")}, files...)
}

func blocksOf(t *testing.T, path string) []Block {
	t.Helper()
	md, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(root, path)
	blocks, err := Blocks(rel, md)
	if err != nil {
		t.Fatal(err)
	}
	return blocks
}

// Every spec example of the README and docs/ validates, or is marked.
func TestDocSpecsValidate(t *testing.T) {
	total := 0
	for _, path := range docs(t) {
		errs, n := CheckSpecs(blocksOf(t, path))
		for _, err := range errs {
			t.Error(err)
		}
		total += n
	}
	// docs/spec.md, docs/machines.md and the others hold whole specs: a
	// checker that finds none is broken, not satisfied
	if total < 2 {
		t.Errorf("%d spec examples validated in the README and docs/; the checker finds no blocks", total)
	}
}

const validSpec = `apiVersion: swarmgen.dev/v1alpha1
kind: Lab
managers:
  - name: manager
workers: 1
`

// The checker itself: it fails an invalid spec unless it is marked, and a
// mark does not excuse text that is not YAML.
func TestCheckSpecsCatches(t *testing.T) {
	invalid := strings.Replace(validSpec, "workers: 1", "workerz: 1", 1)
	for _, c := range []struct {
		name, md string
		errs     []string // each must be in some error; none: no error
		checked  int
	}{
		{"valid spec", "text\n\n```yaml\n" + validSpec + "```\n", nil, 1},
		{"invalid spec", "text\n\n```yaml\n" + invalid + "```\n", []string{"doc.md:3: this spec does not validate", "workerz", "swarm.yaml:5"}, 1},
		{"invalid spec, yml", "```yml\n" + invalid + "```\n", []string{"doc.md:1: this spec does not validate"}, 1},
		{"excerpt", "<!-- excerpt -->\n```yaml\nstacks:\n  - name: legacy\n```\n", nil, 0},
		{"excerpt after a blank line", "<!-- excerpt -->\n\n```yaml\nworkers: 3\n```\n", nil, 0},
		{"misspelt marker", "<!-- excerp -->\n```yaml\nworkers: 3\n```\n", []string{"doc.md:2: this spec does not validate"}, 1},
		{"marker further up", "<!-- excerpt -->\nsome text\n```yaml\nworkers: 3\n```\n", []string{"doc.md:3: this spec does not validate"}, 1},
		{"excerpt that is not YAML", "<!-- excerpt -->\n```yaml\nworkers: [3\n```\n", []string{"doc.md:2: the block marked <!-- excerpt --> is not YAML"}, 0},
		{"not a spec", "<!-- not-a-spec -->\n```yaml\njobs: {lab: {runs-on: ubuntu-latest}}\n```\n", nil, 0},
		{"a workflow, unmarked", "```yaml\njobs: {lab: {runs-on: ubuntu-latest}}\n```\n", []string{"this spec does not validate"}, 1},
		{"spec in another block", "```\n" + validSpec + "```\n", []string{"doc.md:1: a spec in a ``` block"}, 0},
		{"a spec reads nothing outside its directory", "```yaml\n" + validSpec + "stacks:\n  - name: legacy\n    file: ../../README.md\n```\n", []string{"this spec does not validate"}, 1},
		{"files beside the spec", "<!-- files: certs/ca.pem -->\n```yaml\n" + validSpec + "stacks:\n  - name: s\n    file: certs/ca.pem\n```\n", []string{"doc.md:2: this spec does not validate", "\ncerts/ca.pem:1:1: a stack file must be a mapping"}, 1},
		{"files outside the spec's directory", "<!-- files: ../x -->\n```yaml\n" + validSpec + "```\n", []string{"not a path inside the spec's directory"}, 1},
		{"invalid, with its errors", "<!-- invalid -->\n```yaml\n" + invalid + "```\n\n```\nswarm.yaml:5:1: workerz: unknown field (did you mean \"workers\"?)\n```\n", nil, 1},
		{"invalid, with other errors", "<!-- invalid -->\n```yaml\n" + invalid + "```\n\n```\nswarm.yaml:5:1: workerz: bad\n```\n", []string{"doc.md:10: the errors shown are not those of the spec above", "did you mean"}, 1},
		{"invalid, without its errors", "<!-- invalid -->\n```yaml\n" + invalid + "```\n", []string{"doc.md:2: the spec marked <!-- invalid --> is not followed by a block of its errors"}, 1},
		{"invalid, but valid", "<!-- invalid -->\n```yaml\n" + validSpec + "```\n\n```\nerr\n```\n", []string{"doc.md:2: the spec marked <!-- invalid --> validates"}, 1},
		{"sh block", "```sh\nswarmgen up\n```\n", nil, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			blocks, err := Blocks("doc.md", []byte(c.md))
			if err != nil {
				t.Fatal(err)
			}
			errs, checked := CheckSpecs(blocks)
			if checked != c.checked {
				t.Errorf("%d specs validated, want %d", checked, c.checked)
			}
			var all strings.Builder
			for _, err := range errs {
				all.WriteString(err.Error() + "\n")
			}
			if len(c.errs) == 0 && len(errs) != 0 {
				t.Errorf("unexpected errors:\n%s", all.String())
			}
			if len(c.errs) != 0 && len(errs) != 1 {
				t.Errorf("%d errors, want 1:\n%s", len(errs), all.String())
			}
			for _, want := range c.errs {
				if !strings.Contains(all.String(), want) {
					t.Errorf("no error says %q:\n%s", want, all.String())
				}
			}
		})
	}
}

func TestBlocks(t *testing.T) {
	md := "# t\n\n<!-- excerpt -->\n````yaml\na: 1\n```\nb: 2\n````\n\n```sh\nls\n```\n"
	blocks, err := Blocks("x.md", []byte(md))
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 2 || blocks[0].Line != 4 || blocks[0].Info != "yaml" || blocks[0].Marker != ExcerptMarker ||
		blocks[0].Text != "a: 1\n```\nb: 2\n" || blocks[1].Info != "sh" || blocks[1].Marker != "" || blocks[1].Text != "ls\n" {
		t.Errorf("blocks: %+v", blocks)
	}
	if _, err := Blocks("x.md", []byte("```yaml\na: 1\n")); err == nil || !strings.Contains(err.Error(), "x.md:1: a code block is never closed") {
		t.Errorf("an unclosed block: %v", err)
	}
}

// Each command of the README's quick start is run by the e2e as written
// (TestInitFromNothing, which fails if one of its quickStart lines did not
// run), or is listed in its quickStartNotRun with the reason.
func TestQuickStartRunsInE2E(t *testing.T) {
	md, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := QuickStart("README.md", md)
	if err != nil {
		t.Fatal(err)
	}
	run, notRun := e2eQuickStart(t, filepath.Join(root, "e2e", "init_test.go"))
	for _, line := range readme {
		if _, ok := notRun[line]; !ok && !slices.Contains(run, line) {
			t.Errorf("the README's quick start has %q, which e2e/init_test.go neither runs (quickStart) nor lists with a reason (quickStartNotRun)", line)
		}
	}
	for _, line := range run {
		if !slices.Contains(readme, line) {
			t.Errorf("e2e/init_test.go runs %q as a quick-start line, which the README's quick start does not have", line)
		}
	}
	for line, why := range notRun {
		if !slices.Contains(readme, line) {
			t.Errorf("e2e/init_test.go gives a reason for not running %q, which the README's quick start does not have", line)
		}
		if strings.TrimSpace(why) == "" {
			t.Errorf("e2e/init_test.go does not run %q and gives no reason", line)
		}
	}
}

func TestQuickStart(t *testing.T) {
	md := "# x\n\n## Quick start\n\ntext\n\n```sh\nswarmgen init        # a comment\n\neval \"$(swarmgen env)\"   # another\n```\n\n## Next\n\n```sh\nnot this\n```\n"
	got, err := QuickStart("x.md", []byte(md))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"swarmgen init", `eval "$(swarmgen env)"`}; !slices.Equal(got, want) {
		t.Errorf("QuickStart = %q, want %q", got, want)
	}
	if _, err := QuickStart("x.md", []byte("# x\n\n## Quick start\n\n## Next\n\n```sh\nls\n```\n")); err == nil {
		t.Error("a quick start without a block of its own: no error")
	}
}

// e2eQuickStart reads the quickStart and quickStartNotRun literals of the
// e2e test file (the e2e package is not imported: it is tests only).
func e2eQuickStart(t *testing.T, path string) (run []string, notRun map[string]string) {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	str := func(e ast.Expr) string {
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			t.Fatalf("%s: the quick-start lists must hold string literals only", path)
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	found := 0
	notRun = map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || len(vs.Values) != 1 {
			return true
		}
		lit, ok := vs.Values[0].(*ast.CompositeLit)
		if !ok {
			return true
		}
		switch vs.Names[0].Name {
		case "quickStart":
			found++
			for _, e := range lit.Elts {
				run = append(run, str(e))
			}
		case "quickStartNotRun":
			found++
			for _, e := range lit.Elts {
				kv := e.(*ast.KeyValueExpr)
				notRun[str(kv.Key)] = str(kv.Value)
			}
		}
		return true
	})
	if found != 2 {
		t.Fatalf("%s: no var quickStart and var quickStartNotRun", path)
	}
	return run, notRun
}

// pendingPages are pages that other changes write; a link to one is not
// checked until it exists (then it is checked like any other).
var pendingPages = map[string]string{
	"docs/json.md":   "the --json output shapes, written with the JSON outputs",
	"docs/drills.md": "the network-partition drills, written with them",
}

// Every relative link of the README and docs/ reaches a file, and a
// heading of it when it names one.
func TestDocLinks(t *testing.T) {
	checked := 0
	for _, path := range docs(t) {
		md, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, path)
		for _, l := range Links(rel, md) {
			target := path
			if l.Target != "" {
				target = filepath.Join(filepath.Dir(path), l.Target)
			}
			relTarget, _ := filepath.Rel(root, target)
			data, err := os.ReadFile(target)
			if err != nil {
				if info, serr := os.Stat(target); serr == nil && info.IsDir() && l.Anchor == "" {
					continue
				}
				if _, ok := pendingPages[filepath.ToSlash(relTarget)]; ok {
					t.Logf("%s:%d: %s does not exist yet (pending)", l.File, l.Line, relTarget)
					continue
				}
				t.Errorf("%s:%d: the link to %s reaches nothing: %v", l.File, l.Line, l.Target, err)
				continue
			}
			checked++
			if l.Anchor != "" && strings.HasSuffix(target, ".md") && !Anchors(data)[l.Anchor] {
				t.Errorf("%s:%d: %s has no heading #%s", l.File, l.Line, relTarget, l.Anchor)
			}
		}
	}
	if checked < 10 {
		t.Errorf("only %d links checked; the link finder is broken", checked)
	}
}

func TestLinksAndAnchors(t *testing.T) {
	md := "# The runtime: bootstrap.sh\n\n## What `up` changes\n\nsee [a](b.md#c-d), [x](#what-up-changes) and <https://x.org> [w](https://w.org/a)\n`[not](a link)`\n```\n[nor](this)\n# nor this\n```\n"
	got := Links("f.md", []byte(md))
	want := []Link{{"f.md", 5, "b.md", "c-d"}, {"f.md", 5, "", "what-up-changes"}}
	if !slices.Equal(got, want) {
		t.Errorf("Links = %+v, want %+v", got, want)
	}
	anchors := Anchors([]byte(md))
	for _, a := range []string{"the-runtime-bootstrapsh", "what-up-changes"} {
		if !anchors[a] {
			t.Errorf("no anchor %q in %v", a, anchors)
		}
	}
	if anchors["nor-this"] || len(anchors) != 2 {
		t.Errorf("anchors %v, want the two headings outside the code block", anchors)
	}
}
