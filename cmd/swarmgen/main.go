// Command swarmgen turns one swarm.yaml into a Docker Swarm lab running in
// Docker-in-Docker containers, and runs it.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/swarmgen/swarmgen/generator/diag"
	"github.com/swarmgen/swarmgen/generator/inputfile"
	"github.com/swarmgen/swarmgen/internal/completion"
	"github.com/swarmgen/swarmgen/internal/endpoint"
	"github.com/swarmgen/swarmgen/internal/version"
)

// Exit codes: 0 ok, 1 the user's input is wrong, 2 swarmgen failed.
const (
	exitUser     = 1
	exitInternal = 2
)

// userError marks an error the user can fix (bad flag, stale files...).
type userError struct{ error }

func userErrorf(format string, args ...any) error {
	return userError{fmt.Errorf(format, args...)}
}

func main() {
	if endpoint.FromLabEnv(os.Getenv("DOCKER_CERT_PATH")) {
		// eval "$(swarmgen env)" points the shell's docker into a lab;
		// swarmgen itself manages labs on the host's engine
		for _, v := range endpoint.Unset {
			os.Unsetenv(v)
		}
	}
	if endpoint.IsLabContext(os.Getenv(endpoint.ContextVar)) {
		// likewise eval "$(swarmgen env)" of a lab of machines
		os.Unsetenv(endpoint.ContextVar)
	}
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	if words, ok := completionWords(args); ok {
		// only completes, before any parsing: nothing typed runs a command
		for _, w := range completion.Candidates(app, words, completion.Sources{Labs: labNames}) {
			fmt.Fprintln(stdout, w)
		}
		return 0
	}
	// urfave/cli exits 3 on an unknown command or help topic; that is a
	// user's error like any other (exit 1).
	var unknown error
	app.CommandNotFound = func(c *cli.Context, name string) {
		cmds := app.Commands
		if c.Command != nil && len(c.Command.Subcommands) > 0 {
			cmds = c.Command.Subcommands
		}
		unknown = unknownCommand(cmds, commandPath(c), name)
	}
	err := app.Run(interspersed(app, args))
	if err == nil && unknown != nil {
		err = unknown
	}
	if err == nil {
		return 0
	}
	var ul diag.List
	var ue userError
	var ec cli.ExitCoder
	switch {
	case errors.As(err, &ul):
		fmt.Fprintln(stderr, ul.Error())
		fmt.Fprintf(stderr, "%s; nothing was written\n", countErrors(ul))
		return exitUser
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "error:", ue.Error())
		return exitUser
	case errors.As(err, &ec):
		if msg := err.Error(); msg != "" {
			fmt.Fprintln(stderr, "error:", msg)
		}
		return ec.ExitCode()
	default:
		fmt.Fprintln(stderr, "error:", err)
		return exitInternal
	}
}

func countErrors(l diag.List) string {
	if n := len(l.Errors()); n != 1 {
		return fmt.Sprintf("%d errors", n)
	}
	return "1 error"
}

func newApp(stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:    "swarmgen",
		Usage:   "a Docker Swarm lab in Docker, from one swarm.yaml",
		Version: version.String(),
		Description: `swarmgen turns one topology spec (swarm.yaml) into a docker-compose.yml of
Docker-in-Docker swarm nodes and a registry, stack files, and a bootstrap.sh
that brings the swarm up.

Examples:
   swarmgen init                 write a starter swarm.yaml (the classic lab)
   swarmgen render               write docker-compose.yml, stack/*.yml, bootstrap.sh
   swarmgen render --check       fail if the committed files are stale (for CI)
   swarmgen validate -f lab.yaml check a spec without writing anything
   swarmgen schema > swarm.schema.json`,
		Writer:         stdout,
		ErrWriter:      stderr,
		Flags:          []cli.Flag{specFlag(), outFlag(), labSelectFlag()}, // before the verb; see labFlag
		ExitErrHandler: func(*cli.Context, error) {},                       // run() reports errors
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			return usageError(c, err)
		},
		Commands: []*cli.Command{
			initCommand(),
			renderCommand(),
			validateCommand(),
			schemaCommand(),
			upCommand(),
			downCommand(),
			stopCommand(),
			startCommand(),
			listCommand(),
			planCommand(),
			recoverCommand(),
			vizCommand(),
			statusCommand(),
			dockerCommand(),
			envCommand(),
			nodeCommand(),
			netCommand(),
			drillCommand(),
			loadCommand(),
			imagesCommand(),
			exportLogsCommand(),
			completionCommand(),
			demoEchoCommand(),
		},
	}
	var onUsage func([]*cli.Command)
	onUsage = func(cmds []*cli.Command) {
		for _, c := range cmds {
			c.OnUsageError = app.OnUsageError // a bad flag is the user's error: exit 1
			onUsage(c.Subcommands)
		}
	}
	onUsage(app.Commands)
	checkArgs("swarmgen", app.Commands)
	return app
}

// allowOutsideFlag lets a trusted spec name files outside its directory.
func allowOutsideFlag() cli.Flag {
	return &cli.BoolFlag{
		Name:    inputfile.AllowOutsideFlag,
		Usage:   "let the spec read stack files and build contexts outside its own directory (only for a spec you trust)",
		EnvVars: []string{"SWARMGEN_ALLOW_OUTSIDE_SPEC_DIR"},
	}
}

// filePolicy is what the user allowed the spec to read.
func filePolicy(c *cli.Context) inputfile.Policy {
	return inputfile.Policy{AllowOutside: c.Bool(inputfile.AllowOutsideFlag) || os.Getenv("SWARMGEN_ALLOW_OUTSIDE_SPEC_DIR") == "1"}
}

// printWarnings shows a spec's warnings, which never stop generation.
func printWarnings(w io.Writer, l diag.List) {
	for _, d := range l.Sorted() {
		fmt.Fprintln(w, d.String())
	}
}
