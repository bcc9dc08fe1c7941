package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/swarmgen/swarmgen/builtinimage"
	"github.com/swarmgen/swarmgen/generator"
	"github.com/swarmgen/swarmgen/lab"
	"github.com/swarmgen/swarmgen/plan"
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
		yesFlag("a lab of machines: apply the plan without asking"),
	}
}

func yesFlag(usage string) cli.Flag {
	return &cli.BoolFlag{Name: "yes", Aliases: []string{"y"}, Usage: usage}
}

// confirm asks, on a terminal, whether to go on with what p shows; without
// one it refuses, since nobody can answer: --yes says it beforehand.
func confirm(c *cli.Context, p plan.Plan, what, question string) error {
	p.Print(c.App.Writer, styled(c.App.Writer))
	if !isTerminal(os.Stdin) {
		return userErrorf("%s; pass --yes to go on without asking (stdin is not a terminal: nobody can answer)", what)
	}
	fmt.Fprintf(c.App.Writer, "%s [y/N] ", question)
	answer, _ := bufio.NewReader(os.Stdin).ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
		return userErrorf("nothing was changed")
	}
	return nil
}

// scriptOf is the rendered bootstrap.sh.
func scriptOf(res *generator.Result) []byte {
	for _, f := range res.Files {
		if f.Path == "bootstrap.sh" {
			return f.Data
		}
	}
	return nil
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
	if res.Lab.Machines && !c.Bool("yes") {
		// machines are not swarmgen's to change unasked: the plan first
		p, err := runner.Plan(c.Context, outDir(c), scriptOf(res))
		if err != nil {
			return cli.Exit(err.Error(), exitUser)
		}
		if !p.Empty() || len(p.Refusals) > 0 {
			if err := confirm(c, p, "this lab's nodes are machines and up would change them (the plan is above)", "Apply this plan to the machines?"); err != nil {
				return err
			}
		}
	}
	warnFaults(c.Context, c.App.ErrWriter, res)
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
			yesFlag("a lab of machines: remove without asking"),
		},
		Action: func(c *cli.Context) error {
			res, _, err := renderLab(c, true)
			if err != nil {
				return err
			}
			if res.Lab.Machines {
				if c.Bool("keep-data") {
					return userErrorf("--keep-data is for a lab of containers: down on machines removes all that swarmgen put there")
				}
				if !c.Bool("yes") {
					p, err := runner.DownPlan(c.Context, outDir(c), scriptOf(res))
					if err != nil {
						return cli.Exit(err.Error(), exitUser)
					}
					if err := confirm(c, p, "this lab's nodes are machines and down would change them (the plan is above)", "Remove all this from the machines?"); err != nil {
						return err
					}
				}
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
			_, cl, err := renderLab(c, true)
			if err != nil {
				return err
			}
			if cl.MachineEnv != nil {
				return errMachines("swarmgen stop")
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
	p, err := runner.Plan(c.Context, outDir(c), scriptOf(res))
	if err != nil {
		return cli.Exit(err.Error(), exitUser)
	}
	if c.Bool("json") {
		return printJSON(c, p)
	}
	p.Print(c.App.Writer, styled(c.App.Writer))
	return nil
}
