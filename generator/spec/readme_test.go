package spec

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/generator/goldenfile"
)

const (
	refBegin    = "<!-- spec-reference:begin (generated from generator/spec/types.go by go test ./... -update) -->"
	refEnd      = "<!-- spec-reference:end -->"
	limitsBegin = "<!-- spec-limits:begin (generated from generator/spec/limits.go by go test ./... -update) -->"
	limitsEnd   = "<!-- spec-limits:end -->"
)

// The README's field reference is made from the desc tags, so it can
// never disagree with the spec swarmgen reads.
func TestReadmeDocumentsEveryField(t *testing.T) {
	var table strings.Builder
	table.WriteString("| field | type | meaning |\n|---|---|---|\n")
	for _, f := range Fields() {
		fmt.Fprintf(&table, "| `%s` | %s | %s |\n", f.Path, f.Type, strings.ReplaceAll(f.Desc, "|", "\\|"))
	}
	checkReadmeSection(t, refBegin, refEnd, table.String())
}

// The README's limits are the ones the code enforces.
func TestReadmeDocumentsEveryLimit(t *testing.T) {
	var table strings.Builder
	table.WriteString("| limit | value | what it bounds |\n|---|---|---|\n")
	for _, l := range Limits() {
		fmt.Fprintf(&table, "| %s | %s | %s |\n", l.Name, l.Value, strings.ReplaceAll(l.Desc, "|", "\\|"))
	}
	checkReadmeSection(t, limitsBegin, limitsEnd, table.String())
}

// checkReadmeSection compares what README.md holds between begin and end
// with content, or writes content there with -update.
func checkReadmeSection(t *testing.T, begin, end, content string) {
	t.Helper()
	const readme = "../../README.md"
	data, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the %q ... %q markers", begin, end)
	}
	want := text[:i] + begin + "\n" + content + text[j:]
	if *goldenfile.Update {
		goldenfile.Check(t, readme, []byte(want))
		return
	}
	if want != text {
		t.Errorf("README.md's section %q is stale; run `go test ./... -update` and review the diff", begin)
	}
}
