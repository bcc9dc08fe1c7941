package main

import (
	"errors"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/swarmgen/swarmgen/internal/lab"
)

func dockerCommand() *cli.Command {
	return &cli.Command{
		Name:      "docker",
		Usage:     "run the host's docker against the leading manager, e.g. swarmgen docker stack deploy -c ./x.yml x",
		ArgsUsage: "[-f swarm.yaml] [-o DIR] [--lab NAME] ARGS...",
		Description: `Runs the host's docker ARGS against the engine of the manager that leads
the swarm now, through the lab's Docker endpoint (mutual TLS, the
certificates swarmgen up made), so it follows a new leader after a failover
and files are the host's own:
   swarmgen docker stack deploy -c ./my-stack.yml app
The terminal and stdin are passed through; the exit code is docker's. The
same endpoint is the docker context swarmgen-LAB that swarmgen up registers
(docker --context swarmgen-LAB ...), and eval "$(swarmgen env)" points the
shell's docker at it.

With docker_endpoint: false in the spec there is no endpoint: the command
runs inside the manager's container (docker exec -i [-t] MANAGER docker
ARGS), where only the lab's stack directory is mounted, read-only at
/stack, and no other host path is visible.

In a lab of machines it runs against the leading manager machine's own
endpoint (or context) from the spec; swarmgen up points the docker context
swarmgen-LAB there too, and eval "$(swarmgen env)" sets DOCKER_CONTEXT to it.
With --lab, a lab of machines is reached through that context alone.

-f, -o and --lab may come before the verb or right after it; everything else is
docker's. The spec is read only to find the lab's managers. For docker's own
help: swarmgen docker help, or swarmgen docker COMMAND --help.`,
		SkipFlagParsing: true, // docker's flags are docker's
		HideHelpCommand: true, // `swarmgen docker help` is docker's help
		Action: func(c *cli.Context) error {
			file, out, name, args := labArgs(c.Args().Slice(), specPath(c), outDir(c), labName(c))
			if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
				return cli.ShowCommandHelp(c.Lineage()[1], c.Command.Name) // no spec needed
			}
			var cl lab.Cluster
			var err error
			if name != "" {
				cl, err = findLab(c, name)
			} else {
				_, cl, err = renderLabAt(c, file, out, false)
			}
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
