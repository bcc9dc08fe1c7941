package main

import (
	"errors"
	"os"

	"github.com/urfave/cli/v2"
)

func dockerCommand() *cli.Command {
	return &cli.Command{
		Name:      "docker",
		Usage:     "run a docker command on the leading manager, e.g. swarmgen docker service scale echo=6",
		ArgsUsage: "[-f swarm.yaml] [-o DIR] ARGS...",
		Description: `Runs docker ARGS inside the container of the manager that leads the swarm
now, through docker exec on the host (docker exec -i [-t] MANAGER docker ARGS),
so it talks to that manager's own engine, and follows a new leader after a
failover. The terminal and stdin are passed through; the exit code is docker's.

Files are seen from inside the manager container, not from the host: only
the lab's stack directory (-o DIR/stack) is mounted there, read-only at
/stack, and no other host path is visible. Deploy a stack file of the lab
with
   swarmgen docker stack deploy -c /stack/NAME.yml NAME
and give other content on stdin, e.g.
   swarmgen docker config create site - < site.conf

-f and -o may come before the verb or right after it; everything else is
docker's. The spec is read only to find the lab's managers. For docker's own
help: swarmgen docker help, or swarmgen docker COMMAND --help.`,
		SkipFlagParsing: true, // docker's flags are docker's
		HideHelpCommand: true, // `swarmgen docker help` is docker's help
		Action: func(c *cli.Context) error {
			file, out, args := labArgs(c.Args().Slice(), specPath(c), outDir(c))
			if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
				return cli.ShowCommandHelp(c.Lineage()[1], c.Command.Name) // no spec needed
			}
			_, cl, err := renderLabAt(c, file, out, false)
			if err != nil {
				return err
			}
			err = cl.Docker(c.Context, args, os.Stdin, c.App.Writer, c.App.ErrWriter, isTerminal(os.Stdin) && isTerminal(c.App.Writer))
			var ee interface{ ExitCode() int }
			if errors.As(err, &ee) {
				return cli.Exit("", ee.ExitCode()) // docker already said why
			}
			return labStateError(err)
		},
	}
}
