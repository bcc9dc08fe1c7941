// Package endpoint is the lab's Docker endpoint for the host's own tools:
// each manager's engine also listens on TCP with mutual TLS, published on
// the lab's bind address at a port docker picks (so two labs never clash
// and the generated files stay deterministic). The constants here are the
// one definition of where that lives; the generated files get them from
// the model, and swarmgen env / swarmgen docker read the live port.
package endpoint

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"

	"github.com/swarmgen/swarmgen/internal/dockercli"
	"github.com/swarmgen/swarmgen/internal/endpointdef"
)

// The endpoint's definition, from internal/endpointdef (which the
// generator shares: it runs nothing).
const (
	Port          = endpointdef.Port
	CertDir       = endpointdef.CertDir
	Mount         = endpointdef.Mount
	ContextPrefix = endpointdef.ContextPrefix
)

// ContextName, IsLabContext, ClientCertPath, HostAddr and SANs: see
// internal/endpointdef.
var (
	ContextName    = endpointdef.ContextName
	IsLabContext   = endpointdef.IsLabContext
	ClientCertPath = endpointdef.ClientCertPath
	HostAddr       = endpointdef.HostAddr
	SANs           = endpointdef.SANs
)

// Env is what a docker client needs to reach the lab.
type Env struct {
	Host     string // tcp://ADDR:PORT
	CertPath string // DOCKER_CERT_PATH
}

// Vars are the environment variables that point a docker client at the
// lab, in the order swarmgen env prints them.
func (e Env) Vars() [][2]string {
	return [][2]string{{"DOCKER_HOST", e.Host}, {"DOCKER_TLS_VERIFY", "1"}, {"DOCKER_CERT_PATH", e.CertPath}}
}

// Unset are the variables swarmgen env sets and --unset clears for a lab
// of containers; a lab of machines sets ContextVar alone.
var Unset = []string{"DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"}

// ContextVar names the docker context the docker CLI uses.
const ContextVar = "DOCKER_CONTEXT"

// FromLabEnv reports whether the docker environment was set by swarmgen
// env (DOCKER_CERT_PATH is a lab's client certificates). swarmgen and
// bootstrap.sh manage labs on the host's engine, so they drop it for
// themselves: after eval "$(swarmgen env)", swarmgen status still works.
func FromLabEnv(certPath string) bool {
	return strings.HasSuffix(filepath.ToSlash(filepath.Clean(certPath)), "/"+CertDir+"/client")
}

// Lookup finds the endpoint of a manager container on the host's engine:
// the host port docker published for Port.
func Lookup(ctx context.Context, container, bindAddress, dir string) (Env, error) {
	out, err := dockercli.Run(ctx, "port", container, fmt.Sprintf("%d/tcp", Port))
	if err != nil {
		return Env{}, fmt.Errorf("manager %s publishes no Docker endpoint (port %d): is the lab up with docker_endpoint on? run `swarmgen up`", container, Port)
	}
	port := ""
	for _, line := range strings.Fields(out) { // 127.0.0.1:49153 [::]:49153
		if _, p, err := net.SplitHostPort(line); err == nil {
			port = p
			break
		}
	}
	if port == "" {
		return Env{}, fmt.Errorf("docker port %s %d/tcp: no host port in %q", container, Port, strings.TrimSpace(out))
	}
	certs, err := ClientCertPath(dir)
	if err != nil {
		return Env{}, err
	}
	return Env{Host: "tcp://" + net.JoinHostPort(HostAddr(bindAddress), port), CertPath: certs}, nil
}
