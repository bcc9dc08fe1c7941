package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/swarmgen/swarmgen/endpoint"
	"github.com/swarmgen/swarmgen/generator/shell"
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
The certificates stay in the lab's .swarmgen/tls; nothing secret is printed.`,
		Flags: []cli.Flag{specFlag(), allowOutsideFlag(), outFlag(),
			&cli.BoolFlag{Name: "unset", Usage: "print the lines that undo it"}},
		Action: func(c *cli.Context) error {
			w := c.App.Writer
			if c.Bool("unset") {
				fmt.Fprintf(w, "unset %s\n", strings.Join(endpoint.Unset, " "))
				return nil
			}
			_, cl, err := renderLab(c, false)
			if err != nil {
				return err
			}
			if cl.MachineEnv != nil {
				// the host's docker builds and saves the lab's images: it
				// stays pointed at the host's engine
				return userErrorf("this lab's nodes are machines, each a Docker endpoint already: use swarmgen docker ARGS (the leading manager's engine), or docker with that machine's endpoint or context from the spec")
			}
			env, err := cl.Env(c.Context)
			if err != nil {
				return labStateError(err)
			}
			for _, kv := range env.Vars() {
				fmt.Fprintf(w, "export %s=%s\n", kv[0], shell.Quote(kv[1]))
			}
			fmt.Fprintf(w, "# Run this command to configure your shell:\n# eval \"$(swarmgen env)\"\n")
			return nil
		},
	}
}
