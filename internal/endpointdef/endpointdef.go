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

// A lab of machines has no container to carry labels: the host's docker
// context of the lab (ContextName) is its record on this host, written by
// bootstrap.sh's docker-context step and removed by its down. Its
// description is MachinesRecord, then space-separated fields KEY=VALUE:
// the lab's name, the machine the context reaches (the leading manager at
// the last up), what tells a change of that endpoint (a certificate's
// checksum, the machine's own context), and last the absolute directory
// of the lab's generated files, which may hold spaces. swarmgen list shows
// it and --lab finds the lab by it, from any directory, reaching no machine.
const (
	MachinesRecord = "swarmgen lab of machines"
	RecordLab      = "lab="
	RecordLeader   = "leader="
	RecordFiles    = "files="
)

// Record is what a lab of machines' docker context records of it.
type Record struct {
	Lab    string // the lab's name (its LAB, the compose project a lab of containers has)
	Leader string // the machine the context reaches
	Dir    string // the lab's generated files
}

// MachinesDescription is the description bootstrap.sh gives the docker
// context of a lab of machines; extra are the fields that tell its
// endpoint changed ("certificate=N", "from=CONTEXT"). Go writes none: it
// spells what the runtime writes, for the tests that compare them.
func MachinesDescription(r Record, extra ...string) string {
	f := []string{MachinesRecord, RecordLab + r.Lab, RecordLeader + r.Leader}
	f = append(f, extra...)
	return strings.Join(append(f, RecordFiles+r.Dir), " ")
}

// ParseRecord reads a docker context's description; ok is false for
// anything but a lab of machines' record (a lab of containers' context,
// one written by an older swarmgen, anyone else's).
func ParseRecord(desc string) (r Record, ok bool) {
	rest, ok := strings.CutPrefix(desc, MachinesRecord+" ")
	if !ok {
		return Record{}, false
	}
	for rest != "" {
		if dir, last := strings.CutPrefix(rest, RecordFiles); last {
			r.Dir = dir // the rest, spaces and all
			break
		}
		field, after, _ := strings.Cut(rest, " ")
		if v, is := strings.CutPrefix(field, RecordLab); is {
			r.Lab = v
		} else if v, is := strings.CutPrefix(field, RecordLeader); is {
			r.Leader = v
		}
		rest = after
	}
	return r, r.Lab != "" && r.Leader != "" && r.Dir != ""
}
