// Package endpointdef defines where the lab's Docker endpoint lives: the
// managers' TLS port, the certificates' directory, the docker context's
// name, the addresses a certificate names. It runs nothing, so the
// generator (which writes these into the files) and the runtime side
// (package endpoint, which reads the live port) share it.
package endpointdef

import (
	"path/filepath"
	"strings"
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
// themselves, as they drop the lab's TLS variables.
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

// SANs is the server certificate's subjectAltName (openssl syntax): the
// names the host's clients dial, loopback and the bind address.
func SANs(bindAddress string) string {
	sans := "DNS:localhost,IP:127.0.0.1,IP:::1"
	if a := HostAddr(bindAddress); a != "127.0.0.1" {
		sans += ",IP:" + a
	}
	return sans
}
