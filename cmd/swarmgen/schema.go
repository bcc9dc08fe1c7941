package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/swarmgen/swarmgen/generator/spec"
)

func schemaCommand() *cli.Command {
	return &cli.Command{
		Name:  "schema",
		Usage: "print the JSON Schema of swarm.yaml, for editors",
		Action: func(c *cli.Context) error {
			s, err := spec.JSONSchema()
			if err != nil {
				return err
			}
			fmt.Fprintln(c.App.Writer, string(s))
			return nil
		},
	}
}
