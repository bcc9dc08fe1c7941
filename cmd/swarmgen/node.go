package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/swarmgen/swarmgen/internal/lab"
)

// nodeCommand is `swarmgen node stop|start|kill|pause|unpause NAME`.
func nodeCommand() *cli.Command {
	cmd := &cli.Command{
		Name:  "node",
		Usage: "stop, start, kill, pause or unpause one node's container, to watch the swarm react",
		Description: `Acts on the container of one swarm node, by its name in the spec (manager,
worker01...), for the exercises of a swarm course:
   swarmgen node stop worker01    a clean shutdown: the swarm marks it Down and its tasks move
   swarmgen node kill manager01   a crash: with 3 managers, kill the leader (swarmgen status
                                  names it) and watch the others elect a new one
   swarmgen node pause worker01   a hung node: it answers nothing until unpaused
swarmgen status (and the visualizer) show the result; swarmgen node start or
unpause, or swarmgen up (which brings every node back), ends the exercise.
A stopped or killed node stays down across an engine restart.`,
		Flags: []cli.Flag{specFlag(), allowOutsideFlag(), outFlag(), labSelectFlag()}, // also before the verb
	}
	for _, op := range lab.NodeOps {
		cmd.Subcommands = append(cmd.Subcommands, &cli.Command{
			Name:      op.Verb,
			Usage:     op.Usage,
			ArgsUsage: "NAME",
			Flags:     []cli.Flag{specFlag(), allowOutsideFlag(), outFlag(), labSelectFlag()},
			Action: func(c *cli.Context) error {
				if c.NArg() != 1 {
					return userErrorf("swarmgen node %s takes one node name, e.g. swarmgen node %s worker01", op.Verb, op.Verb)
				}
				_, cl, err := selectLab(c)
				if err != nil {
					return err
				}
				if cl.MachineEnv != nil {
					return errMachines("swarmgen node " + op.Verb)
				}
				said, err := cl.NodeAction(c.Context, op, c.Args().First())
				if err != nil {
					return cli.Exit(err.Error(), exitUser)
				}
				fmt.Fprintln(c.App.Writer, " ✓ "+said)
				return nil
			},
		})
	}
	return cmd
}
