package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
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
			starter, err := starterSpec(freeRegistryPort(registryPortFrom))
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

// starterSpec is the commented classic lab, its registry published on
// registryPort.
func starterSpec(registryPort int) ([]byte, error) {
	t, err := template.ParseFS(templates.FS, "swarm.yaml.tmpl")
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = t.Execute(&buf, map[string]any{"SchemaPath": "./" + schemaFile, "RegistryPort": registryPort, "RegistryPortFrom": registryPortFrom})
	return buf.Bytes(), err
}

// registryPortFrom is the registry's classic port, the first init tries.
// Since macOS 12 the AirPlay Receiver holds it on most Macs.
const registryPortFrom = 5000

// portFree says whether the host can publish port; tests replace it.
var portFree = func(port int) bool {
	// the wildcard and the default bind address: on macOS a listener on
	// 127.0.0.1 succeeds beside one on *:5000 (SO_REUSEADDR), Docker's
	// publishing of it then fails
	for _, host := range []string{"0.0.0.0", spec.DefaultBindAddress} {
		l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			return false
		}
		l.Close()
	}
	return true
}

// freeRegistryPort is the first port from `from` up that the host can
// publish (from itself when none of the next 100 is).
func freeRegistryPort(from int) int {
	for p := from; p < from+100; p++ {
		if portFree(p) {
			return p
		}
	}
	return from
}
