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
)

const (
	// Port is the TCP port the managers' engines listen on inside the lab
	// (2376 is Docker's TLS port).
	Port = 2376
	// CertDir holds the lab's certificates, relative to the generated
	// files: made by bootstrap.sh, mode 0700/0600, ignored by git, never
	// part of a generated or committed file. server/ is mounted read-only
	// into the managers; client/ is DOCKER_CERT_PATH.
	CertDir = ".swarmgen/tls"
	// Mount is where a manager sees CertDir/server.
	Mount = "/etc/swarmgen/tls"
	// ContextPrefix starts the name of the docker context of a lab.
	ContextPrefix = "swarmgen-"
)

// ContextName is the docker context bootstrap.sh registers for the lab
// of that name: swarmgen-NAME, or swarmgen for the unnamed classic lab.
func ContextName(lab string) string {
	if lab == "" {
		return "swarmgen"
	}
	return ContextPrefix + lab
}

// IsLabContext reports whether a docker context name is one swarmgen
// registers for a lab (ContextName). swarmgen env of a lab of machines
// sets DOCKER_CONTEXT to it; swarmgen and bootstrap.sh drop it for
// themselves, as they drop FromLabEnv's variables.
func IsLabContext(name string) bool {
	return name == ContextName("") || strings.HasPrefix(name, ContextPrefix)
}

// ClientCertPath is the directory DOCKER_CERT_PATH names (ca.pem, cert.pem,
// key.pem) for the lab whose files are in dir.
func ClientCertPath(dir string) (string, error) {
	return filepath.Abs(filepath.Join(dir, CertDir, "client"))
}

// HostAddr is the address the host's clients dial: the bind address, or
// loopback when the lab binds every address.
func HostAddr(bindAddress string) string {
	if bindAddress == "" || bindAddress == "0.0.0.0" {
		return "127.0.0.1"
	}
	return bindAddress
}

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

// SANs is the server certificate's subjectAltName (openssl syntax): the
// names the host's clients dial, loopback and the bind address.
func SANs(bindAddress string) string {
	sans := "DNS:localhost,IP:127.0.0.1,IP:::1"
	if a := HostAddr(bindAddress); a != "127.0.0.1" {
		sans += ",IP:" + a
	}
	return sans
}
