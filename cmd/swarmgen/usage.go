package main

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"

	"github.com/urfave/cli/v2"
)

// checkArgs makes every command that takes no arguments refuse one, with
// exit 1 and what it takes instead: an argument silently ignored made
// `swarmgen validate /x.yaml` check ./swarm.yaml and `swarmgen down lab-b`
// remove the lab of the current directory.
func checkArgs(path string, cmds []*cli.Command) {
	for _, c := range cmds {
		name := path + " " + c.Name
		checkArgs(name, c.Subcommands)
		if c.Action == nil || c.ArgsUsage != "" || c.SkipFlagParsing {
			continue // a group, or a command that says what it takes
		}
		action, cmd := c.Action, c
		c.Action = func(ctx *cli.Context) error {
			if ctx.NArg() > 0 {
				return unexpectedArgs(name, cmd, ctx.Args().Slice())
			}
			return action(ctx)
		}
	}
}

// unexpectedArgs says what a command takes instead of args.
func unexpectedArgs(name string, c *cli.Command, args []string) error {
	msg := fmt.Sprintf("%s takes no arguments, and was given %q", name, strings.Join(args, " "))
	first := args[0]
	switch {
	case hasFlag(c, "file") && (strings.HasSuffix(first, ".yaml") || strings.HasSuffix(first, ".yml")):
		return userErrorf("%s; a spec is named with -f: %s -f %s", msg, name, first)
	case hasFlag(c, "lab"):
		return userErrorf("%s; a lab is named with --lab: %s --lab %s (swarmgen list shows the labs)", msg, name, first)
	}
	return userErrorf("%s; see %s --help", msg, name)
}

func hasFlag(c *cli.Command, name string) bool {
	for _, f := range c.Flags {
		for _, n := range f.Names() {
			if n == name {
				return true
			}
		}
	}
	return false
}

var (
	undefinedFlag = regexp.MustCompile(`^flag provided but not defined: -+(\S+)$`)
	invalidValue  = regexp.MustCompile(`^invalid value "(.*)" for flag -+(\S+): `)
)

// usageError rewrites urfave/cli's flag errors in the user's words, with
// a did-you-mean for a mistyped flag and the form a value must take.
func usageError(c *cli.Context, err error) error {
	flags, name := c.App.Flags, commandPath(c)
	if name != "swarmgen" {
		flags = c.Command.Flags
	}
	msg := err.Error()
	if m := undefinedFlag.FindStringSubmatch(msg); m != nil {
		dash := "--"
		if len(m[1]) == 1 {
			dash = "-"
		}
		out := fmt.Sprintf("%s has no flag %s%s", name, dash, m[1])
		var names []string
		for _, f := range flags {
			names = append(names, f.Names()...)
		}
		if s := closest(m[1], names); s != "" {
			if len(s) == 1 {
				out += fmt.Sprintf("; did you mean -%s?", s)
			} else {
				out += fmt.Sprintf("; did you mean --%s?", s)
			}
		} else {
			out += fmt.Sprintf("; %s --help lists them", name)
		}
		return userErrorf("%s", out)
	}
	if m := invalidValue.FindStringSubmatch(msg); m != nil {
		for _, f := range flags {
			for _, n := range f.Names() {
				if n != m[2] {
					continue
				}
				switch f.(type) {
				case *cli.DurationFlag:
					return userErrorf("--%s wants a duration such as 5m, 90s or 1h30m, not %q", n, m[1])
				case *cli.IntFlag, *cli.UintFlag, *cli.Int64Flag:
					return userErrorf("--%s wants a whole number, not %q", n, m[1])
				}
			}
		}
	}
	return userError{err}
}

// commandPath is how the user typed the command of c: "swarmgen node stop".
func commandPath(c *cli.Context) string {
	var names []string
	for _, l := range c.Lineage() {
		if l.Command != nil && l.Command.Name != "" && l.Command.Name != c.App.Name {
			names = append([]string{l.Command.Name}, names...)
		}
	}
	return strings.Join(append([]string{c.App.Name}, names...), " ")
}

// unknownCommand is the error for a command that does not exist, with
// the nearest one when the name looks mistyped.
func unknownCommand(cmds []*cli.Command, path, name string) error {
	var names []string
	for _, c := range cmds {
		if !c.Hidden {
			names = append(names, c.Names()...)
		}
	}
	if s := closest(name, names); s != "" {
		return userErrorf("%s has no command %q; did you mean %q?", path, name, s)
	}
	return userErrorf("%s has no command %q; `%s help` lists them", path, name, path)
}

// closest is the candidate nearest to typed: the one a prefix of it names
// alone, else the one within a typo or two (a letter wrong, missing, extra
// or two swapped), if only one is that near.
func closest(typed string, candidates []string) string {
	var prefixed []string
	for _, c := range candidates {
		if len(typed) >= 2 && strings.HasPrefix(c, typed) {
			prefixed = append(prefixed, c)
		}
	}
	if len(prefixed) == 1 {
		return prefixed[0]
	}
	limit := 1
	if len(typed) >= 5 {
		limit = 2
	}
	best, bestD, ties := "", limit+1, 0
	for _, c := range candidates {
		d := editDistance(typed, c)
		switch {
		case d < bestD:
			best, bestD, ties = c, d, 1
		case d == bestD:
			ties++
		}
	}
	if bestD > limit || ties != 1 {
		return ""
	}
	return best
}

// editDistance is the optimal string alignment distance: insertions,
// deletions, substitutions and swaps of two neighbours each count one.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// writeError makes a failure to write the generated files into -o's
// directory the user's error (exit 1): a file given as -o, a directory
// that cannot be made or written.
func writeError(out string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return userErrorf("cannot write the lab's files in %s (-o): %v; give -o a directory you can write", out, err)
	}
	return err
}
