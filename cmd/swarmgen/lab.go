package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/swarmgen/swarmgen/generator"
	"github.com/swarmgen/swarmgen/generator/output"
	"github.com/swarmgen/swarmgen/runner"
)

// renderLab validates the spec and, when write is set, brings the files
// on disk up to date (only changed files are rewritten).
func renderLab(c *cli.Context, write bool) (*generator.Result, runner.Cluster, error) {
	return renderLabAt(c, c.String("file"), c.String("out"), write)
}

func renderLabAt(c *cli.Context, file, out string, write bool) (*generator.Result, runner.Cluster, error) {
	res, err := generator.Generate(generator.Options{SpecPath: file, OutDir: out, Files: filePolicy(c)})
	if err != nil {
		return nil, runner.Cluster{}, err
	}
	printWarnings(c.App.ErrWriter, res.Warnings)
	if write {
		if err := writeFiles(c, out, res); err != nil {
			return nil, runner.Cluster{}, err
		}
	}
	cl := runner.Cluster{Containers: map[string]string{}, Registry: res.Lab.Registry.ContainerName, Dir: out}
	for _, n := range res.Lab.Managers {
		cl.Managers = append(cl.Managers, n.ContainerName)
	}
	for _, n := range res.Lab.Nodes() {
		cl.Containers[n.Name] = n.ContainerName
	}
	return res, cl, nil
}

// writeFiles brings the generated files on disk up to date.
func writeFiles(c *cli.Context, out string, res *generator.Result) error {
	changed, err := output.Write(out, res.Files)
	if err != nil {
		return err
	}
	for _, p := range changed {
		fmt.Fprintf(c.App.ErrWriter, "wrote %s\n", p)
	}
	return nil
}

// isTerminal reports whether f is a terminal (no escape codes otherwise).
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	if !ok {
		return false
	}
	st, err := file.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// labArgs splits `-f FILE` / `-o DIR` off the front of args, for commands
// that pass everything else through (swarmgen docker).
func labArgs(args []string) (file, out string, rest []string) {
	file, out = os.Getenv("SWARMGEN_FILE"), "."
	if file == "" {
		file = "swarm.yaml"
	}
	for len(args) >= 2 {
		switch args[0] {
		case "-f", "--file":
			file = args[1]
		case "-o", "--out":
			out = args[1]
		default:
			return file, out, args
		}
		args = args[2:]
	}
	return file, out, args
}
