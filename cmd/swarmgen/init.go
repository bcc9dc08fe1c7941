package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"text/template"

	"github.com/urfave/cli/v2"

	"github.com/swarmgen/swarmgen/generator/output"
	"github.com/swarmgen/swarmgen/generator/spec"
	"github.com/swarmgen/swarmgen/templates"
)

const schemaFile = "swarm.schema.json"

func initCommand() *cli.Command {
	return &cli.Command{
		Name:  "init",
		Usage: "write a starter swarm.yaml that reproduces the classic lab",
		Description: `Writes swarm.yaml (registry, one manager, three workers, the echo image,
the ch03 network, the ch03-webapi and visualizer stacks and the echo service)
and swarm.schema.json, which editors use to complete and check swarm.yaml.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dir", Value: ".", Usage: "directory to write swarm.yaml into"},
			&cli.BoolFlag{Name: "force", Usage: "overwrite an existing swarm.yaml"},
		},
		Action: func(c *cli.Context) error {
			dir := c.String("dir")
			target := filepath.Join(dir, "swarm.yaml")
			if _, err := os.Stat(target); err == nil && !c.Bool("force") {
				return userErrorf("%s already exists; use --force to overwrite it", target)
			}
			starter, err := starterSpec()
			if err != nil {
				return err
			}
			schema, err := spec.JSONSchema()
			if err != nil {
				return err
			}
			if err := output.WriteAtomic(filepath.Join(dir, schemaFile), append(schema, '\n'), 0o644); err != nil {
				return err
			}
			if err := output.WriteAtomic(target, starter, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "wrote %s and %s\nnext: swarmgen render (or swarmgen up)\n", target, filepath.Join(dir, schemaFile))
			return nil
		},
	}
}

// starterSpec is the commented classic lab.
func starterSpec() ([]byte, error) {
	t, err := template.ParseFS(templates.FS, "swarm.yaml.tmpl")
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = t.Execute(&buf, map[string]string{"SchemaPath": "./" + schemaFile})
	return buf.Bytes(), err
}
