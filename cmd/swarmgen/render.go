package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/swarmgen/swarmgen/generator"
	"github.com/swarmgen/swarmgen/generator/model"
	"github.com/swarmgen/swarmgen/generator/output"
	"github.com/swarmgen/swarmgen/internal/version"
)

func renderCommand() *cli.Command {
	return &cli.Command{
		Name:  "render",
		Usage: "write docker-compose.yml, stack/*.yml, bootstrap.sh and teardown.sh",
		Description: `Validates the spec and writes the lab's files. Nothing is written when the
spec has an error. With --check nothing is written at all: the command fails
with a unified diff when the files on disk differ from what render would write.`,
		Flags: []cli.Flag{
			specFlag(), allowOutsideFlag(), outFlag(),
			&cli.BoolFlag{Name: "check", Usage: "exit 1 with a diff if the files on disk are stale"},
		},
		Action: func(c *cli.Context) error {
			res, err := generator.Generate(generator.Options{SpecPath: specPath(c), OutDir: outDir(c), Files: filePolicy(c)})
			if err != nil {
				return err
			}
			printWarnings(c.App.ErrWriter, res.Warnings)
			if c.Bool("check") {
				diff, err := output.Diff(outDir(c), res.Files)
				if err != nil {
					return err
				}
				if diff != "" {
					fmt.Fprint(c.App.Writer, diff)
					return userErrorf("generated files in %s are stale; run `swarmgen render` and commit the result", outDir(c))
				}
				fmt.Fprintf(c.App.Writer, "%d files up to date\n", len(res.Files))
				return nil
			}
			changed, err := output.Write(outDir(c), res.Files)
			if err != nil {
				return writeError(outDir(c), err)
			}
			if note := standaloneNote(res.Lab); note != "" {
				fmt.Fprintln(c.App.ErrWriter, note)
			}
			for _, p := range changed {
				fmt.Fprintf(c.App.Writer, "wrote %s\n", p)
			}
			if len(changed) == 0 {
				fmt.Fprintf(c.App.Writer, "%d files up to date\n", len(res.Files))
			}
			return nil
		},
	}
}

// standaloneNote says when the rendered files alone (bootstrap.sh on a
// machine without swarmgen) cannot bring the lab up: its builtin images are
// made from a base image that no registry has for this swarmgen.
func standaloneNote(l *model.Lab) string {
	if l.BuiltinBase == "" || l.BuiltinBasePublished {
		return ""
	}
	return fmt.Sprintf("note: bootstrap.sh alone builds this lab's builtin images (images[].builtin, visualizer: builtin) FROM %s, which no registry has (this swarmgen, version %s, is no release): it must be in the host's images, where swarmgen up puts it; on another machine, carry it with swarmgen images save and images load.", l.BuiltinBase, version.Module())
}
