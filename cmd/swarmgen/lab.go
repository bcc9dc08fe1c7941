package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/swarmgen/swarmgen/generator"
	"github.com/swarmgen/swarmgen/generator/model"
	"github.com/swarmgen/swarmgen/generator/output"
	"github.com/swarmgen/swarmgen/internal/dockercli"
	"github.com/swarmgen/swarmgen/internal/endpoint"
	"github.com/swarmgen/swarmgen/internal/lab"
	"github.com/swarmgen/swarmgen/internal/swarmapi"
)

// renderLab validates the spec and, when write is set, brings the files
// on disk up to date (only changed files are rewritten).
func renderLab(c *cli.Context, write bool) (*generator.Result, lab.Cluster, error) {
	return renderLabAt(c, specPath(c), outDir(c), write)
}

func renderLabAt(c *cli.Context, file, out string, write bool) (*generator.Result, lab.Cluster, error) {
	res, err := generator.Generate(generator.Options{SpecPath: file, OutDir: out, Files: filePolicy(c)})
	if err != nil {
		return nil, lab.Cluster{}, err
	}
	printWarnings(c.App.ErrWriter, res.Warnings)
	if write {
		if err := writeFiles(c, out, res, false); err != nil {
			return nil, lab.Cluster{}, err
		}
	}
	cl := lab.Cluster{Containers: map[string]string{}, Registry: res.Lab.Registry.ContainerName, Dir: out,
		Endpoint: res.Lab.Endpoint != nil, BindAddress: res.Lab.BindAddress}
	for _, n := range res.Lab.Managers {
		cl.Managers = append(cl.Managers, n.ContainerName)
	}
	for _, n := range res.Lab.Nodes() {
		cl.Containers[n.Name] = n.ContainerName
	}
	if res.Lab.Machines {
		cl.MachineEnv = machineEnv(res.Lab, out)
		cl.Dial = func(name string) swarmapi.Dialer {
			return swarmapi.CLIDialer("the Docker engine of machine "+name, cl.MachineEnv[name])
		}
		if r := res.Lab.Registry.OnMachine; r != nil {
			cl.RegistryMachine = r.Machine
		}
	}
	return res, cl, nil
}

// errMachines refuses a command that acts on node containers in a lab of
// machines, which are no containers of this host's.
func errMachines(cmd string) error {
	return userErrorf("%s acts on the lab's node containers, and this lab's nodes are machines (nodes with an endpoint or a context): swarmgen does not stop or restart machines; use their own tools", cmd)
}

// machineEnv is, for each machine, this process's environment with the
// docker CLI's variables that reach it, as bootstrap.sh sets them.
func machineEnv(l *model.Lab, out string) map[string][]string {
	env := map[string][]string{}
	abs, err := filepath.Abs(out)
	if err != nil {
		abs = out
	}
	for _, n := range l.Nodes() {
		var vars []string
		for _, kv := range n.Machine.Env(filepath.ToSlash(abs)) {
			vars = append(vars, kv.Key+"="+kv.Value)
		}
		env[n.ContainerName] = swarmapi.CLIEnv(vars)
	}
	return env
}

// writeFiles brings the generated files on disk up to date, saying which
// it wrote unless quiet.
func writeFiles(c *cli.Context, out string, res *generator.Result, quiet bool) error {
	changed, err := output.Write(out, res.Files)
	if err != nil {
		return writeError(out, err)
	}
	if quiet {
		return nil
	}
	for _, p := range changed {
		fmt.Fprintf(c.App.ErrWriter, "wrote %s\n", p)
	}
	return nil
}

// styled reports whether output to w may have colour and a spinner: it is a
// terminal, and NO_COLOR (https://no-color.org) is not set. Anything else
// gets plain lines without escape codes.
func styled(w any) bool { return isTerminal(w) && os.Getenv("NO_COLOR") == "" }

// jsonFlag is --json; fields says what the JSON holds, for --help.
func jsonFlag(fields string) cli.Flag {
	return &cli.BoolFlag{Name: "json", Usage: "print JSON for scripts: " + fields}
}

// printJSON writes v as indented JSON.
func printJSON(c *cli.Context, v any) error {
	enc := json.NewEncoder(c.App.Writer)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// isTerminal reports whether f is a terminal (no escape codes otherwise).
// A character device is not enough: /dev/null is one.
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	return ok && term.IsTerminal(int(file.Fd()))
}

// The spec and the directory of generated files are given with -f and -o,
// before the verb (`swarmgen -f lab.yaml status`, as `docker -H ... ps`)
// or after it; after the verb wins. urfave/cli/v2 has no flags inherited
// by subcommands, so both levels define them and labFlag picks. The
// environment is read here rather than through the flags' EnvVars: a flag
// set from the environment would look given on the command line and beat
// a -f given before the verb.
const (
	specEnv     = "SWARMGEN_FILE"
	outEnv      = "SWARMGEN_OUT"
	defaultSpec = "swarm.yaml"
	defaultOut  = "."
)

// specFlag and outFlag are made afresh for each use: urfave/cli keeps
// parse state in a flag value, which must not leak between commands or runs.
func specFlag() cli.Flag {
	return &cli.StringFlag{Name: "file", Aliases: []string{"f"}, Usage: "the lab spec",
		DefaultText: "$" + specEnv + ", else " + defaultSpec}
}

func outFlag() cli.Flag {
	return &cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "directory of the generated files",
		DefaultText: "$" + outEnv + ", else " + defaultOut}
}

// specPath is the spec a command works on.
func specPath(c *cli.Context) string {
	if f := os.Getenv(specEnv); f != "" {
		return labFlag(c, "file", f)
	}
	return labFlag(c, "file", defaultSpec)
}

// outDir is where the lab's generated files are.
func outDir(c *cli.Context) string {
	if d := os.Getenv(outEnv); d != "" {
		return labFlag(c, "out", d)
	}
	return labFlag(c, "out", defaultOut)
}

// labFlag is the value of flag name given on the command line after the
// verb, else before it, else fallback.
func labFlag(c *cli.Context, name, fallback string) string {
	for _, level := range c.Lineage() {
		for _, given := range level.LocalFlagNames() {
			if given == name {
				return level.String(name)
			}
		}
	}
	return fallback
}

// labArgs splits `-f FILE` / `-o DIR` / `--lab NAME` off the front of
// args, for commands that pass everything else through (swarmgen docker);
// file, out and name are what holds when args do not say.
func labArgs(args []string, file, out, name string) (string, string, string, []string) {
	for len(args) >= 2 {
		switch args[0] {
		case "-f", "--file":
			file = args[1]
		case "-o", "--out":
			out = args[1]
		case "--lab":
			name = args[1]
		default:
			return file, out, name, args
		}
		args = args[2:]
	}
	return file, out, name, args
}

// labEnv names a lab for every command that acts on a running one, as
// --lab does (docker compose's COMPOSE_PROJECT_NAME, kind's --name).
const labEnv = "SWARMGEN_LAB"

// labSelectFlag is --lab: a running lab by the name swarmgen list shows.
func labSelectFlag() cli.Flag {
	return &cli.StringFlag{Name: "lab", Usage: "the running lab to act on, by its name in swarmgen list, from any directory (no spec is read)",
		DefaultText: "$" + labEnv + ", else the lab of the spec here"}
}

// labName is the lab --lab or $SWARMGEN_LAB names; "" for the spec's.
func labName(c *cli.Context) string {
	return labFlag(c, "lab", os.Getenv(labEnv))
}

// selectLab is the running lab a command acts on: the one --lab names,
// read from its containers' labels alone (res is nil then), else the lab
// of the spec here, rendered but not written.
func selectLab(c *cli.Context) (*generator.Result, lab.Cluster, error) {
	if name := labName(c); name != "" {
		cl, err := findLab(c, name)
		return nil, cl, err
	}
	return renderLab(c, false)
}

// findLabFiles is findLab for a command that runs the lab's generated
// files: their directory must still hold that lab's (filesOf).
func findLabFiles(c *cli.Context, name string) (lab.Cluster, error) {
	cl, err := findLab(c, name)
	if err != nil {
		return lab.Cluster{}, err
	}
	return cl, filesOf(cl.Dir, name)
}

// findLab is lab.Find, with a name that matches no lab the user's error.
func findLab(c *cli.Context, name string) (lab.Cluster, error) {
	cl, err := lab.Find(c.Context, name)
	var none lab.ErrNoLab
	if errors.As(err, &none) {
		if _, cerr := dockercli.Run(c.Context, "context", "inspect", endpoint.ContextName(name)); cerr == nil {
			// swarmgen's context, without the record a lab of machines has
			return lab.Cluster{}, userErrorf("%v; the docker context %s records no lab: a lab of machines brought up by an older swarmgen (swarmgen up -f its spec records it), or a lab of containers whose containers are gone (docker context rm %s)", err, endpoint.ContextName(name), endpoint.ContextName(name))
		}
		return lab.Cluster{}, userError{err}
	}
	return cl, err
}

// errMachineLab refuses a command --lab pointed at a lab of machines
// that it cannot act on without the lab's spec, saying what to run.
func errMachineLab(cmd, name string, cl lab.Cluster, instead string) error {
	return userErrorf("%s --lab %s: %s is a lab of machines (its files are in %s); %s", cmd, name, name, cl.Dir, instead)
}
