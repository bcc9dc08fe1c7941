package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/swarmgen/swarmgen/internal/testkit/stubdocker"
)

// A command given an argument it does not take refuses it (exit 1, before
// reading a spec or calling docker) and says what it takes; before, the
// argument was ignored and the command acted on ./swarm.yaml's lab.
func TestArgumentsAreChecked(t *testing.T) {
	stub := stubdocker.New(t, `exit 0`)
	stub.Use(t)
	t.Chdir(t.TempDir())
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"validate", "/does/not/exist.yaml"}, "swarmgen validate -f /does/not/exist.yaml"},
		{[]string{"down", "lab-b"}, "swarmgen down --lab lab-b"},
		{[]string{"status", "lab-b"}, "swarmgen status --lab lab-b"},
		{[]string{"render", "x"}, "swarmgen render takes no arguments"},
		{[]string{"export-logs", "a", "b"}, "at most one argument"},
		{[]string{"completion"}, "name one shell"},
		{[]string{"node", "stop"}, "takes one node name"},
	} {
		code, _, stderr := swarmgen(t, tc.args...)
		if code != exitUser || !strings.Contains(stderr, tc.want) || !strings.HasSuffix(stderr, "\n") {
			t.Errorf("swarmgen %v: exit %d, stderr %q; want exit 1 saying %q", tc.args, code, stderr, tc.want)
		}
	}
	if calls := stub.Calls(); calls != "" {
		t.Errorf("a refused command called docker:\n%s", calls)
	}
	if entries, _ := os.ReadDir("."); len(entries) != 0 {
		t.Errorf("a refused command wrote %d files", len(entries))
	}
}

// Every command that takes no argument is checked: none is left out.
func TestEveryCommandRefusesAnArgument(t *testing.T) {
	stub := stubdocker.New(t, `exit 0`)
	stub.Use(t)
	t.Chdir(t.TempDir())
	var walk func(path []string, cmds []*cli.Command)
	walk = func(path []string, cmds []*cli.Command) {
		for _, c := range cmds {
			p := append(append([]string(nil), path...), c.Name)
			walk(p, c.Subcommands)
			if c.Action == nil || c.ArgsUsage != "" || c.SkipFlagParsing || c.Name == "help" {
				continue
			}
			code, _, stderr := swarmgen(t, append(p, "surprise")...)
			if code != exitUser || !strings.Contains(stderr, "takes no arguments") {
				t.Errorf("swarmgen %s surprise: exit %d, %q", strings.Join(p, " "), code, stderr)
			}
		}
	}
	walk(nil, newApp(io.Discard, io.Discard).Commands)
}

// A bad -o is the user's error (exit 1, which the README defines as "your
// input is wrong"), not swarmgen's (2).
func TestBadOutDirIsTheUsersError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "afile")
	os.WriteFile(file, nil, 0o644)
	for _, out := range []string{file, "/proc/x", filepath.Join(file, "sub")} {
		code, _, stderr := swarmgen(t, "render", "-f", classicSpec, "-o", out)
		if code != exitUser || !strings.Contains(stderr, "give -o a directory you can write") {
			t.Errorf("render -o %s: exit %d, %q", out, code, stderr)
		}
	}
}

// A mistyped command or flag gets the nearest one; a flag's value, the
// form it takes.
func TestDidYouMean(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"stauts"}, `did you mean "status"?`},
		{[]string{"rendr"}, `did you mean "render"?`},
		{[]string{"node", "stpo", "w"}, `did you mean "stop"?`},
		{[]string{"up", "--wiat", "5m"}, "swarmgen up has no flag --wiat; did you mean --wait?"},
		{[]string{"node", "kill", "--fiel", "x", "w"}, "did you mean --file?"},
		{[]string{"up", "--wait", "5"}, "--wait wants a duration such as 5m"},
		{[]string{"xyzzy"}, "`swarmgen help` lists them"},
	} {
		code, _, stderr := swarmgen(t, tc.args...)
		if code != exitUser || !strings.Contains(stderr, tc.want) || !strings.HasSuffix(stderr, "\n") {
			t.Errorf("swarmgen %v: exit %d, %q; want %q", tc.args, code, stderr, tc.want)
		}
	}
	if got := closest("xyzzy", []string{"status", "stop"}); got != "" {
		t.Errorf("closest(xyzzy) = %q, want none", got)
	}
}
