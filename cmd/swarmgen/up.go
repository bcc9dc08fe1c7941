package main

import (
	"errors"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/swarmgen/swarmgen/builtinimage"
	"github.com/swarmgen/swarmgen/lab"
	"github.com/swarmgen/swarmgen/runner"
)

func upCommand() *cli.Command {
	return &cli.Command{
		Name:   "up",
		Flags:  upFlags(),
		Action: upAction,
		Usage:  "render the lab's files if needed and bring the lab up (safe to run again)",
		Description: `Writes the generated files that changed, then runs bootstrap.sh: starts the
containers, forms the swarm, pushes the images, creates the networks, deploys
the stacks and services and waits until every service has its replicas.
A second run changes nothing and returns quickly.`,
	}
}

// startCommand is up under the name users of stop expect: the containers
// start with their volumes and addresses and the swarm comes back.
func startCommand() *cli.Command {
	return &cli.Command{
		Name:   "start",
		Usage:  "start a stopped lab and wait until its services converge (same as up)",
		Flags:  upFlags(),
		Action: upAction,
	}
}

func upFlags() []cli.Flag {
	return []cli.Flag{
		specFlag(), allowOutsideFlag(), outFlag(),
		&cli.DurationFlag{Name: "wait", Value: 5 * time.Minute, Usage: "how long nodes and services may take to be ready"},
		&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "print every command bootstrap.sh runs and its output"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print nothing but errors and warnings (no steps, no summary)"},
		&cli.BoolFlag{Name: "dry-run", Usage: "print what would change (as swarmgen plan) and change nothing"},
		&cli.BoolFlag{Name: "force", Usage: "apply changes the plan refuses (e.g. losing manager quorum)"},
	}
}

func upAction(c *cli.Context) error {
	if c.Bool("dry-run") {
		return planAction(c)
	}
	if c.Bool("quiet") && c.Bool("verbose") {
		return userErrorf("--quiet and --verbose contradict each other; give one")
	}
	res, _, err := renderLab(c, false)
	if err != nil {
		return err
	}
	if err := writeFiles(c, outDir(c), res, c.Bool("quiet")); err != nil {
		return err
	}
	if res.Lab.HasBuiltinImages() {
		if err := builtinimage.Prepare(outDir(c)); err != nil {
			return cli.Exit(err.Error(), exitUser)
		}
	}
	err = runner.Up(c.Context, runner.UpOptions{
		Dir: outDir(c), Wait: c.Duration("wait"), Verbose: c.Bool("verbose"), Quiet: c.Bool("quiet"), Force: c.Bool("force"),
		Out: c.App.Writer, TTY: styled(c.App.Writer),
	})
	var se *runner.StepError
	if errors.As(err, &se) {
		return cli.Exit(se.Error(), exitUser)
	}
	return err
}

func downCommand() *cli.Command {
	return &cli.Command{
		Name:  "down",
		Usage: "remove the lab's containers, network and volumes (nothing else)",
		Flags: []cli.Flag{
			specFlag(), allowOutsideFlag(), outFlag(),
			&cli.BoolFlag{Name: "keep-data", Usage: "keep the volumes (registry content, node state)"},
		},
		Action: func(c *cli.Context) error {
			if _, _, err := renderLab(c, true); err != nil {
				return err
			}
			if err := runner.Down(c.Context, outDir(c), c.Bool("keep-data"), c.App.Writer); err != nil {
				return cli.Exit(err.Error(), exitUser)
			}
			return nil
		},
	}
}

func stopCommand() *cli.Command {
	return &cli.Command{
		Name:  "stop",
		Usage: "stop the lab's containers, keeping the swarm (start it again with swarmgen up or start)",
		Flags: []cli.Flag{specFlag(), allowOutsideFlag(), outFlag()},
		Action: func(c *cli.Context) error {
			if _, _, err := renderLab(c, true); err != nil {
				return err
			}
			if err := runner.Stop(c.Context, outDir(c), c.App.Writer); err != nil {
				return cli.Exit(err.Error(), exitUser)
			}
			return nil
		},
	}
}

func listCommand() *cli.Command {
	return &cli.Command{
		Name:  "list",
		Usage: "list every swarmgen lab on this host",
		Flags: []cli.Flag{jsonFlag("[{name, nodes, running, state: running|stopped|degraded, dir}]")},
		Action: func(c *cli.Context) error {
			labs, err := lab.List(c.Context)
			if err != nil {
				return cli.Exit(err.Error(), exitUser)
			}
			if c.Bool("json") {
				return printJSON(c, labs)
			}
			lab.PrintList(c.App.Writer, labs)
			return nil
		},
	}
}

func planCommand() *cli.Command {
	return &cli.Command{
		Name:  "plan",
		Usage: "show what `swarmgen up` would change in the running lab; change nothing",
		Description: `Runs bootstrap.sh, as swarm.yaml renders it now, in plan mode against the
running lab: the very code up runs, printing each change instead of making
it: nodes to add or remove, labels, images to push, networks, stacks and
services to deploy, update or remove. Nothing is written or changed.
Exit 0 whatever the plan; changes that would break the swarm are marked
refused (up refuses them too, unless --force).`,
		Flags: []cli.Flag{specFlag(), allowOutsideFlag(), outFlag(),
			jsonFlag("{actions: [{op: add|change|remove, kind, name, detail}], refused: [...], add, change, remove}")},
		Action: planAction,
	}
}

func planAction(c *cli.Context) error {
	res, _, err := renderLab(c, false)
	if err != nil {
		return err
	}
	var script []byte
	for _, f := range res.Files {
		if f.Path == "bootstrap.sh" {
			script = f.Data
		}
	}
	p, err := runner.Plan(c.Context, outDir(c), script)
	if err != nil {
		return cli.Exit(err.Error(), exitUser)
	}
	if c.Bool("json") {
		return printJSON(c, p)
	}
	p.Print(c.App.Writer, styled(c.App.Writer))
	return nil
}
