package main

import (
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/swarmgen/swarmgen/internal/echoserver"
)

// demoEchoCommand is what the builtin echo image runs (images[].builtin:
// echo): hidden, since users run it as an image, not as a command.
func demoEchoCommand() *cli.Command {
	return &cli.Command{
		Name:   "demo-echo",
		Usage:  "serve the classic lab's echo app on $ECHO_ADDR (default :8080)",
		Hidden: true,
		Action: func(c *cli.Context) error {
			ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
			defer stop()
			return echoserver.Run(ctx)
		},
	}
}
