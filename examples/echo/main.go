// Command echo is the classic "echo" demo application of the Docker/Swarm
// tutorials (image yutsuki/echo:latest): an HTTP server on :8080 that answers
// every request with a line naming the host (the container) that served it.
// swarmgen carries the same program (images: [{builtin: echo}]); this
// command is the e2e's stand-in for the Docker Hub image.
//
// The end-to-end test builds it with CGO_ENABLED=0 into a FROM scratch image
// (see examples/echo/Dockerfile and e2e/provision.sh).
package main

import (
	"context"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/swarmgen/swarmgen/internal/echoserver"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := echoserver.Run(ctx); err != nil {
		log.Fatal(err)
	}
}
