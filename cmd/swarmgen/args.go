package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// interspersed moves a command's flags that follow its arguments before
// them (`swarmgen load myapp:1.0 --archive x.tar`): urfave/cli stops at the
// first argument, while docker, kind and k3d, whose habits our users
// have, take flags anywhere. "--" ends the flags; a command that skips flag
// parsing (swarmgen docker) gets its arguments untouched.
func interspersed(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	flags, cmds := app.Flags, app.Commands
	i := 1
	for i < len(args) { // the global flags, then the command path
		a := args[i]
		if a == "--" {
			return args
		}
		if isFlag(a) {
			i += flagWidth(flags, a)
			continue
		}
		c := findCommand(cmds, a)
		if c == nil {
			break // not a command: the leaf's first argument, or an error urfave reports
		}
		if c.SkipFlagParsing {
			return args
		}
		flags, cmds = c.Flags, c.Subcommands
		i++
		if len(cmds) == 0 {
			break
		}
	}
	out := append([]string(nil), args[:i]...)
	var positional []string
	for i < len(args) {
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i:]...)
			break
		}
		if !isFlag(a) {
			positional = append(positional, a)
			i++
			continue
		}
		n := min(flagWidth(flags, a), len(args)-i)
		out = append(out, args[i:i+n]...)
		i += n
	}
	return append(out, positional...)
}

func isFlag(a string) bool { return len(a) > 1 && strings.HasPrefix(a, "-") }

// flagWidth is how many arguments a flag takes up: 2 for a flag that takes
// a value given as the next argument, else 1 (a bool flag, --name=value, or
// a flag the command does not know, which urfave then reports).
func flagWidth(flags []cli.Flag, a string) int {
	name := strings.TrimLeft(a, "-")
	if strings.Contains(name, "=") {
		return 1
	}
	for _, f := range flags {
		for _, n := range f.Names() {
			if n != name {
				continue
			}
			if _, isBool := f.(*cli.BoolFlag); isBool {
				return 1
			}
			return 2
		}
	}
	return 1
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}
