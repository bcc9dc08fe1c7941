package completion

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"
)

// Command is the hidden command the scripts run: `swarmgen __complete
// WORD... CURRENT` prints the candidates for CURRENT, one a line. It is
// caught before any command is parsed, so nothing a user typed (`--`,
// a verb, a flag) can make it run a command: urfave/cli's own
// --generate-bash-completion protocol ran the command when `--` came
// before it (urfave/cli#1993), and `swarmgen down --<TAB>` tore a lab down.
const Command = "__complete"

// LegacyFlag is urfave/cli's completion flag, which scripts of older
// swarmgen versions still send: it is answered like Command, never parsed.
const LegacyFlag = "--generate-bash-completion"

// Sources give the candidates that need a look outside the app: the labs
// on this host (for --lab). Nil: none.
type Sources struct {
	Labs func() []string
}

// Candidates are the completions of words' last word (the one being typed,
// possibly empty), given the words before it (without the program name).
// It reads the app's commands and flags, lists spec files for -f, and
// asks src.Labs only for the value of --lab; it runs nothing else.
func Candidates(app *cli.App, words []string, src Sources) []string {
	if len(words) == 0 {
		words = []string{""}
	}
	cur, before := words[len(words)-1], words[:len(words)-1]
	flags, cmds := app.Flags, app.Commands
	var cmd *cli.Command
	args := 0
	for i := 0; i < len(before); i++ {
		w := before[i]
		if w == "--" || (cmd != nil && cmd.SkipFlagParsing) {
			return nil // arguments only: the shell's own completion
		}
		if len(w) > 1 && strings.HasPrefix(w, "-") {
			f := findFlag(flags, w)
			if f == nil || isBool(f) || strings.Contains(w, "=") {
				continue
			}
			if i == len(before)-1 { // cur is this flag's value
				return flagValues(f, cur, src)
			}
			i++
			continue
		}
		if args == 0 {
			if c := findCommand(cmds, w); c != nil {
				cmd, flags, cmds = c, c.Flags, c.Subcommands
				continue
			}
		}
		args++
	}
	var out []string
	switch {
	case strings.HasPrefix(cur, "-"):
		for _, f := range flags {
			for _, n := range f.Names() {
				if len(n) == 1 {
					out = append(out, "-"+n)
				} else {
					out = append(out, "--"+n)
				}
			}
		}
		out = append(out, "--help")
	case len(cmds) > 0 && args == 0:
		for _, c := range cmds {
			if !c.Hidden {
				out = append(out, c.Name)
			}
		}
	case cmd != nil && cmd.Name == "completion" && args == 0:
		out = append(out, Shells...)
	}
	return withPrefix(out, cur)
}

// flagValues completes the value of flag f: lab names for --lab, spec
// files for --file; nothing (the shell's files) for the rest.
func flagValues(f cli.Flag, cur string, src Sources) []string {
	switch f.Names()[0] {
	case "lab":
		if src.Labs == nil {
			return nil
		}
		return withPrefix(src.Labs(), cur)
	case "file":
		return specFiles(cur)
	}
	return nil
}

// specFiles are the YAML files and the directories whose name starts as
// cur does, in cur's directory.
func specFiles(cur string) []string {
	dir, base := filepath.Split(cur)
	read := dir
	if read == "" {
		read = "."
	}
	entries, err := os.ReadDir(read)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		n := e.Name()
		if !strings.HasPrefix(n, base) || (strings.HasPrefix(n, ".") && !strings.HasPrefix(base, ".")) {
			continue
		}
		switch {
		case e.IsDir():
			out = append(out, dir+n+"/")
		case strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml"):
			out = append(out, dir+n)
		}
	}
	return out
}

func withPrefix(words []string, prefix string) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range words {
		if strings.HasPrefix(w, prefix) && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

func findFlag(flags []cli.Flag, word string) cli.Flag {
	name, _, _ := strings.Cut(strings.TrimLeft(word, "-"), "=")
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

func isBool(f cli.Flag) bool {
	_, ok := f.(*cli.BoolFlag)
	return ok
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}
