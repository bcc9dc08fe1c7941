// Package ownlabels holds the keys of the labels swarmgen puts on what it
// creates, so that it finds (and removes) only its own: one owner for Go
// and for the generated files, which get them through the template func
// `label`.
package ownlabels

import (
	"fmt"
	"maps"
)

// Prefix starts every key swarmgen keeps for its own bookkeeping; a spec
// may not set labels under it.
const Prefix = "dev.swarmgen."

const (
	Lab     = Prefix + "lab"     // containers, networks and volumes of a lab: its compose project
	Role    = Prefix + "role"    // a node container's swarm role
	Node    = Prefix + "node"    // a node container's node name
	Managed = Prefix + "labels"  // a swarm node's label listing the labels swarmgen set on it
	Network = Prefix + "network" // an overlay network swarmgen created
	Hash    = Prefix + "hash"    // a standalone service's definition, to see it changed
	Service = Prefix + "service" // a standalone service's name
	Secret  = Prefix + "secret"  // a secret version's secret name
	Salt    = Prefix + "salt"    // a secret version's salt, to see its content changed
	// on machines: what swarmgen made there and must remove, and only that
	Stack    = Prefix + "stack"    // a swarm config recording a stack's deployed file hash (machines have no state dir)
	Loaded   = Prefix + "loaded"   // the registry container whose image swarmgen loaded onto its machine
	GWBridge = Prefix + "gwbridge" // a node whose docker_gwbridge network its swarm join made
	Context  = Prefix + "context"  // a built image's build context digest, to skip a build of the same context

	// on swarm nodes: the network faults swarmgen net put in force there, so
	// that up can say so from its one read of the swarm, without reading
	// every node's firewall
	NetCut   = Prefix + "net.cut"   // the nodes this node is cut off from (net partition)
	NetDelay = Prefix + "net.delay" // the delay on this node's lab link (net delay)
)

var byName = map[string]string{
	"lab": Lab, "role": Role, "node": Node, "labels": Managed,
	"network": Network, "hash": Hash, "service": Service,
	"secret": Secret, "salt": Salt, "context": Context,
	"stack": Stack, "loaded": Loaded, "gwbridge": GWBridge,
	"net-cut": NetCut, "net-delay": NetDelay,
}

// Key is the label key a template names (`{{ label "hash" }}`); an unknown
// name is an error, so a template cannot spell a key of its own.
func Key(name string) (string, error) {
	if k, ok := byName[name]; ok {
		return k, nil
	}
	return "", fmt.Errorf("no swarmgen label named %q", name)
}

// WorkingDir is docker compose's own label on every container it makes: the
// absolute directory of the compose file, which is the lab's directory of
// generated files. swarmgen reads it (it is no key of its own) to find a
// lab's files from its containers and to see a lab made from another
// directory.
const WorkingDir = "com.docker.compose.project.working_dir"

// ByName is every label key by its name (the runtime spells each as LABEL_NAME; a test compares them).
func ByName() map[string]string { return maps.Clone(byName) }
