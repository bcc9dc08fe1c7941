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
	var rows [][3]string
	for _, f := range Fields() {
		rows = append(rows, [3]string{"`" + f.Path + "`", f.Type, f.Desc})
	}
	checkReadmeSection(t, refBegin, refEnd, markdownTable([3]string{"field", "type", "meaning"}, rows))
}

// The README's limits are the ones the code enforces.
func TestReadmeDocumentsEveryLimit(t *testing.T) {
	var rows [][3]string
	for _, l := range Limits() {
		rows = append(rows, [3]string{l.Name, l.Value, l.Desc})
	}
	checkReadmeSection(t, limitsBegin, limitsEnd, markdownTable([3]string{"limit", "value", "what it bounds"}, rows))
}

// markdownTable is a three-column table; a | in the last column is escaped.
func markdownTable(header [3]string, rows [][3]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "| %s | %s | %s |\n|---|---|---|\n", header[0], header[1], header[2])
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", r[0], r[1], strings.ReplaceAll(r[2], "|", "\\|"))
	}
	return b.String()
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
