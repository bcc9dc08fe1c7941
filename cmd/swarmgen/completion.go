package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/swarmgen/swarmgen/internal/completion"
)

func completionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print the shell completion script for " + strings.Join(completion.Shells, ", "),
		ArgsUsage: strings.Join(completion.Shells, "|"),
		Description: `Prints a script that completes swarmgen's commands and flags. Load it with
   source <(swarmgen completion bash)     in ~/.bashrc
   source <(swarmgen completion zsh)      in ~/.zshrc, after compinit
   swarmgen completion fish > ~/.config/fish/completions/swarmgen.fish`,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return userErrorf("name one shell: %s", strings.Join(completion.Shells, ", "))
			}
			script, err := completion.Script(c.Args().First())
			if err != nil {
				return userError{err}
			}
			_, err = fmt.Fprint(c.App.Writer, script)
			return err
		},
	}
}
