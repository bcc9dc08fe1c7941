package spec

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/generator/goldenfile"
)

const (
	refBegin = "<!-- spec-reference:begin (generated from generator/spec/types.go by go test ./... -update) -->"
	refEnd   = "<!-- spec-reference:end -->"
)

// The README's field reference is made from the desc tags, so it can
// never disagree with the spec swarmgen reads.
func TestReadmeDocumentsEveryField(t *testing.T) {
	var table strings.Builder
	table.WriteString("| field | type | meaning |\n|---|---|---|\n")
	for _, f := range Fields() {
		fmt.Fprintf(&table, "| `%s` | %s | %s |\n", f.Path, f.Type, strings.ReplaceAll(f.Desc, "|", "\\|"))
	}
	const readme = "../../README.md"
	data, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	i, j := strings.Index(text, refBegin), strings.Index(text, refEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the %q ... %q markers", refBegin, refEnd)
	}
	want := text[:i] + refBegin + "\n" + table.String() + text[j:]
	if *goldenfile.Update {
		goldenfile.Check(t, readme, []byte(want))
		return
	}
	if want != text {
		t.Errorf("README.md's spec reference is stale; run `go test ./... -update` and review the diff")
	}
}
