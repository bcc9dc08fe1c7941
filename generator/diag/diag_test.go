package diag

import (
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/internal/testkit/goldenfile"
)

var _ = goldenfile.Update // so that `go test ./... -update` is accepted here

func TestString(t *testing.T) {
	for _, tt := range []struct {
		d    Diagnostic
		want string
	}{
		{Diagnostic{File: "swarm.yaml", Line: 3, Col: 7, Path: "name", Msg: "bad"}, "swarm.yaml:3:7: name: bad"},
		{Diagnostic{File: "swarm.yaml", Line: 3, Path: "name", Msg: "bad"}, "swarm.yaml:3: name: bad"},
		{Diagnostic{File: "swarm.yaml", Msg: "bad"}, "swarm.yaml: bad"},
		{Diagnostic{Severity: Warning, File: "s.yml", Line: 1, Col: 1, Path: "p", Msg: "m"}, "s.yml:1:1: warning: p: m"},
		{Diagnostic{Msg: "bare"}, "bare"},
		// nothing printed may move the cursor, clear a line or start one
		{Diagnostic{File: "s\u2028x.yaml", Path: "labels.\x1b[2K\rswarm.yaml is valid\x1b[8m", Msg: "a\nb\u0085c\u2029\x9b\xff"},
			`s\u2028x.yaml: labels.\x1b[2K\x0dswarm.yaml is valid\x1b[8m: a\x0ab\u0085c\u2029\x9b\xff`},
		{Diagnostic{Msg: "é ü 日本 tab\there"}, `é ü 日本 tab\x09here`},
	} {
		if got := tt.d.String(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

func TestQuoteEchoesAShortPrefix(t *testing.T) {
	if got := Quote("a\x1b"); got != `"a\x1b"` {
		t.Errorf("Quote of a short value: %s", got)
	}
	long := "é" + strings.Repeat("x", 100)
	want := `"é` + strings.Repeat("x", MaxEchoBytes-2) + `"... (102 bytes)`
	if got := Quote(long); got != want {
		t.Errorf("Quote(long) = %s, want %s", got, want)
	}
	if got := Short(strings.Repeat("é", 40)); got != strings.Repeat("é", 32)+"..." {
		t.Errorf("Short cuts inside a character: %q", got)
	}
}

func TestListSortedErrorsAndTouches(t *testing.T) {
	l := List{
		{File: "b.yaml", Line: 1, Msg: "x"},
		{File: "a.yaml", Line: 9, Col: 2, Path: "stacks[1].name", Msg: "y"},
		{Severity: Warning, File: "a.yaml", Line: 9, Col: 1, Path: "managers", Msg: "w"},
		{File: "a.yaml", Line: 2, Path: "stacks[10]", Msg: "z"},
	}
	want := "a.yaml:2: stacks[10]: z\na.yaml:9:1: warning: managers: w\na.yaml:9:2: stacks[1].name: y\nb.yaml:1: x"
	if got := l.Error(); got != want {
		t.Errorf("Error():\n%s\nwant:\n%s", got, want)
	}
	if !l.HasErrors() || len(l.Errors()) != 3 || len(l.Warnings()) != 1 {
		t.Errorf("errors %d warnings %d", len(l.Errors()), len(l.Warnings()))
	}
	if l.Warnings().Err() != nil {
		t.Error("warnings alone are not an error")
	}
	if !l.Touches("a.yaml", "stacks[1]") || l.Touches("a.yaml", "stacks[2]") || l.Touches("b.yaml", "stacks[1]") {
		t.Error("Touches")
	}
	// stacks[1] is not a prefix match of stacks[10]
	if (List{{File: "a.yaml", Path: "stacks[10]"}}).Touches("a.yaml", "stacks[1]") {
		t.Error("stacks[10] touches stacks[1]")
	}
}
