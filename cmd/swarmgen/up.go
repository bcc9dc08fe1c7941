package main

import (
	"errors"
	"time"

	"github.com/swarmgen/swarmgen/generator"
	"github.com/swarmgen/swarmgen/generator/spec"
	"github.com/swarmgen/swarmgen/reconcile"

	"github.com/urfave/cli/v2"

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
		specFlag, allowOutsideFlag, outFlag,
		&cli.DurationFlag{Name: "wait", Value: 5 * time.Minute, Usage: "how long nodes and services may take to be ready"},
		&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "print every command bootstrap.sh runs and its output"},
		&cli.BoolFlag{Name: "dry-run", Usage: "print what would change (as swarmgen plan) and change nothing"},
		&cli.BoolFlag{Name: "force", Usage: "apply changes the plan refuses (e.g. losing manager quorum)"},
	}
}

func upAction(c *cli.Context) error {
	if c.Bool("dry-run") {
		return planAction(c)
	}
	res, cl, err := renderLab(c, false)
	if err != nil {
		return err
	}
	plan, err := computePlan(c, res, cl, true)
	if err != nil {
		return err
	}
	plan = plan.Only("node", "label") // all a nodes-only observation can tell
	if len(plan.Refusals) > 0 && !c.Bool("force") {
		plan.Print(c.App.ErrWriter, isTerminal(c.App.ErrWriter))
		return cli.Exit("nothing was changed", exitUser)
	}
	if hasRemovals(plan) {
		plan.Print(c.App.Writer, isTerminal(c.App.Writer))
	}
	if err := writeFiles(c, c.String("out"), res); err != nil {
		return err
	}
	if res.Spec.Visualizer == spec.VisualizerBuiltin {
		if err := runner.PrepareVisualizer(c.String("out")); err != nil {
			return cli.Exit(err.Error(), exitUser)
		}
	}
	err = runner.Up(c.Context, runner.UpOptions{
		Dir: c.String("out"), Wait: c.Duration("wait"), Verbose: c.Bool("verbose"),
		Out: c.App.Writer, TTY: isTerminal(c.App.Writer),
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
			specFlag, allowOutsideFlag, outFlag,
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

func stopCommand() *cli.Command {
	return &cli.Command{
		Name:  "stop",
		Usage: "stop the lab's containers, keeping the swarm (start it again with swarmgen up or start)",
		Flags: []cli.Flag{specFlag, allowOutsideFlag, outFlag},
		Action: func(c *cli.Context) error {
			if _, _, err := renderLab(c, true); err != nil {
				return err
			}
			if err := runner.Stop(c.Context, c.String("out"), c.App.Writer); err != nil {
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
		Action: func(c *cli.Context) error {
			labs, err := runner.List(c.Context)
			if err != nil {
				return cli.Exit(err.Error(), exitUser)
			}
			runner.PrintList(c.App.Writer, labs)
			return nil
		},
	}
}

func planCommand() *cli.Command {
	return &cli.Command{
		Name:  "plan",
		Usage: "show what `swarmgen up` would change in the running lab; change nothing",
		Description: `Compares swarm.yaml with the running lab: nodes to add or remove, labels,
images to push, networks, stacks and services to deploy, update or remove.
Exit 0 whatever the plan; changes that would break the swarm are marked refused.`,
		Flags:  []cli.Flag{specFlag, allowOutsideFlag, outFlag},
		Action: planAction,
	}
}

func planAction(c *cli.Context) error {
	res, cl, err := renderLab(c, false)
	if err != nil {
		return err
	}
	plan, err := computePlan(c, res, cl, false)
	if err != nil {
		return err
	}
	plan.Print(c.App.Writer, isTerminal(c.App.Writer))
	return nil
}

// computePlan observes the lab; nodesOnly is enough to find refusals and
// removals, and keeps a no-op `up` fast.
func computePlan(c *cli.Context, res *generator.Result, cl runner.Cluster, nodesOnly bool) (reconcile.Plan, error) {
	obs, err := reconcile.Observe(c.Context, res.Lab, cl, nodesOnly)
	var ql *runner.QuorumLostError
	if nodesOnly && errors.As(err, &ql) {
		// up restarts the stopped managers, which restores the quorum
		return reconcile.Plan{}, nil
	}
	if err != nil {
		return reconcile.Plan{}, err
	}
	return reconcile.Diff(res.Lab, obs), nil
}

func hasRemovals(p reconcile.Plan) bool {
	for _, a := range p.Actions {
		if a.Op == '-' {
			return true
		}
	}
	return false
}
