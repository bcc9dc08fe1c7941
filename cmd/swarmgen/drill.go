package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"

	"github.com/swarmgen/swarmgen/internal/drill"
)

// exitDrillFailed: the drill ran, and the swarm did otherwise than it
// expects (exit 1 and 2 keep their meaning: bad input, swarmgen failed).
const exitDrillFailed = 3

func drillCommand() *cli.Command {
	var list []string
	for _, d := range drill.Drills {
		list = append(list, fmt.Sprintf("   %-17s %s", d.Name, d.Usage))
	}
	return &cli.Command{
		Name:      "drill",
		Usage:     "run a guided failure drill: inject a fault, watch the swarm, heal, check the outcome",
		ArgsUsage: "NAME",
		Description: `Injects a fault into the running lab, watches the swarm through the Engine API,
heals, and prints a timeline with measured outcomes. Each drill checks its own
expectations (e.g. a new leader within 30s) and exits 3 when the swarm did
otherwise, so it can run in class or in CI (--json for scripts). The drills:
` + strings.Join(list, "\n") + `
docs/drills.md says what each teaches and how to read its timeline.`,
		Flags: []cli.Flag{specFlag(), allowOutsideFlag(), outFlag(),
			jsonFlag("{drill, passed, timeline: [{at_s, event}], checks: [{expect, ok, measured}], measures_s}"),
			&cli.StringFlag{Name: "image", Usage: "image of the service worker-partition deploys (default: the image of a service of the swarm)"},
		},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error { return userError{err} },
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return userErrorf("swarmgen drill takes the name of a drill: %s", strings.Join(drillNames(), ", "))
			}
			d, err := drill.Find(c.Args().First())
			if err != nil {
				return userError{err}
			}
			res, cl, err := renderLab(c, false)
			if err != nil {
				return err
			}
			if res.Lab.Machines {
				return userErrorf("swarmgen drill %s cuts the network of the lab's node containers or stops them, and this lab's nodes are machines (endpoint or context in the spec): that is not a lab's business on real machines", d.Name)
			}
			// the drill's faults are recorded as net's are (the visualizer
			// shows them), in order but beside the drill: a record waits for
			// a leader, and the drill measures how long the swarm takes
			record, recorded := inOrder(faultRecorder(c, cl))
			defer recorded()
			l := drill.Lab{Net: netLabOf(res), Swarm: cl.Swarm(), Containers: cl.Containers, Image: c.String("image"),
				Plan: planRunner(c)}
			l.Net.Record = record
			for _, n := range res.Lab.Managers {
				l.Managers = append(l.Managers, n.Name)
			}
			for _, n := range res.Lab.Workers {
				l.Workers = append(l.Workers, n.Name)
			}
			if !c.Bool("json") {
				l.Live = c.App.Writer
				fmt.Fprintf(c.App.Writer, "drill %s: %s\n", d.Name, d.Usage)
			}
			rep, err := d.Run(c.Context, l)
			if err != nil {
				return cli.Exit("drill "+d.Name+": "+err.Error(), exitUser)
			}
			if c.Bool("json") {
				if err := printJSON(c, rep); err != nil {
					return err
				}
			} else {
				rep.Print(c.App.Writer, false)
			}
			if !rep.Passed {
				return cli.Exit("", exitDrillFailed)
			}
			return nil
		},
	}
}

func drillNames() []string {
	var names []string
	for _, d := range drill.Drills {
		names = append(names, d.Name)
	}
	return names
}

// planRunner runs this swarmgen's plan on the same lab.
func planRunner(c *cli.Context) func(context.Context) (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	return func(ctx context.Context) (string, error) {
		out, err := exec.CommandContext(ctx, exe, "plan", "-f", specPath(c), "-o", outDir(c)).CombinedOutput()
		return string(out), err
	}
}

// inOrder runs record's calls one after another on a goroutine of their
// own, so that the caller does not wait for them; wait waits until every
// call made before it has returned.
func inOrder(record func(context.Context, map[string]map[string]string)) (rec func(context.Context, map[string]map[string]string), wait func()) {
	type call struct {
		ctx    context.Context
		labels map[string]map[string]string
	}
	calls := make(chan call, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for c := range calls {
			record(c.ctx, c.labels)
		}
	}()
	var once sync.Once
	return func(ctx context.Context, labels map[string]map[string]string) {
			calls <- call{context.WithoutCancel(ctx), labels}
		}, func() {
			once.Do(func() { close(calls) })
			<-done
		}
}
