package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/swarmgen/swarmgen/internal/exportlogs"
	"github.com/swarmgen/swarmgen/internal/recovery"
	"github.com/swarmgen/swarmgen/internal/runner"
	"github.com/swarmgen/swarmgen/internal/swarmapi"
)

func statusCommand() *cli.Command {
	return &cli.Command{
		Name:  "status",
		Usage: "show nodes (role, leader, state, availability, labels) and services with their tasks",
		Flags: []cli.Flag{
			specFlag(), allowOutsideFlag(), outFlag(), labSelectFlag(),
			jsonFlag("{version, leader, nodes: [{id, name, role, state, availability, leader, reachable, labels}], services: [{name, mode, replicas, desired, running, tasks: [{name, node, state}]}]} (docs/json.md)"),
			&cli.BoolFlag{Name: "wide", Usage: "list every task with its node and state (default: one line per service, tasks counted per node)"},
			&cli.BoolFlag{Name: "watch", Aliases: []string{"w"}, Usage: "redraw every second: nodes as columns, their tasks under them"},
		},
		Action: func(c *cli.Context) error {
			if c.Bool("watch") {
				return watchStatus(c)
			}
			_, cl, err := selectLab(c)
			if err != nil {
				return err
			}
			st, err := cl.Status(c.Context)
			if err != nil {
				return labStateError(err)
			}
			if c.Bool("json") {
				return printJSON(c, st)
			}
			st.Print(c.App.Writer, c.Bool("wide"))
			return nil
		},
	}
}

func recoverCommand() *cli.Command {
	return &cli.Command{
		Name:  "recover",
		Usage: "after a lost quorum, make a surviving manager the sole manager of a new cluster",
		Description: `Runs docker swarm init --force-new-cluster on a running manager when too few
managers are up for a majority. Services and their tasks are kept; the other
managers are removed from the swarm, stopped and their old swarm state wiped,
and the next swarmgen up joins them again as new managers. Asks before acting
unless --yes.`,
		Flags: []cli.Flag{specFlag(), allowOutsideFlag(), outFlag(), labSelectFlag(), &cli.BoolFlag{Name: "yes", Usage: "do not ask"}},
		Action: func(c *cli.Context) error {
			_, cl, err := selectLab(c)
			if err != nil {
				return err
			}
			if cl.MachineEnv != nil {
				return errMachines("swarmgen recover")
			}
			_, err = cl.Leader(c.Context)
			var ql *swarmapi.QuorumLostError
			if !errors.As(err, &ql) {
				if err == nil {
					return userErrorf("the swarm has a leader; nothing to recover")
				}
				return cli.Exit(err.Error(), exitUser)
			}
			addr, err := cl.Address(c.Context, ql.Survivor)
			if err != nil {
				return cli.Exit(err.Error(), exitUser)
			}
			fmt.Fprintf(c.App.Writer, "%s\n\nRun docker swarm init --force-new-cluster on %s? [y/N] ", ql.Error(), ql.Survivor)
			if !c.Bool("yes") {
				answer, _ := bufio.NewReader(os.Stdin).ReadString('\n')
				if a := strings.TrimSpace(strings.ToLower(answer)); a != "y" && a != "yes" {
					return userErrorf("nothing was changed")
				}
			}
			removed, err := recovery.Recover(c.Context, cl, ql.Survivor, addr)
			for _, name := range removed {
				fmt.Fprintf(c.App.Writer, " ✓ manager %s removed from the swarm, its container stopped and its old swarm state wiped\n", name)
			}
			if err != nil {
				return cli.Exit(err.Error(), exitUser)
			}
			fmt.Fprintf(c.App.Writer, "\n ✓ %s now leads a new cluster with the old services\n", ql.Survivor)
			if cl.Endpoint {
				// the context may name a manager that recover stopped
				if err := runner.PointContext(c.Context, cl.Dir, c.App.Writer, c.App.ErrWriter); err != nil {
					return cli.Exit(fmt.Sprintf("the docker context could not be pointed at %s (%v); swarmgen up does it", ql.Survivor, err), exitUser)
				}
			}
			if len(removed) > 0 {
				fmt.Fprintf(c.App.Writer, "Run `swarmgen up` to bring %s back as new managers.\n", strings.Join(removed, ", "))
			}
			return nil
		},
	}
}

func exportLogsCommand() *cli.Command {
	return &cli.Command{
		Name:      "export-logs",
		Usage:     "collect node logs, docker info, swarm state and the generated files for a bug report",
		ArgsUsage: "[DIR or FILE.tar.gz]",
		Flags:     []cli.Flag{specFlag(), allowOutsideFlag(), outFlag(), labSelectFlag()},
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return userErrorf("swarmgen export-logs takes at most one argument, a directory or a FILE.tar.gz; it was given %q", strings.Join(c.Args().Slice(), " "))
			}
			_, cl, err := selectLab(c)
			if err != nil {
				return err
			}
			target := c.Args().First()
			if target == "" {
				target = "swarmgen-logs"
			}
			if err := exportlogs.Export(c.Context, cl, target); err != nil {
				return err
			}
			_, err = c.App.Writer.Write([]byte("logs exported to " + target + "\n"))
			return err
		},
	}
}

// labStateError makes "the lab is down" and "the swarm lost its quorum"
// user errors (exit 1, their own advice); anything else stays as it is.
func labStateError(err error) error {
	var ql *swarmapi.QuorumLostError
	if errors.Is(err, swarmapi.ErrNoManager) || errors.As(err, &ql) {
		return cli.Exit(err.Error(), exitUser)
	}
	return err
}
