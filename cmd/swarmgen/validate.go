package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/swarmgen/swarmgen/generator"
)

func validateCommand() *cli.Command {
	return &cli.Command{
		Name:  "validate",
		Usage: "check a spec and its stack files without writing anything",
		Flags: []cli.Flag{specFlag(), allowOutsideFlag()},
		Action: func(c *cli.Context) error {
			res, err := generator.Generate(generator.Options{SpecPath: specPath(c), OutDir: ".", Files: filePolicy(c)})
			if err != nil {
				return err
			}
			printWarnings(c.App.ErrWriter, res.Warnings)
			fmt.Fprintf(c.App.Writer, "%s is valid: %d manager(s), %d worker(s), %d stack(s), %d service(s)\n",
				specPath(c), len(res.Lab.Managers), len(res.Lab.Workers), len(res.Lab.Stacks), len(res.Lab.Services))
			return nil
		},
	}
}
