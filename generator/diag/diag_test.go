package diag

import (
	"testing"

	"github.com/swarmgen/swarmgen/generator/goldenfile"
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
	} {
		if got := tt.d.String(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
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
