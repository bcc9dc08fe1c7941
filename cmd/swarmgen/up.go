package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/swarmgen/swarmgen/generator"
	"github.com/swarmgen/swarmgen/generator/shell"
	"github.com/swarmgen/swarmgen/internal/builtinimage"
	"github.com/swarmgen/swarmgen/internal/lab"
	"github.com/swarmgen/swarmgen/internal/plan"
	"github.com/swarmgen/swarmgen/internal/runner"
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
		Usage:  "start a stopped lab with the files it was made from and wait until its services converge",
		Flags:  append(upFlags(), labSelectFlag()),
		Action: startAction,
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
		&cli.IntFlag{Name: "parallel", Value: 1, Usage: "when node containers change, recreate this many workers at once (managers: always one at a time)"},
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
func scriptOf(res *generator.Result) []byte { return fileOf(res, "bootstrap.sh") }

// composeOf is the lab's docker-compose.yml as rendered now (nil: a lab
// of machines has none), which a plan reads instead of the lab's.
func composeOf(res *generator.Result) []byte { return fileOf(res, "docker-compose.yml") }

func fileOf(res *generator.Result, path string) []byte {
	for _, f := range res.Files {
		if f.Path == path {
			return f.Data
		}
	}
	return nil
}

// startAction runs the bootstrap.sh a stopped lab was made from (in the
// directory --lab's labels or -o name), rendering and writing nothing: up
// is the command that applies a changed spec.
func startAction(c *cli.Context) error {
	if c.Bool("dry-run") {
		return planAction(c)
	}
	if c.Bool("quiet") && c.Bool("verbose") {
		return userErrorf("--quiet and --verbose contradict each other; give one")
	}
	dir := outDir(c)
	if name := labName(c); name != "" {
		cl, err := findLabFiles(c, name)
		if err != nil {
			return err
		}
		if cl.MachineEnv != nil {
			return errMachineLab("swarmgen start", name, cl, startMachines(cl.Dir))
		}
		dir = cl.Dir
	} else if _, err := os.Stat(filepath.Join(dir, "bootstrap.sh")); err != nil {
		return userErrorf("no bootstrap.sh in %s: no lab was brought up from here; swarmgen up makes one (swarmgen list shows the labs, swarmgen start --lab NAME starts one)", dir)
	} else if machineFiles(dir) {
		return userErrorf("the files in %s are a lab of machines'; %s", dir, startMachines(dir))
	}
	err := runner.Up(c.Context, runner.UpOptions{
		Dir: dir, Wait: c.Duration("wait"), Verbose: c.Bool("verbose"), Quiet: c.Bool("quiet"), Force: c.Bool("force"), Parallel: c.Int("parallel"),
		Out: c.App.Writer, TTY: styled(c.App.Writer),
	})
	var se *runner.StepError
	if errors.As(err, &se) {
		return cli.Exit(se.Error(), exitUser)
	}
	return err
}

// startMachines says what start is for a lab of machines: nothing to do.
func startMachines(dir string) string {
	return "swarmgen never stops machines, so there is nothing to start: swarmgen up -f its spec -o " + dir + " brings the lab to its spec (asking first, unless --yes)"
}

// filesOf checks that dir holds the generated files of the lab named
// project, which its teardown.sh and bootstrap.sh act on: a directory
// rendered since for another lab must not remove or start that one.
func filesOf(dir, project string) error {
	if _, err := os.Stat(filepath.Join(dir, "teardown.sh")); err != nil {
		return userErrorf("no generated files in %s (%v): no lab was brought up from there; swarmgen list shows the labs and their directories", dir, err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "docker-compose.yml"))
	if err != nil {
		// a lab of machines has no compose file: its bootstrap.sh names it
		if machineFiles(dir) && !headerHas(dir, "LAB="+shell.Quote(project)) {
			return userErrorf("the files in %s are no longer those of lab %s; run swarmgen down -f its spec where they are now", dir, project)
		}
		return nil
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "name: "); ok {
			if got := strings.Trim(v, `"'`); got != project {
				return userErrorf("the files in %s are now those of lab %s, not of lab %s; run swarmgen there (swarmgen up brings %s back), or docker compose -p %s down", dir, got, project, got, project)
			}
			return nil
		}
	}
	return nil
}

// machineFiles reports whether dir's bootstrap.sh is a lab of machines'.
func machineFiles(dir string) bool { return headerHas(dir, "PROVIDER=machines") }

// headerHas reports whether a line of the data header of dir's
// bootstrap.sh (before its runtime) is line.
func headerHas(dir, line string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "bootstrap.sh"))
	if err != nil {
		return false
	}
	header, _, _ := strings.Cut(string(b), "\n# --- runtime")
	return slices.Contains(strings.Split(header, "\n"), line)
}

// notTakenOver refuses a lab of the same name made from another directory:
// up would recreate some of its containers from this directory's files
// and leave the rest, and plan would read its swarm as this spec's (kind
// refuses likewise: "node(s) already exist for a cluster with the name").
func notTakenOver(c *cli.Context, project string) error {
	labs, err := lab.List(c.Context)
	if err != nil {
		return nil // no engine to ask: the script says so in its own words
	}
	here, err := filepath.Abs(outDir(c))
	if err != nil {
		return err
	}
	for _, l := range labs {
		if l.Name != project || l.Dir == "" || filepath.Clean(l.Dir) == here {
			continue
		}
		if same, err := sameDir(l.Dir, here); err == nil && same {
			continue
		}
		return userErrorf("a lab named %s already runs, made from %s, not from %s: run `swarmgen down` there (or swarmgen down --lab %s) first, or give this spec another name", project, l.Dir, here, project)
	}
	return nil
}

// sameDir reports whether two paths are one directory (through symlinks).
func sameDir(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(fa, fb), nil
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
	if err := notTakenOver(c, res.Lab.Project); err != nil {
		return err
	}
	// the builtin images' binary is found (or built into a cache) before
	// anything of the lab is written: without it, up changes nothing
	var builtinBinary string
	if res.Lab.HasBuiltinImages() {
		h := builtinimage.Detect()
		if res.Lab.Machines {
			// the images run on the machines: their engine's architecture
			h.Env = machineEnv(res.Lab, outDir(c))[res.Lab.Managers[0].ContainerName]
		}
		if builtinBinary, err = builtinimage.Resolve(c.Context, h); err != nil {
			return cli.Exit(err.Error(), exitUser)
		}
	}
	if err := writeFiles(c, outDir(c), res, c.Bool("quiet")); err != nil {
		return err
	}
	if builtinBinary != "" {
		// the base the builtin images are built FROM, holding this swarmgen
		if err := builtinimage.BuildBase(c.Context, res.Lab.BuiltinBase, builtinBinary); err != nil {
			return cli.Exit(err.Error(), exitUser)
		}
	}
	if res.Lab.Machines && !c.Bool("yes") {
		// machines are not swarmgen's to change unasked: the plan first
		p, err := runner.Plan(c.Context, outDir(c), scriptOf(res), composeOf(res))
		if err != nil {
			return cli.Exit(err.Error(), exitUser)
		}
		if !p.Empty() || len(p.Refusals) > 0 {
			if err := confirm(c, p, "this lab's nodes are machines and up would change them (the plan is above)", "Apply this plan to the machines?"); err != nil {
				return err
			}
		}
	}
	err = runner.Up(c.Context, runner.UpOptions{
		Dir: outDir(c), Wait: c.Duration("wait"), Verbose: c.Bool("verbose"), Quiet: c.Bool("quiet"), Force: c.Bool("force"), Parallel: c.Int("parallel"),
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
			specFlag(), allowOutsideFlag(), outFlag(), labSelectFlag(),
			&cli.BoolFlag{Name: "keep-data", Usage: "keep the volumes (registry content, node state)"},
			yesFlag("a lab of machines: remove without asking"),
		},
		Action: func(c *cli.Context) error {
			dir := outDir(c)
			var machines bool
			var script []byte // the bootstrap.sh whose down --plan a lab of machines shows
			if name := labName(c); name != "" {
				// exactly that lab: the teardown.sh of its directory, if it is
				// still that lab's; a lab of machines' bootstrap.sh is there
				// as its up left it
				cl, err := findLabFiles(c, name)
				if err != nil {
					return err
				}
				dir, machines = cl.Dir, cl.MachineEnv != nil
				if machines {
					if script, err = os.ReadFile(filepath.Join(dir, "bootstrap.sh")); err != nil {
						return userErrorf("lab %s: %v; swarmgen down -f its spec removes it", name, err)
					}
				}
			} else {
				res, _, err := renderLab(c, false)
				if err != nil {
					return err
				}
				if err := filesOf(dir, res.Lab.Project); err != nil {
					return err
				}
				machines, script = res.Lab.Machines, scriptOf(res)
			}
			if machines {
				if c.Bool("keep-data") {
					return userErrorf("--keep-data is for a lab of containers: down on machines removes all that swarmgen put there")
				}
				if !c.Bool("yes") {
					p, err := runner.DownPlan(c.Context, dir, script)
					if err != nil {
						return cli.Exit(err.Error(), exitUser)
					}
					if err := confirm(c, p, "this lab's nodes are machines and down would change them (the plan is above)", "Remove all this from the machines?"); err != nil {
						return err
					}
				}
			}
			if err := runner.Down(c.Context, dir, c.Bool("keep-data"), c.App.Writer); err != nil {
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
		Flags: []cli.Flag{specFlag(), allowOutsideFlag(), outFlag(), labSelectFlag()},
		Action: func(c *cli.Context) error {
			name := labName(c)
			if name == "" {
				res, cl, err := renderLab(c, false)
				if err != nil {
					return err
				}
				if cl.MachineEnv != nil {
					return errMachines("swarmgen stop")
				}
				name = res.Lab.Project
			} else if cl, err := findLab(c, name); err != nil {
				return err
			} else if cl.MachineEnv != nil {
				return errMachines("swarmgen stop")
			}
			if err := runner.Stop(c.Context, name, c.App.Writer); err != nil {
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
		Flags: []cli.Flag{jsonFlag("[{name, kind: containers|machines, nodes, running, state: running|stopped|degraded|unknown, dir, endpoint}]")},
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
	if err := notTakenOver(c, res.Lab.Project); err != nil {
		return err
	}
	p, err := runner.Plan(c.Context, outDir(c), scriptOf(res), composeOf(res))
	if err != nil {
		return cli.Exit(err.Error(), exitUser)
	}
	if c.Bool("json") {
		return printJSON(c, p)
	}
	p.Print(c.App.Writer, styled(c.App.Writer))
	return nil
}
