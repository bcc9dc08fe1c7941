// Package dockercli runs the host's docker command for the packages that
// change a lab (stop, recover, node ops) or copy what docker prints
// (export-logs), with docker's own error text in the error.
package dockercli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
)

// Run runs docker args and returns its standard output; a failure says
// the command and what docker wrote to standard error.
func Run(ctx context.Context, args ...string) (string, error) {
	return RunEnv(ctx, nil, args...)
}

// RunEnv is Run with the command's environment (nil: this process's), e.g.
// a machine's DOCKER_HOST.
func RunEnv(ctx context.Context, env []string, args ...string) (string, error) {
	return run(ctx, env, nil, args)
}

// RunInput is Run with stdin as the command's standard input (docker exec
// -i CONTAINER iptables-restore).
func RunInput(ctx context.Context, stdin string, args ...string) (string, error) {
	return run(ctx, nil, strings.NewReader(stdin), args)
}

func run(ctx context.Context, env []string, stdin io.Reader, args []string) (string, error) {
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Env = env
	cmd.Stdin = stdin
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("docker %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// On runs a docker command against a node's own engine (docker exec
// CONTAINER docker ARGS).
func On(ctx context.Context, container string, args ...string) (string, error) {
	return Run(ctx, append([]string{"exec", container, "docker"}, args...)...)
}
