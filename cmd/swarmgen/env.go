package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/swarmgen/swarmgen/generator/shell"
	"github.com/swarmgen/swarmgen/internal/dockercli"
	"github.com/swarmgen/swarmgen/internal/endpoint"
)

func envCommand() *cli.Command {
	return &cli.Command{
		Name:  "env",
		Usage: `print the shell exports that point docker at the lab: eval "$(swarmgen env)"`,
		Description: `Prints DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH for the lab's
Docker endpoint on the manager that leads the swarm now, as export lines for
sh, bash and zsh (as minikube docker-env does):
   eval "$(swarmgen env)"      # docker ... now talks to the lab
   eval "$(swarmgen env --unset)"
For a lab of machines it prints DOCKER_CONTEXT=swarmgen-NAME instead: the
docker context swarmgen up points at the leading manager machine (its tcp
endpoint with its TLS files, its ssh endpoint, or its own context's), which
works alike for every kind of machine and follows the leader on each up.
The certificates stay where they are; nothing secret is printed.`,
		Flags: []cli.Flag{specFlag(), allowOutsideFlag(), outFlag(), labSelectFlag(),
			&cli.BoolFlag{Name: "unset", Usage: "print the lines that undo it"}},
		Action: func(c *cli.Context) error {
			w := c.App.Writer
			if c.Bool("unset") {
				// needs no spec: without one it undoes a lab of containers'
				vars := endpoint.Unset
				if name := labName(c); name != "" {
					cl, err := findLab(c, name)
					if err != nil {
						return err
					}
					if cl.MachineEnv != nil {
						vars = []string{endpoint.ContextVar}
					}
				} else if res, _, err := renderLab(c, false); err == nil && res.Lab.Machines {
					vars = []string{endpoint.ContextVar}
				}
				fmt.Fprintf(w, "unset %s\n", strings.Join(vars, " "))
				return nil
			}
			res, cl, err := selectLab(c)
			if err != nil {
				return err
			}
			if cl.MachineContext != "" || (res != nil && res.Lab.Machines) {
				// the context, not the leader's own variables: one answer for
				// tcp, ssh and context machines, kept pointed by swarmgen up
				name := cl.MachineContext
				if res != nil {
					name = res.Lab.MachineContext
				}
				if _, err := dockercli.Run(c.Context, "context", "inspect", name); err != nil {
					return userErrorf("no docker context %s on this host: swarmgen up registers it (pointed at the leading manager machine); run swarmgen up", name)
				}
				fmt.Fprintf(w, "export %s=%s\n", endpoint.ContextVar, shell.Quote(name))
				printEvalHint(c)
				return nil
			}
			env, err := cl.Env(c.Context)
			if err != nil {
				return labStateError(err)
			}
			for _, kv := range env.Vars() {
				fmt.Fprintf(w, "export %s=%s\n", kv[0], shell.Quote(kv[1]))
			}
			printEvalHint(c)
			return nil
		},
	}
}

// printEvalHint says how to use the exports, with the --lab they were
// printed for.
func printEvalHint(c *cli.Context) {
	cmd := "swarmgen env"
	if name := labName(c); name != "" {
		cmd += " --lab " + shell.Quote(name)
	}
	fmt.Fprintf(c.App.Writer, "# Run this command to configure your shell:\n# eval \"$(%s)\"\n", cmd)
}
