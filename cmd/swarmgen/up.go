package main

import (
	"errors"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/swarmgen/swarmgen/runner"
)

func upCommand() *cli.Command {
	return &cli.Command{
		Name:  "up",
		Usage: "render the lab's files if needed and bring the lab up (safe to run again)",
		Description: `Writes the generated files that changed, then runs bootstrap.sh: starts the
containers, forms the swarm, pushes the images, creates the networks, deploys
the stacks and services and waits until every service has its replicas.
A second run changes nothing and returns quickly.`,
		Flags: []cli.Flag{
			specFlag, outFlag,
			&cli.DurationFlag{Name: "wait", Value: 5 * time.Minute, Usage: "how long nodes and services may take to be ready"},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "print every command bootstrap.sh runs and its output"},
		},
		Action: func(c *cli.Context) error {
			if _, _, err := renderLab(c, true); err != nil {
				return err
			}
			err := runner.Up(c.Context, runner.UpOptions{
				Dir: c.String("out"), Wait: c.Duration("wait"), Verbose: c.Bool("verbose"),
				Out: c.App.Writer, TTY: isTerminal(c.App.Writer),
			})
			var se *runner.StepError
			if errors.As(err, &se) {
				return cli.Exit(se.Error(), exitUser)
			}
			return err
		},
	}
}

func downCommand() *cli.Command {
	return &cli.Command{
		Name:  "down",
		Usage: "remove the lab's containers, network and volumes (nothing else)",
		Flags: []cli.Flag{
			specFlag, outFlag,
			&cli.BoolFlag{Name: "keep-data", Usage: "keep the volumes (registry content, node state)"},
		},
		Action: func(c *cli.Context) error {
			if _, _, err := renderLab(c, true); err != nil {
				return err
			}
			if err := runner.Down(c.Context, c.String("out"), c.Bool("keep-data"), c.App.Writer); err != nil {
				return cli.Exit(err.Error(), exitUser)
			}
			return nil
		},
	}
}
