package main

import (
	"encoding/json"
	"errors"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/swarmgen/swarmgen/runner"
)

func statusCommand() *cli.Command {
	return &cli.Command{
		Name:  "status",
		Usage: "show nodes (role, leader, state, availability, labels) and services with their tasks",
		Flags: []cli.Flag{specFlag, outFlag, &cli.BoolFlag{Name: "json", Usage: "print JSON for scripts"}},
		Action: func(c *cli.Context) error {
			_, cl, err := renderLab(c, false)
			if err != nil {
				return err
			}
			st, err := cl.Status(c.Context)
			if errors.Is(err, runner.ErrNoManager) {
				return cli.Exit(err.Error(), exitUser)
			}
			if err != nil {
				return err
			}
			if c.Bool("json") {
				enc := json.NewEncoder(c.App.Writer)
				enc.SetIndent("", "  ")
				return enc.Encode(st)
			}
			st.Print(c.App.Writer)
			return nil
		},
	}
}

func dockerCommand() *cli.Command {
	return &cli.Command{
		Name:            "docker",
		Usage:           "run a docker command on the leading manager, e.g. swarmgen docker service scale echo=6",
		ArgsUsage:       "[-f swarm.yaml] [-o DIR] ARGS...",
		SkipFlagParsing: true,
		Action: func(c *cli.Context) error {
			file, out, args := labArgs(c.Args().Slice())
			_, cl, err := renderLabAt(c, file, out, false)
			if err != nil {
				return err
			}
			err = cl.Docker(c.Context, args, os.Stdin, c.App.Writer, c.App.ErrWriter, isTerminal(os.Stdin) && isTerminal(c.App.Writer))
			var ee interface{ ExitCode() int }
			if errors.As(err, &ee) {
				return cli.Exit("", ee.ExitCode()) // docker already said why
			}
			if errors.Is(err, runner.ErrNoManager) {
				return cli.Exit(err.Error(), exitUser)
			}
			return err
		},
	}
}

func exportLogsCommand() *cli.Command {
	return &cli.Command{
		Name:      "export-logs",
		Usage:     "collect node logs, docker info, swarm state and the generated files for a bug report",
		ArgsUsage: "[DIR or FILE.tar.gz]",
		Flags:     []cli.Flag{specFlag, outFlag},
		Action: func(c *cli.Context) error {
			_, cl, err := renderLab(c, false)
			if err != nil {
				return err
			}
			target := c.Args().First()
			if target == "" {
				target = "swarmgen-logs"
			}
			if err := cl.ExportLogs(c.Context, target); err != nil {
				return err
			}
			_, err = c.App.Writer.Write([]byte("logs exported to " + target + "\n"))
			return err
		},
	}
}
