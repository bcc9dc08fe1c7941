package spec

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/internal/testkit/goldenfile"
)

const (
	refBegin    = "<!-- spec-reference:begin (generated from generator/spec/types.go by go test ./... -update) -->"
	refEnd      = "<!-- spec-reference:end -->"
	limitsBegin = "<!-- spec-limits:begin (generated from generator/spec/limits.go by go test ./... -update) -->"
	limitsEnd   = "<!-- spec-limits:end -->"
)

// The field reference in docs/spec.md is made from the desc tags, so it
// can never disagree with the spec swarmgen reads.
func TestDocsDocumentEveryField(t *testing.T) {
	var rows [][3]string
	for _, f := range Fields() {
		rows = append(rows, [3]string{"`" + f.Path + "`", f.Type, f.Desc})
	}
	checkDocSection(t, refBegin, refEnd, markdownTable([3]string{"field", "type", "meaning"}, rows))
}

// The limits in docs/spec.md are the ones the code enforces.
func TestDocsDocumentEveryLimit(t *testing.T) {
	var rows [][3]string
	for _, l := range Limits() {
		rows = append(rows, [3]string{l.Name, l.Value, l.Desc})
	}
	checkDocSection(t, limitsBegin, limitsEnd, markdownTable([3]string{"limit", "value", "what it bounds"}, rows))
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

// specDoc is the page that holds the field reference and the limits.
const specDoc = "../../docs/spec.md"

// checkDocSection compares what docs/spec.md holds between begin and end
// with content, or writes content there with -update.
func checkDocSection(t *testing.T, begin, end, content string) {
	t.Helper()
	data, err := os.ReadFile(specDoc)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i < 0 || j < i {
		t.Fatalf("%s lacks the %q ... %q markers", specDoc, begin, end)
	}
	want := text[:i] + begin + "\n" + content + text[j:]
	if *goldenfile.Update {
		goldenfile.Check(t, specDoc, []byte(want))
		return
	}
	if want != text {
		t.Errorf("%s: the section %q is stale; run `go test ./generator/spec/ -update` and review the diff", specDoc, begin)
	}
}
