package main

import (
	"io"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/swarmgen/swarmgen/internal/testkit/goldenfile"
)

// manPage is docs/man/swarmgen.1, generated from the CLI definition.
const manPage = "../../docs/man/swarmgen.1"

// manual is swarmgen(1) as urfave/cli renders the app: every command and
// flag with its usage, in section 1 (user commands; ToMan's default, 8, is
// for administration).
func manual(t *testing.T) string {
	t.Helper()
	app := newApp(io.Discard, io.Discard)
	// the flags Run adds; not app.Setup(), whose help command is a global
	// of urfave/cli that other runs of the app in this process change
	app.Flags = append(app.Flags, cli.HelpFlag, cli.VersionFlag)
	man, err := app.ToManWithSection(1)
	if err != nil {
		t.Fatal(err)
	}
	return man
}

// The man page says what the CLI does: `go test ./cmd/swarmgen/ -run TestMan
// -update` rewrites it after a command or flag changes.
func TestManPageIsCurrent(t *testing.T) {
	goldenfile.Check(t, manPage, []byte(manual(t)))
}

// The page names every visible command and its flags, and nothing of the
// build (the version would make it differ from one build to the next).
func TestManPageContent(t *testing.T) {
	man := manual(t)
	app := newApp(io.Discard, io.Discard)
	for _, c := range app.Commands {
		section := strings.Contains(man, "\n.SH "+c.Name+"\n") || strings.Contains(man, "\n.SH "+c.Name+",")
		if c.Hidden {
			if section {
				t.Errorf("the man page shows the hidden command %s", c.Name)
			}
			continue
		}
		if !section {
			t.Errorf("the man page has no section for the command %s", c.Name)
		}
		for _, f := range c.Flags {
			if !strings.Contains(man, "--"+f.Names()[0]) {
				t.Errorf("the man page lacks %s --%s", c.Name, f.Names()[0])
			}
		}
	}
	if app.Version != "" && strings.Contains(man, app.Version) {
		t.Errorf("the man page holds the build's version %q", app.Version)
	}
}

// The page does not depend on what ran before in the process: urfave/cli
// changes its global help command when the app runs (a page made after
// that once recursed without end).
func TestManPageIsStable(t *testing.T) {
	before := manual(t)
	for _, args := range [][]string{{"help"}, {"help", "node"}, {"node", "--help"}, {"node", "stop", "--help"}, {"up", "--help"}} {
		run(append([]string{"swarmgen"}, args...), io.Discard, io.Discard)
	}
	if after := manual(t); after != before {
		t.Error("the man page changed after the app ran")
	}
}

// The README's table of commands has a row for every visible command, and
// none for a command that does not exist.
func TestReadmeListsEveryCommand(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	i := strings.Index(text, "\n## Commands\n")
	if i < 0 {
		t.Fatal("README.md has no \"## Commands\" section")
	}
	section := text[i+len("\n## Commands\n"):]
	if j := strings.Index(section, "\n## "); j >= 0 {
		section = section[:j]
	}
	listed := map[string]bool{}
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 3 || strings.HasPrefix(strings.TrimSpace(cells[1]), "---") {
			continue
		}
		// `swarmgen stop`, `start`: each code span's first word after swarmgen
		for _, span := range codeSpan.FindAllStringSubmatch(cells[1], -1) {
			if f := strings.Fields(strings.TrimPrefix(span[1], "swarmgen ")); len(f) > 0 {
				listed[f[0]] = true
			}
		}
	}
	delete(listed, "command") // the header
	app := newApp(io.Discard, io.Discard)
	for _, c := range app.Commands {
		if !c.Hidden && !listed[c.Name] {
			t.Errorf("README.md's table of commands has no row for %q (%s)", c.Name, c.Usage)
		}
		delete(listed, c.Name)
	}
	for name := range listed {
		t.Errorf("README.md's table of commands lists %q, which is no command", name)
	}
}

var codeSpan = regexp.MustCompile("`([^`]+)`")
